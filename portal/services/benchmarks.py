"""Peer benchmark of a stored assessment: group statistics aggregated in SQL, disclosure control in scoring.

Peers are the current (counted: submitted or verified) assessments of the same round and questionnaire.
Counts, means and rank counts come from one aggregate query per group; a median is the middle row(s)
read with ORDER BY ... LIMIT/OFFSET. Per-dimension peer medians (radar overlay) are cached for a short time.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

import scoring
from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore
from scoring.benchmark import MIN_GROUP, SECTOR_FAMILIES

DIMENSION_CACHE_SECONDS = 300.0
# Covering indexes that turn every group aggregate and median into an index range scan. Not yet in a
# migration (models.py belongs to the foundation); bench/bench_benchmark.py --with-indexes measures them.
PEER_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_assessments_peer_city ON assessments "
    "(round_id, is_current, questionnaire_id, overall_score)",
    "CREATE INDEX IF NOT EXISTS ix_assessments_peer_industry ON assessments "
    "(round_id, is_current, questionnaire_id, industry_division, overall_score)",
    "CREATE INDEX IF NOT EXISTS ix_assessments_peer_size ON assessments "
    "(round_id, is_current, questionnaire_id, size_class, overall_score)",
    "CREATE INDEX IF NOT EXISTS ix_assessments_peer_district ON assessments "
    "(round_id, is_current, questionnaire_id, district, overall_score)",
)
_dimension_cache: dict[tuple[Any, ...], tuple[float, dict[str, float]]] = {}


def _peer_filter(assessment: Assessment) -> list[Any]:
    return [
        Assessment.round_id == assessment.round_id,
        Assessment.is_current.is_(True),
        Assessment.questionnaire_id == assessment.questionnaire_id,
        Assessment.overall_score.is_not(None),
    ]


def _group_conditions(assessment: Assessment) -> list[tuple[dict[str, Any], list[Any]]]:
    """(key, extra SQL conditions) of the industry, sector family, size, district and city groups."""
    groups: list[tuple[dict[str, Any], list[Any]]] = []
    division = assessment.industry_division
    if division:
        groups.append(({"kind": "industry", "value": division}, [Assessment.industry_division == division]))
        try:
            family = scoring.sector_family(division)
        except ValueError:
            family = None
        if family is not None:
            divisions = [f"{number:02d}" for number in SECTOR_FAMILIES[family][1]]
            groups.append(
                (
                    {"kind": "sector", "value": family, "label": scoring.sector_family_label(family)},
                    [Assessment.industry_division.in_(divisions)],
                )
            )
    if assessment.size_class:
        groups.append(
            (
                {"kind": "size", "value": assessment.size_class},
                [Assessment.size_class == assessment.size_class],
            )
        )
    if assessment.district:
        groups.append(
            ({"kind": "district", "value": assessment.district}, [Assessment.district == assessment.district])
        )
    groups.append(({"kind": "city", "value": None}, []))
    return groups


def _median(conditions: list[Any], count: int) -> float | None:
    if count == 0:
        return None
    query = (
        sa.select(Assessment.overall_score)
        .where(*conditions)
        .order_by(Assessment.overall_score)
        .offset((count - 1) // 2)
        .limit(2 if count % 2 == 0 else 1)
    )
    middle = [float(value) for value in db.session.scalars(query)]
    return sum(middle) / len(middle)


def group_statistics(assessment: Assessment, key: dict[str, Any], extra: list[Any]) -> dict[str, Any]:
    """Pre-aggregated peer group for scoring.benchmark: count, mean, median, rank_below, rank_equal."""
    conditions = _peer_filter(assessment) + extra
    own = assessment.overall_score
    score = Assessment.overall_score
    count, mean, below, equal = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.avg(score),
            sa.func.coalesce(sa.func.sum(sa.case((score < own, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((score == own, 1), else_=0)), 0),
        ).where(*conditions)
    ).one()
    # Disclosure control: a group too small to show needs no median (scoring.benchmark skips it).
    median = _median(conditions, count) if count >= MIN_GROUP else None
    return {
        "key": key,
        "count": int(count),
        "mean": None if mean is None else float(mean),
        "median": median,
        "rank_below": None if own is None else int(below),
        "rank_equal": None if own is None else int(equal),
    }


def dimension_medians(assessment: Assessment, extra: list[Any]) -> dict[str, float]:
    """Median score of every dimension among the peers of a group (cached briefly; radar overlay)."""
    cache_key = (
        assessment.round_id,
        assessment.questionnaire_id,
        tuple(str(condition.compile(compile_kwargs={"literal_binds": True})) for condition in extra),
    )
    cached = _dimension_cache.get(cache_key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < DIMENSION_CACHE_SECONDS:
        return cached[1]
    peers = sa.select(Assessment.id).where(*_peer_filter(assessment), *extra)
    dimension = AssessmentDimensionScore
    counts = db.session.execute(
        sa.select(dimension.dimension_id, sa.func.count())
        .where(dimension.assessment_id.in_(peers))
        .group_by(dimension.dimension_id)
    ).all()
    medians: dict[str, float] = {}
    for dimension_id, count in counts:
        if count < MIN_GROUP:
            continue
        middle = list(
            db.session.scalars(
                sa.select(dimension.score)
                .where(dimension.dimension_id == dimension_id, dimension.assessment_id.in_(peers))
                .order_by(dimension.score)
                .offset((count - 1) // 2)
                .limit(2 if count % 2 == 0 else 1)
            )
        )
        medians[dimension_id] = round(sum(middle) / len(middle), 1)
    _dimension_cache[cache_key] = (now, medians)
    return medians


def peer_benchmark(assessment: Assessment, *, with_dimensions: bool = True) -> dict[str, Any]:
    """Benchmarks by industry (fallback sector family -> city), size class, district and city.

    Each entry is scoring.Benchmark.to_dict(); groups under 5 enterprises are never shown.
    `dimension_medians` holds the per-dimension peer medians of the group the industry benchmark used.
    """
    groups = {key["kind"]: (key, extra) for key, extra in _group_conditions(assessment)}
    stats = {kind: group_statistics(assessment, key, extra) for kind, (key, extra) in groups.items()}
    own = assessment.overall_score

    def chain(*kinds: str) -> dict[str, Any]:
        return scoring.benchmark(own, [stats[kind] for kind in kinds if kind in stats]).to_dict()

    industry = chain("industry", "sector", "city")
    result: dict[str, Any] = {
        "industry": industry,
        "size": chain("size", "city"),
        "district": chain("district", "city"),
        "city": chain("city"),
        "dimension_medians": {},
    }
    if with_dimensions and industry["group"] is not None:
        used = industry["group"]["kind"]
        result["dimension_medians"] = dimension_medians(assessment, groups[used][1])
    return result
