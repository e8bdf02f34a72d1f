"""Officials' aggregates and the enterprise lists behind every number, scoped and filtered together.

The scope of the official is an implicit filter: a district official always gets their own district and
asking for another one is a ScopeError (404). Aggregates run in SQL: one grouped scan of the current
assessments of every round (counts, levels, flags, indicator sums, trend), one of enterprises, one of
the dimension scores of the selected round, one ordered offset for the median. Python only folds the
few thousand group rows.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from portal import reference
from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore, Enterprise, Round, User
from portal.models_officials import RecognisedEnterprise
from portal.services.results import FLAG_COLUMNS

LEVELS = (1, 2, 3, 4, 5)
CLOUD_LAYERS = ("iaas", "saas", "core", "equipment")
SYSTEM_COLUMNS = ("uses_erp", "uses_mes", "uses_plm", "uses_scm")
LIST_STATUSES = ("registered", "draft", "assessed", "submitted", "verified")
ASSESSED_STATUSES = ("submitted", "verified")
SME_SIZES = ("medium", "small", "micro")
_TRUE = ("1", "true", "yes", "是", "y", "on")
_FALSE = ("0", "false", "no", "否", "n", "off")


class FilterError(ValueError):
    """A malformed filter value (the route answers 400)."""


class ScopeError(LookupError):
    """A filter outside the official's scope or an unknown round (the route answers 404)."""


@dataclass(frozen=True)
class Filters:
    """The effective filters: the official's scope already applied, the round resolved."""

    district: str | None = None
    industry: str | None = None
    size: str | None = None
    above_designated_size: bool | None = None
    round_year: int | None = None
    round_id: int | None = None

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (for links, exports and the API echo)."""
        params: dict[str, str] = {}
        if self.district:
            params["district"] = self.district
        if self.industry:
            params["industry"] = self.industry
        if self.size:
            params["size"] = self.size
        if self.above_designated_size is not None:
            params["above_designated_size"] = "1" if self.above_designated_size else "0"
        if self.round_year is not None:
            params["round"] = str(self.round_year)
        return params

    def echo(self) -> dict[str, Any]:
        """The effective filters as JSON values (the API echoes them)."""
        return {
            "district": self.district,
            "industry": self.industry,
            "size": self.size,
            "above_designated_size": self.above_designated_size,
            "round": self.round_year,
        }


def _parse_bool(value: str | None) -> bool | None:
    if value is None or value.strip() == "":
        return None
    cleaned = value.strip().lower()
    if cleaned in _TRUE:
        return True
    if cleaned in _FALSE:
        return False
    raise FilterError(f"above_designated_size must be true or false, not {value!r}")


def _newest_round() -> Round | None:
    return db.session.scalar(select(Round).order_by(Round.year.desc()).limit(1))


def effective_filters(user: User, args: Mapping[str, str]) -> Filters:
    """Parse query parameters into effective filters for `user` (scope applied, round resolved)."""
    raw_district = (args.get("district") or "").strip()
    district = reference.normalize_district(raw_district) if raw_district else None
    if raw_district and district is None:
        raise ScopeError(f"unknown district {raw_district!r}")
    if not user.is_city_wide:
        if user.role != "official" or not user.district:
            raise ScopeError("no district scope")
        if district is not None and district != user.district:
            raise ScopeError("district outside the official's scope")
        district = user.district
    raw_industry = (args.get("industry") or "").strip()
    industry = reference.normalize_division(raw_industry) if raw_industry else None
    if raw_industry and industry is None:
        raise FilterError(f"unknown industry division {raw_industry!r}")
    raw_size = (args.get("size") or "").strip()
    size = reference.normalize_size_class(raw_size) if raw_size else None
    if raw_size and size is None:
        raise FilterError(f"unknown size class {raw_size!r}")
    above = _parse_bool(args.get("above_designated_size"))
    raw_round = (args.get("round") or "").strip()
    if raw_round:
        if not raw_round.isdigit():
            raise FilterError(f"round must be a year, not {raw_round!r}")
        round_ = db.session.scalar(select(Round).where(Round.year == int(raw_round)))
        if round_ is None:
            raise ScopeError(f"no round {raw_round}")
    else:
        round_ = _newest_round()
    return Filters(
        district=district,
        industry=industry,
        size=size,
        above_designated_size=above,
        round_year=round_.year if round_ else None,
        round_id=round_.id if round_ else None,
    )


# --- filter predicates -----------------------------------------------------------------------------


def assessment_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """Filter predicates on an assessment's snapshot columns (district, industry, size, 规上)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.district:
        conditions.append(Assessment.district == filters.district)
    if filters.industry:
        conditions.append(Assessment.industry_division == filters.industry)
    if filters.size:
        conditions.append(Assessment.size_class == filters.size)
    if filters.above_designated_size is not None:
        conditions.append(Assessment.above_designated_size == filters.above_designated_size)
    return conditions


