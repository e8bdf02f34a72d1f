"""Peer benchmark of a stored assessment: group statistics aggregated in SQL, disclosure control in scoring.

Peers are the current (counted: submitted or verified) assessments of the same round and questionnaire.
Score histograms per division, size class and district are aggregated in SQL (GROUP BY) and cached
briefly; every group's count, mean, median and rank counts follow exactly from them. `group_statistics`
and `dimension_medians` are the direct per-group SQL aggregates (used when a fresh figure is needed).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
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


# --- cached group statistics ----------------------------------------------------------------------
# Scores are rounded to 0.1 by the engine, so a histogram (score -> count) per group gives the exact
# count, mean, median and rank counts. Histograms are aggregated in SQL (GROUP BY) once per round and
# questionnaire and kept for STATS_CACHE_SECONDS (and dropped by invalidate() on a local submission).

STATS_CACHE_SECONDS = 60.0
Histogram = dict[float, int]


@dataclass
class RoundStatistics:
    """Score histograms of one round's current results, by division, size class and district."""

    created: float
    by_division: dict[str, Histogram]
    by_size: dict[str, Histogram]
    by_district: dict[str, Histogram]
    dimensions_by_division: dict[str, dict[str, Histogram]] | None = None


_round_cache: dict[tuple[int, str], RoundStatistics] = {}


def invalidate(round_id: int | None = None) -> None:
    """Forget cached statistics (of one round, or all)."""
    for key in list(_round_cache):
        if round_id is None or key[0] == round_id:
            del _round_cache[key]
    _dimension_cache.clear()


def _histograms(round_id: int, questionnaire_id: str, column: Any) -> dict[str, Histogram]:
    found: dict[str, Histogram] = {}
    rows = db.session.execute(
        sa.select(column, Assessment.overall_score, sa.func.count())
        .where(
            Assessment.round_id == round_id,
            Assessment.is_current.is_(True),
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.overall_score.is_not(None),
        )
        .group_by(column, Assessment.overall_score)
    )
    for value, score, count in rows:
        histogram = found.setdefault(value, {})
        histogram[round(float(score), 1)] = histogram.get(round(float(score), 1), 0) + count
    return found


def round_statistics(round_id: int, questionnaire_id: str) -> RoundStatistics:
    """The cached histograms of a round (built with three GROUP BY queries when stale)."""
    key = (round_id, questionnaire_id)
    cached = _round_cache.get(key)
    if cached is not None and time.monotonic() - cached.created < STATS_CACHE_SECONDS:
        return cached
    statistics = RoundStatistics(
        time.monotonic(),
        _histograms(round_id, questionnaire_id, Assessment.industry_division),
        _histograms(round_id, questionnaire_id, Assessment.size_class),
        _histograms(round_id, questionnaire_id, Assessment.district),
    )
    _round_cache[key] = statistics
    return statistics


def _dimension_histograms(round_id: int, questionnaire_id: str) -> dict[str, dict[str, Histogram]]:
    dimension = AssessmentDimensionScore
    rows = db.session.execute(
        sa.select(Assessment.industry_division, dimension.dimension_id, dimension.score, sa.func.count())
        .join(Assessment, Assessment.id == dimension.assessment_id)
        .where(
            Assessment.round_id == round_id,
            Assessment.is_current.is_(True),
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.overall_score.is_not(None),
        )
        .group_by(Assessment.industry_division, dimension.dimension_id, dimension.score)
    )
    found: dict[str, dict[str, Histogram]] = {}
    for division, dimension_id, score, count in rows:
        histogram = found.setdefault(division, {}).setdefault(dimension_id, {})
        histogram[round(float(score), 1)] = histogram.get(round(float(score), 1), 0) + count
    return found


def _merge(histograms: Iterable[Histogram]) -> Histogram:
    merged: Histogram = {}
    for histogram in histograms:
        for score, count in histogram.items():
            merged[score] = merged.get(score, 0) + count
    return merged


def _histogram_median(histogram: Histogram, count: int) -> float | None:
    if count == 0:
        return None
    low_index, high_index = (count - 1) // 2, count // 2
    seen = 0
    low = high = None
    for score in sorted(histogram):
        seen += histogram[score]
        if low is None and seen > low_index:
            low = score
        if seen > high_index:
            high = score
            break
    return (low + high) / 2  # type: ignore[operator]


def _group(key: dict[str, Any], histogram: Histogram, own: float | None) -> dict[str, Any]:
    count = sum(histogram.values())
    total = sum(score * number for score, number in histogram.items())
    below = equal = None
    if own is not None:
        own = round(float(own), 1)
        below = sum(number for score, number in histogram.items() if score < own)
        equal = histogram.get(own, 0)
    return {
        "key": key,
        "count": count,
        "mean": total / count if count else None,
        "median": _histogram_median(histogram, count) if count >= MIN_GROUP else None,
        "rank_below": below,
        "rank_equal": equal,
    }


def peer_benchmark(assessment: Assessment, *, with_dimensions: bool = True) -> dict[str, Any]:
    """Benchmarks by industry (fallback sector family -> city), size class, district and city.

    Each entry is scoring.Benchmark.to_dict(); groups under 5 enterprises are never shown.
    `dimension_medians` holds the per-dimension peer medians of the group the industry benchmark used.
    Statistics come from cached SQL aggregates (see round_statistics), at most STATS_CACHE_SECONDS old.
    """
    stats = round_statistics(assessment.round_id, assessment.questionnaire_id)
    own = assessment.overall_score
    division = assessment.industry_division
    family = None
    if division:
        try:
            family = scoring.sector_family(division)
        except ValueError:
            family = None
    family_divisions = [f"{n:02d}" for n in SECTOR_FAMILIES[family][1]] if family else []
    groups: dict[str, dict[str, Any]] = {}
    division_sets: dict[str, list[str] | None] = {}
    if division:
        groups["industry"] = _group(
            {"kind": "industry", "value": division}, stats.by_division.get(division, {}), own
        )
        division_sets["industry"] = [division]
    if family:
        key = {"kind": "sector", "value": family, "label": scoring.sector_family_label(family)}
        groups["sector"] = _group(key, _merge(stats.by_division.get(d, {}) for d in family_divisions), own)
        division_sets["sector"] = family_divisions
    if assessment.size_class:
        key = {"kind": "size", "value": assessment.size_class}
        groups["size"] = _group(key, stats.by_size.get(assessment.size_class, {}), own)
    if assessment.district:
        key = {"kind": "district", "value": assessment.district}
        groups["district"] = _group(key, stats.by_district.get(assessment.district, {}), own)
    groups["city"] = _group({"kind": "city", "value": None}, _merge(stats.by_division.values()), own)
    division_sets["city"] = None

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
        if stats.dimensions_by_division is None:
            stats.dimensions_by_division = _dimension_histograms(
                assessment.round_id, assessment.questionnaire_id
            )
        wanted = division_sets[industry["group"]["kind"]]
        by_division = stats.dimensions_by_division
        divisions = list(by_division) if wanted is None else [d for d in wanted if d in by_division]
        dimension_ids = sorted({dimension_id for d in divisions for dimension_id in by_division[d]})
        for dimension_id in dimension_ids:
            histogram = _merge(by_division[d].get(dimension_id, {}) for d in divisions)
            count = sum(histogram.values())
            if count >= MIN_GROUP:
                result["dimension_medians"][dimension_id] = round(_histogram_median(histogram, count), 1)
    return result
