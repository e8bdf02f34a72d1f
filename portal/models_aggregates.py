"""Maintained aggregate tables: peer score histograms and dashboard group totals (see services/aggregates.py).

Key columns never hold NULL (primary keys, and ON CONFLICT needs equal keys): an unknown district, industry
or size class is '', an unknown 规上 flag is -1 and an unknown gated level 0.
"""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Assessment

FLAG_MEASURES = (
    "cloud_enterprise",
    "integration_demo_candidate",
    "smart_factory_candidate",
    "fiveg_factory_candidate",
    "identifier_adopter",
    "mlps_filed",
    "mlps_passed",
)
LAYER_MEASURES = ("iaas", "saas", "core", "equipment")
SYSTEM_MEASURES = ("uses_erp", "uses_mes", "uses_plm", "uses_scm")
# Measure column of aggregate_totals -> the key the dashboard's running sums use.
TOTAL_MEASURES: dict[str, str] = {
    "n": "n",
    "score_n": "score_n",
    "score_tenths": "score_tenths",
    **{f"flag_{name}": f"flag:{name}" for name in FLAG_MEASURES},
    **{f"layer_{name}": f"layer:{name}" for name in LAYER_MEASURES},
    **{f"rate_{name}": f"rate:{name}" for name in SYSTEM_MEASURES},
    **{f"rate_n_{name}": f"rate_n:{name}" for name in SYSTEM_MEASURES},
    "nc_micro": "mean:nc_rate",
    "nc_n": "mean_n:nc_rate",
}
TOTAL_KEYS = ("round_id", "district", "industry_division", "size_class", "above", "status", "gated_level")
HISTOGRAM_KEYS = ("round_id", "questionnaire_id", "group_kind", "group_value", "dimension_id", "score_tenths")
DIMENSION_KEYS = ("round_id", "district", "industry_division", "size_class", "above", "dimension_id")


def _coarse_columns() -> list[sa.Column]:
    return [
        sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("district", sa.String(16), primary_key=True),
        sa.Column("industry_division", sa.String(2), primary_key=True),
        sa.Column("size_class", sa.String(8), primary_key=True),
        sa.Column("above", sa.SmallInteger, primary_key=True),
    ]


aggregate_rounds = sa.Table(
    "aggregate_rounds",
    db.metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("rebuilt_at", sa.DateTime, nullable=False),
    comment="Rounds whose aggregates were built from scratch and are maintained since",
)

score_histogram = sa.Table(
    "aggregate_score_histogram",
    db.metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("questionnaire_id", sa.String(64), primary_key=True),
    sa.Column("group_kind", sa.String(16), primary_key=True),
    sa.Column("group_value", sa.String(32), primary_key=True),
    sa.Column("dimension_id", sa.String(64), primary_key=True),
    sa.Column("score_tenths", sa.Integer, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    comment="Current results per score (0.1 steps) by peer group; dimension_id '' is the overall index",
)

aggregate_totals = sa.Table(
    "aggregate_totals",
    db.metadata,
    *_coarse_columns(),
    sa.Column("status", sa.String(16), primary_key=True),
    sa.Column("gated_level", sa.SmallInteger, primary_key=True),
    *(
        sa.Column(name, sa.BigInteger if name in ("score_tenths", "nc_micro") else sa.Integer, nullable=False)
        for name in TOTAL_MEASURES
    ),
    comment="Counts and sums of current results per dashboard group (scores in tenths, rates in millionths)",
)

dimension_totals = sa.Table(
    "aggregate_dimension_totals",
    db.metadata,
    *_coarse_columns(),
    sa.Column("dimension_id", sa.String(64), primary_key=True),
    sa.Column("score_tenths", sa.BigInteger, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    comment="Dimension score sums (tenths) and counts of current results per dashboard group",
)

# The dashboard's median under a combination of filters (district official + industry, ...): a covering
# index range, scores counted per value, never a walk through the whole round's score order.
ix_assessments_current_groups = sa.Index(
    "ix_assessments_current_groups",
    Assessment.round_id,
    Assessment.is_current,
    Assessment.district,
    Assessment.industry_division,
    Assessment.size_class,
    Assessment.above_designated_size,
    Assessment.overall_score,
)