def enterprise_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """Filter predicates on the enterprise profile (registered enterprises, drafts, recognised lists)."""
    conditions: list[ColumnElement[bool]] = [Enterprise.status == "approved"]
    if filters.district:
        conditions.append(Enterprise.district == filters.district)
    if filters.industry:
        conditions.append(Enterprise.industry_division == filters.industry)
    if filters.size:
        conditions.append(Enterprise.size_class == filters.size)
    if filters.above_designated_size is not None:
        conditions.append(Enterprise.above_designated_size == filters.above_designated_size)
    return conditions


def _flag(column: ColumnElement[Any]) -> ColumnElement[int]:
    return func.sum(case((column.is_(True), 1), else_=0))


# --- the dashboard ---------------------------------------------------------------------------------


@dataclass
class _Acc:
    """Running sums of one group (a round, a district, ...)."""

    assessed: int = 0
    submitted: int = 0
    verified: int = 0
    score_sum: float = 0.0
    score_n: int = 0
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    above: int = 0
    sums: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def mean(self) -> float | None:
        return round(self.score_sum / self.score_n, 1) if self.score_n else None

    def merge(self, other: _Acc, *, full: bool = False) -> None:
        """Add another group's sums (counts, index and levels; plan sums too when `full`)."""
        self.assessed += other.assessed
        self.submitted += other.submitted
        self.verified += other.verified
        self.score_sum += other.score_sum
        self.score_n += other.score_n
        self.above += other.above
        for level, n in other.levels.items():
            self.levels[level] += n
        if full:
            for key, value in other.sums.items():
                self.sums[key] += value

    def summary(self) -> dict[str, Any]:
        """Counts, mean index and level distribution as JSON values."""
        return {
            "assessed": self.assessed,
            "verified": self.verified,
            "mean_score": self.mean(),
            "levels": {str(level): n for level, n in self.levels.items()},
        }


_GROUP_KEYS = ("round_id", "status", "district", "industry_division", "size_class", "above", "level")
_COARSE_COLUMNS = (
    Assessment.round_id,
    Assessment.district,
    Assessment.industry_division,
    Assessment.size_class,
    Assessment.above_designated_size,
)
# Maintained aggregates, per database: coarse group (round, district, industry, size, 规上) -> fine group
# rows and dimension sums. Every filter selects whole coarse groups, so one cache serves every filter
# and scope. Each request reads the assessments changed since the last look (index on updated_at,
# with an overlap window for transactions that committed late) and rescans only their groups; a
# per-round count check catches deletions and moves between groups (then everything is rebuilt), and
# the cache is rebuilt anyway after REBUILD_SECONDS.
REBUILD_SECONDS = 600.0
_FULL_RESCAN_AT = 64
OVERLAP = timedelta(seconds=120)


