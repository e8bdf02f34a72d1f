"""Peer benchmark of a stored assessment: group statistics aggregated in SQL, disclosure control in scoring.

Peers are the current (counted: submitted or verified) assessments of the same round and questionnaire.
Score histograms per industry, sector family, size class, district and city are maintained in the
database (services/aggregates.py); every group's count, mean, median and rank counts follow exactly from
them. `group_statistics` and `dimension_medians` are the direct per-group SQL aggregates over the stored
rows (slower; tests compare them with the maintained figures).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import scoring
from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore
from portal.models_aggregates import score_histogram
from portal.services import aggregates
from scoring.benchmark import MIN_GROUP, SECTOR_FAMILIES


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
    """Median score of every dimension among the peers of a group, straight from the stored rows (checks)."""
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
    return medians


# --- peer groups from the maintained histograms ------------------------------------------------------
# Scores are rounded to 0.1 by the engine, so a histogram (score in tenths -> count) per group gives the
# exact count, mean, median and rank counts. The histograms live in the database (services/aggregates.py),
# updated in the transaction of every change: every process reads the same, fresh figures.

Histogram = dict[int, int]


def invalidate(round_id: int | None = None) -> None:
    """Kept for callers: there is no process cache any more (the aggregates are maintained in the database)."""


def _group(key: dict[str, Any], histogram: Histogram, own: float | None) -> dict[str, Any]:
    count = sum(histogram.values())
    total = sum(score * number for score, number in histogram.items())
    below = equal = None
    if own is not None:
        own_tenths = aggregates.tenths(float(own))
        below = sum(number for score, number in histogram.items() if score < own_tenths)
        equal = histogram.get(own_tenths, 0)
    return {
        "key": key,
        "count": count,
        "mean": total / 10 / count if count else None,
        "median": aggregates.histogram_median(histogram) if count >= MIN_GROUP else None,
        "rank_below": below,
        "rank_equal": equal,
    }


def _histograms(
    assessment: Assessment, wanted: list[tuple[str, str]], *, dimensions: bool
) -> dict[tuple[str, str, str], Histogram]:
    """(kind, value, dimension id) -> histogram of the wanted groups (overall index, or the dimensions)."""
    h = score_histogram.c
    # One index range (primary key prefix) per group, glued with UNION ALL: an OR of groups would
    # make SQLite scan every histogram row of the round.
    parts = [
        sa.select(h.group_kind, h.group_value, h.dimension_id, h.score_tenths, h.count).where(
            h.round_id == assessment.round_id,
            h.questionnaire_id == assessment.questionnaire_id,
            h.group_kind == kind,
            h.group_value == value,
            h.dimension_id != "" if dimensions else h.dimension_id == "",
            h.count > 0,
        )
        for kind, value in wanted
    ]
    query = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    found: dict[tuple[str, str, str], Histogram] = {}
    for kind, value, dimension_id, score, count in db.session.execute(query):
        found.setdefault((kind, value, dimension_id), {})[int(score)] = int(count)
    return found


def peer_benchmark(assessment: Assessment, *, with_dimensions: bool = True) -> dict[str, Any]:
    """Benchmarks by industry (fallback sector family -> city), size class, district and city.

    Each entry is scoring.Benchmark.to_dict(); groups under 5 enterprises are never shown.
    `dimension_medians` holds the per-dimension peer medians of the group the industry benchmark used.
    Statistics come from the maintained score histograms (at most ~1001 rows per group), always current.
    """
    aggregates.ensure_rounds([assessment.round_id])
    own = assessment.overall_score
    division = assessment.industry_division
    family = None
    if division:
        try:
            family = scoring.sector_family(division)
        except ValueError:
            family = None
    wanted: dict[str, tuple[dict[str, Any], str, str]] = {}
    if division:
        wanted["industry"] = ({"kind": "industry", "value": division}, "industry", division)
    if family:
        key = {"kind": "sector", "value": family, "label": scoring.sector_family_label(family)}
        wanted["sector"] = (key, "sector", family)
    if assessment.size_class:
        wanted["size"] = ({"kind": "size", "value": assessment.size_class}, "size", assessment.size_class)
    if assessment.district:
        wanted["district"] = (
            {"kind": "district", "value": assessment.district},
            "district",
            assessment.district,
        )
    wanted["city"] = ({"kind": "city", "value": None}, "city", "")
    found = _histograms(assessment, [(kind, value) for _, kind, value in wanted.values()], dimensions=False)
    groups = {
        name: _group(key, found.get((kind, value, ""), {}), own)
        for name, (key, kind, value) in wanted.items()
    }

    def chain(*kinds: str) -> dict[str, Any]:
        return scoring.benchmark(own, [groups[kind] for kind in kinds if kind in groups]).to_dict()

    industry = chain("industry", "sector", "city")
    result: dict[str, Any] = {
        "industry": industry,
        "size": chain("size", "city"),
        "district": chain("district", "city"),
        "city": chain("city"),
        "dimension_medians": {},
    }
    if with_dimensions and industry["group"] is not None:
        _, kind, value = wanted[industry["group"]["kind"]]
        by_dimension = _histograms(assessment, [(kind, value)], dimensions=True)
        for (_, _, dimension_id), histogram in sorted(by_dimension.items()):
            if sum(histogram.values()) >= MIN_GROUP:
                result["dimension_medians"][dimension_id] = round(aggregates.histogram_median(histogram), 1)
    return result