@dataclass
class _GroupCache:
    groups: dict[tuple[Any, ...], tuple[_Acc, dict[str, list[float]]]]
    watermark: datetime | None
    recent: frozenset[tuple[int, str]]
    built_at: float


_CACHES: dict[str, _GroupCache] = {}


def _measures() -> list[Any]:
    measures: list[Any] = [
        func.count().label("n"),
        func.sum(Assessment.overall_score).label("score_sum"),
        func.count(Assessment.overall_score).label("score_n"),
    ]
    for column in FLAG_COLUMNS:
        measures.append(_flag(getattr(Assessment, column)).label(f"flag:{column}"))
    for layer in CLOUD_LAYERS:
        measures.append(func.sum(case((Assessment.cloud_layer == layer, 1), else_=0)).label(f"layer:{layer}"))
    for column in SYSTEM_COLUMNS:
        measures.append(_flag(getattr(Assessment, column)).label(f"rate:{column}"))
        measures.append(func.count(getattr(Assessment, column)).label(f"rate_n:{column}"))
    measures.append(func.sum(Assessment.nc_rate).label("mean:nc_rate"))
    measures.append(func.count(Assessment.nc_rate).label("mean_n:nc_rate"))
    return measures


def _coarse_condition(keys: Iterable[tuple[Any, ...]]) -> ColumnElement[bool]:
    """Rows of the given coarse groups (NULL-safe)."""
    clauses = []
    for key in keys:
        parts = [
            column.is_(None) if value is None else column == value
            for column, value in zip(_COARSE_COLUMNS, key, strict=True)
        ]
        clauses.append(and_(*parts))
    return or_(*clauses)


def _scan_groups(filters: Filters, keys: list[tuple[Any, ...]] | None) -> tuple[dict, dict]:
    """Fine group rows and dimension sums per coarse group, for `keys` (None: every group under the filters)."""
    fine_keys = [
        Assessment.round_id,
        Assessment.status,
        Assessment.district,
        Assessment.industry_division,
        Assessment.size_class,
        Assessment.above_designated_size,
        Assessment.gated_level,
    ]
    measures = _measures()
    names = [measure.name for measure in measures]
    conditions: list[ColumnElement[bool]] = [Assessment.is_current.is_(True), *assessment_conditions(filters)]
    if keys is not None:
        conditions.append(_coarse_condition(keys))
    rows_by_group: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in db.session.execute(select(*fine_keys, *measures).where(*conditions).group_by(*fine_keys)):
        values = tuple(row)
        record: dict[str, Any] = dict(zip(_GROUP_KEYS, values[:7], strict=True))
        record.update(zip(names, values[7:], strict=True))
        rows_by_group[(values[0], values[2], values[3], values[4], values[5])].append(record)
    dims_by_group: dict[tuple[Any, ...], dict[str, list[float]]] = defaultdict(dict)
    dimension_query = (
        select(
            *_COARSE_COLUMNS,
            AssessmentDimensionScore.dimension_id,
            func.sum(AssessmentDimensionScore.score),
            func.count(),
        )
        .join(Assessment, Assessment.id == AssessmentDimensionScore.assessment_id)
        .where(*conditions)
        .group_by(*_COARSE_COLUMNS, AssessmentDimensionScore.dimension_id)
    )
    for row in db.session.execute(dimension_query):
        dims_by_group[tuple(row[:5])][row[5]] = [float(row[6] or 0), int(row[7])]
    return rows_by_group, dims_by_group


def _recent_changes(since: datetime | None) -> list[tuple[Any, ...]]:
    """(id, updated_at, coarse key...) of assessments changed after `since` (minus the overlap)."""
    query = select(Assessment.id, Assessment.updated_at, *_COARSE_COLUMNS)
    if since is not None:
        query = query.where(Assessment.updated_at > since - OVERLAP)
    return [tuple(row) for row in db.session.execute(query)]


def _build_cache() -> _GroupCache:
    rows_by_group, dims_by_group = _scan_groups(Filters(), None)
    keys = set(rows_by_group) | set(dims_by_group)
    watermark = db.session.scalar(select(func.max(Assessment.updated_at)))
    recent = _recent_changes(watermark) if watermark is not None else []
    return _GroupCache(
        groups={key: (_fold(rows_by_group.get(key, [])), dims_by_group.get(key, {})) for key in keys},
        watermark=watermark,
        recent=frozenset((row[0], str(row[1])) for row in recent),
        built_at=time.monotonic(),
    )


def _current_counts() -> dict[int, int]:
    query = (
        select(Assessment.round_id, func.count())
        .where(Assessment.is_current.is_(True))
        .group_by(Assessment.round_id)
    )
    return {round_id: int(n) for round_id, n in db.session.execute(query)}


def _refresh_cache() -> _GroupCache:
    """The maintained group aggregates of this database, brought up to date."""
    database = str(db.engine.url)
    cache = _CACHES.get(database)
    if cache is None or time.monotonic() - cache.built_at > REBUILD_SECONDS:
        cache = _CACHES[database] = _build_cache()
        return cache
    changes = _recent_changes(cache.watermark)
    seen = frozenset((row[0], str(row[1])) for row in changes)
    delta = [row for row in changes if (row[0], str(row[1])) not in cache.recent]
    if delta:
        keys = sorted({tuple(row[2:]) for row in delta}, key=repr)
        if len(keys) > _FULL_RESCAN_AT:
            cache = _CACHES[database] = _build_cache()
            return cache
        for key in keys:
            # One index-range scan per group (an OR over groups would scan the whole table).
            rows_by_group, dims_by_group = _scan_groups(Filters(), [key])
            cache.groups[key] = (_fold(rows_by_group.get(key, [])), dims_by_group.get(key, {}))
        newest = max(row[1] for row in delta)
        if cache.watermark is None or newest > cache.watermark:
            cache.watermark = newest
    cache.recent = seen
    cached_counts: dict[int, int] = defaultdict(int)
    for (round_id, *_), (acc, _) in cache.groups.items():
        cached_counts[round_id] += acc.assessed
    if {k: v for k, v in cached_counts.items() if v} != _current_counts():
        cache = _CACHES[database] = _build_cache()
    return cache


def _selected(key: tuple[Any, ...], filters: Filters) -> bool:
    _, district, industry, size, above = key
    return (
        (filters.district is None or district == filters.district)
        and (filters.industry is None or industry == filters.industry)
        and (filters.size is None or size == filters.size)
        and (filters.above_designated_size is None or above == filters.above_designated_size)
    )


def _fold(rows: Iterable[Mapping[str, Any]]) -> _Acc:
    acc = _Acc()
    for row in rows:
        _add(acc, row)
    return acc


def _add(acc: _Acc, row: Mapping[str, Any]) -> None:
    n = int(row["n"])
    acc.assessed += n
    if row["status"] == "verified":
        acc.verified += n
    else:
        acc.submitted += n
    acc.score_sum += float(row["score_sum"] or 0)
    acc.score_n += int(row["score_n"] or 0)
    level = row["level"]
    if level in acc.levels:
        acc.levels[level] += n
    if row["above"]:
        acc.above += n
    for key, value in row.items():
        if ":" in key:
            acc.sums[key] += float(value or 0)
    if row["size_class"] in SME_SIZES and level is not None:
        for threshold in LEVELS:
            if level >= threshold:
                acc.sums[f"sme_level_gte:{threshold}"] += n
    if row["status"] == "verified":
        for key, value in row.items():
            if ":" in key:
                acc.sums[f"verified/{key}"] += float(value or 0)
        if level is not None:
            for threshold in LEVELS:
                if level >= threshold:
                    acc.sums[f"verified/level_gte:{threshold}"] += n
                    if row["size_class"] in SME_SIZES:
                        acc.sums[f"verified/sme_level_gte:{threshold}"] += n
        if row["above"]:
            acc.sums["verified/above"] += n


def _median(filters: Filters, count: int) -> float | None:
    """Median overall index of the round's current assessments (ordered offset, index-backed)."""
    if count == 0 or filters.round_id is None:
        return None
    base = (
        select(Assessment.overall_score)
        .where(
            Assessment.round_id == filters.round_id,
            Assessment.is_current.is_(True),
            Assessment.overall_score.is_not(None),
            *assessment_conditions(filters),
        )
        .order_by(Assessment.overall_score)
    )
    values = list(db.session.scalars(base.offset((count - 1) // 2).limit(2 - count % 2)))
    if not values:
        return None
    return round(sum(values) / len(values), 1)


def _registered(filters: Filters) -> dict[str, dict[str, int]]:
    """Registered (approved) enterprises per district: total and 规上."""
    query = (
        select(
            Enterprise.district,
            func.count(),
            func.sum(case((Enterprise.above_designated_size.is_(True), 1), else_=0)),
        )
        .where(*enterprise_conditions(filters))
        .group_by(Enterprise.district)
    )
    return {
        district: {"total": int(total), "above": int(above or 0)}
        for district, total, above in db.session.execute(query)
    }


def _drafts(filters: Filters) -> int:
    if filters.round_id is None:
        return 0
    # Correlated EXISTS: the planner starts from the (few) drafts of the round, not from every enterprise.
    query = (
        select(func.count())
        .select_from(Assessment)
        .where(
            Assessment.round_id == filters.round_id,
            Assessment.status.in_(("draft", "returned")),
            exists(
                select(literal(1)).where(
                    Enterprise.id == Assessment.enterprise_id, *enterprise_conditions(filters)
                )
            ),
        )
    )
    return int(db.session.scalar(query) or 0)


def recognised_counts(filters: Filters) -> dict[str, int]:
    """Distinct enterprises per recognised list under the filters (enterprise profile)."""
    query = (
        select(RecognisedEnterprise.list_id, func.count(func.distinct(RecognisedEnterprise.enterprise_id)))
        .join(Enterprise, Enterprise.id == RecognisedEnterprise.enterprise_id)
        .where(*enterprise_conditions(filters))
        .group_by(RecognisedEnterprise.list_id)
    )
    return {list_id: int(n) for list_id, n in db.session.execute(query)}


def _percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _ordered(groups: Mapping[Any, _Acc], order: Iterable[Any]) -> list[dict[str, Any]]:
    order = list(order)
    keys = [value for value in order if value in groups] + [value for value in groups if value not in order]
    return [{"key": key, **groups[key].summary()} for key in keys]


def dashboard(filters: Filters) -> dict[str, Any]:
    """Every dashboard aggregate for the effective filters (JSON-able, no per-user fields)."""
    from portal.services import targets as targets_service

    cache = _refresh_cache()
    totals = _Acc()
    per_round: dict[int, _Acc] = defaultdict(_Acc)
    breakdowns: dict[str, dict[Any, _Acc]] = {name: defaultdict(_Acc) for name in ("d", "i", "s", "a")}
    dimension_sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for key, (acc, dims) in cache.groups.items():
        if not acc.assessed or not _selected(key, filters):
            continue
        round_id, district, industry, size, above = key
        per_round[round_id].merge(acc)
        if round_id != filters.round_id:
            continue
        totals.merge(acc, full=True)
        breakdowns["d"][district].merge(acc)
        breakdowns["i"][industry].merge(acc)
        breakdowns["s"][size].merge(acc)
        breakdowns["a"][above].merge(acc)
        for dimension_id, (total, n) in dims.items():
            dimension_sums[dimension_id][0] += total
            dimension_sums[dimension_id][1] += n
    registered = _registered(filters)
    registered_total = sum(item["total"] for item in registered.values())
    registered_above = sum(item["above"] for item in registered.values())
    round_years = dict(db.session.execute(select(Round.id, Round.year)).all())
    trend = [
        {"round": round_years[round_id], **acc.summary()}
        for round_id, acc in sorted(per_round.items(), key=lambda item: round_years[item[0]])
    ]
    by_district = _ordered(breakdowns["d"], reference.DISTRICT_VALUES)
    for district in reference.DISTRICT_VALUES:
        if district in registered and district not in breakdowns["d"]:
            if filters.district in (None, district):
                by_district.append({"key": district, **_Acc().summary()})
    for item in by_district:
        reg = registered.get(item["key"], {"total": 0, "above": 0})
        item["registered"] = reg["total"]
        item["registered_above"] = reg["above"]
        item["assessed_above"] = breakdowns["d"][item["key"]].above if item["key"] in breakdowns["d"] else 0
        item["coverage"] = _percent(item["assessed_above"], item["registered_above"])
    dimension_means = {
        dimension_id: round(total / n, 1) for dimension_id, (total, n) in sorted(dimension_sums.items()) if n
    }
    by_industry = _ordered(breakdowns["i"], reference.INDUSTRY_DIVISIONS)
    by_size = _ordered(breakdowns["s"], reference.SIZE_CLASSES)
    by_above = _ordered(breakdowns["a"], (True, False))

    return {
        "filters": filters.echo(),
        "counts": {
            "registered": registered_total,
            "registered_above": registered_above,
            "drafts": _drafts(filters),
            "submitted": totals.submitted,
            "verified": totals.verified,
            "assessed": totals.assessed,
            "assessed_above": totals.above,
            "above_coverage": _percent(totals.above, registered_above),
        },
        "levels": {str(level): n for level, n in totals.levels.items()},
        "mean_score": totals.mean(),
        "median_score": _median(filters, totals.score_n),
        "dimension_means": dimension_means,
        "by_district": by_district,
        "by_industry": by_industry,
        "by_size": by_size,
        "by_above_designated_size": by_above,
        "trend": trend,
        "targets": targets_service.progress(filters, totals, registered_above),
    }


# --- the enterprise lists behind the numbers --------------------------------------------------------


@dataclass(frozen=True)
class ListQuery:
    """What an enterprise list shows: the filters plus the number it stands behind."""

    filters: Filters
    status: str = "registered"
    level: int | None = None
    target: str | None = None
    series: str = "candidates"  # candidates | verified | recognised
    search: str = ""
    sort: str = "name"
    descending: bool = False

    def as_params(self) -> dict[str, str]:
        """Query parameters that reproduce this list."""
        params = self.filters.as_params()
        params["status"] = self.status
        if self.level is not None:
            params["level"] = str(self.level)
        if self.target:
            params["target"] = self.target
            params["series"] = self.series
        if self.search:
            params["q"] = self.search
        return params


def list_query_from_args(filters: Filters, args: Mapping[str, str]) -> ListQuery:
    """Build a ListQuery from request arguments (unknown values raise FilterError)."""
    status = args.get("status") or ("assessed" if args.get("target") or args.get("level") else "registered")
    if status not in LIST_STATUSES:
        raise FilterError(f"unknown status {status!r}")
    level_raw = args.get("level") or ""
    level = int(level_raw) if level_raw.isdigit() else None
    if level_raw and level not in LEVELS:
        raise FilterError(f"unknown level {level_raw!r}")
    target = args.get("target") or None
    series = args.get("series") or "candidates"
    if series not in ("candidates", "verified", "recognised"):
        raise FilterError(f"unknown series {series!r}")
    sort = args.get("sort") or "name"
    return ListQuery(
        filters=filters,
        status=status,
        level=level,
        target=target,
        series=series,
        search=(args.get("q") or "").strip(),
        sort=sort.lstrip("-"),
        descending=sort.startswith("-"),
    )


LIST_COLUMNS = (
    Enterprise.id.label("enterprise_id"),
    Enterprise.uscc,
    Enterprise.name,
    Enterprise.district,
    Enterprise.industry_division,
    Enterprise.size_class,
    Enterprise.above_designated_size,
)
_SORTS = {
    "name": Enterprise.name,
    "uscc": Enterprise.uscc,
    "district": Enterprise.district,
    "industry": Enterprise.industry_division,
    "score": Assessment.overall_score,
    "level": Assessment.gated_level,
    "submitted": Assessment.submitted_at,
}


def _search_condition(search: str) -> ColumnElement[bool]:
    pattern = f"%{search}%"
    return or_(Enterprise.name.like(pattern), Enterprise.uscc.like(search.upper() + "%"))


def list_select(user: User, query: ListQuery, columns: Iterable[Any] | None = None) -> Select[Any]:
    """The SELECT behind a list (rows: enterprise + its assessment of the round, if any); scope enforced."""
    from portal.services import targets as targets_service
    from portal.services.enterprises import scope_enterprises

    filters = query.filters
    selected = list(columns) if columns is not None else [*LIST_COLUMNS, *_assessment_columns()]
    round_id = filters.round_id if filters.round_id is not None else -1
    target = targets_service.get_target(query.target) if query.target else None
    if query.target and target is None:
        raise ScopeError(f"unknown target {query.target!r}")

    if query.status in ("registered", "draft") or (target is not None and query.series == "recognised"):
        stmt = (
            select(*selected)
            .select_from(Enterprise)
            .outerjoin(
                Assessment,
                and_(Assessment.enterprise_id == Enterprise.id, Assessment.round_id == round_id),
            )
            .where(*enterprise_conditions(filters))
        )
        if query.status == "draft":
            stmt = stmt.where(Assessment.status.in_(("draft", "returned")))
        if target is not None and query.series == "recognised":
            stmt = stmt.where(
                Enterprise.id.in_(
                    select(RecognisedEnterprise.enterprise_id).where(
                        RecognisedEnterprise.list_id == (target.recognised_list or "")
                    )
                )
            )
    else:
        stmt = (
            select(*selected)
            .select_from(Assessment)
            .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
            .where(
                Assessment.round_id == round_id,
                Assessment.is_current.is_(True),
                *assessment_conditions(filters),
            )
        )
        if query.status in ("submitted", "verified"):
            stmt = stmt.where(Assessment.status == query.status)
        if query.level is not None:
            stmt = stmt.where(Assessment.gated_level == query.level)
        if target is not None:
            stmt = stmt.where(targets_service.rule_condition(target.rule))
            if query.series == "verified":
                stmt = stmt.where(Assessment.status == "verified")
    if query.search:
        stmt = stmt.where(_search_condition(query.search))
    return scope_enterprises(stmt, user)


def _assessment_columns() -> list[Any]:
    return [
        Assessment.id.label("assessment_id"),
        Assessment.status,
        Assessment.overall_score,
        Assessment.gated_level,
        Assessment.band_level,
        Assessment.submitted_at,
        Assessment.verified_at,
    ]


def list_count(user: User, query: ListQuery) -> int:
    """How many enterprises the list holds."""
    stmt = list_select(user, query, [literal(1).label("one")])
    return int(db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def list_page(user: User, query: ListQuery, page: int = 1, per_page: int = 50) -> list[dict[str, Any]]:
    """One page of the list as plain dicts, sorted."""
    column = _SORTS.get(query.sort, Enterprise.name)
    order = column.desc() if query.descending else column.asc()
    stmt = (
        list_select(user, query)
        .order_by(order, Enterprise.id)
        .offset(max(page - 1, 0) * per_page)
        .limit(per_page)
    )
    return [dict(row._mapping) for row in db.session.execute(stmt)]


def with_filters(filters: Filters, **changes: Any) -> Filters:
    """A copy of the filters with some values changed (breakdown links)."""
    return replace(filters, **changes)
