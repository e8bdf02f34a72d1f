"""Officials' aggregates and the enterprise lists behind every number, scoped and filtered together.

The scope of the official is an implicit filter: a district official always gets their own district and
asking for another one is a ScopeError (404). Aggregates come from the group totals maintained in the
database (services/aggregates.py): a few small GROUP BY queries over them (totals, trend, breakdowns,
dimension means), the median from the maintained score histogram, one grouped count of enterprises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, literal, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement

from portal import reference
from portal.extensions import db
from portal.models import Assessment, Enterprise, Round, User
from portal.models_aggregates import TOTAL_MEASURES, aggregate_totals, dimension_totals
from portal.models_officials import RecognisedEnterprise
from portal.services import aggregates

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
        if not (raw_round.isascii() and raw_round.isdigit() and len(raw_round) <= 9):
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


# The dashboard reads the maintained group totals (services/aggregates.py, tables aggregate_totals and
# aggregate_dimension_totals): a few hundred rows per round, updated in the transaction of every change
# of a current result, so every process sees the same exact figures right after a submission.
_UNKNOWN = {"district": "", "industry_division": "", "size_class": ""}


def _totals_conditions(table: Any, filters: Filters, *, round_only: bool = True) -> list[ColumnElement[bool]]:
    """Filter predicates on a totals table (its key columns hold '' / -1 for unknown values)."""
    conditions: list[ColumnElement[bool]] = []
    if round_only:
        conditions.append(table.c.round_id == (filters.round_id if filters.round_id is not None else -1))
    if filters.district:
        conditions.append(table.c.district == filters.district)
    if filters.industry:
        conditions.append(table.c.industry_division == filters.industry)
    if filters.size:
        conditions.append(table.c.size_class == filters.size)
    if filters.above_designated_size is not None:
        conditions.append(table.c.above == int(filters.above_designated_size))
    return conditions


def _key_value(name: str, value: Any) -> Any:
    if name == "above":
        return None if value == -1 else bool(value)
    if name in _UNKNOWN:
        return value or None
    return value


def _grouped(
    filters: Filters, by: str | None, *, round_only: bool = True, full: bool = False
) -> dict[Any, _Acc]:
    """Running sums per value of `by` (None: one group) over the totals rows under the filters.

    Without `full` only counts, index sums, levels and 规上 counts (what breakdowns and the trend show).
    """
    table = aggregate_totals
    fine = [table.c.status, table.c.gated_level, table.c.above]
    if full:
        fine.append(table.c.size_class)
    keys = ([table.c[by]] if by else []) + fine
    names = list(TOTAL_MEASURES) if full else ["n", "score_n", "score_tenths"]
    measures = [func.sum(table.c[name]).label(name) for name in names]
    query = (
        select(*keys, *measures)
        .where(table.c.n != 0, *_totals_conditions(table, filters, round_only=round_only))
        .group_by(*keys)
    )
    groups: dict[Any, _Acc] = defaultdict(_Acc)
    for row in db.session.execute(query):
        values = row._mapping
        record: dict[str, Any] = {
            "n": values["n"],
            "status": values["status"],
            "level": values["gated_level"] or None,
            "above": values["above"] == 1,
            "size_class": (values["size_class"] or None) if full else None,
            "score_sum": int(values["score_tenths"] or 0) / 10,
            "score_n": values["score_n"],
        }
        for name, label in TOTAL_MEASURES.items() if full else ():
            if ":" in label:
                value = int(values[name] or 0)
                record[label] = value / 1_000_000 if name == "nc_micro" else value
        key = _key_value(by, values[by]) if by else None
        if int(values["n"] or 0):
            _add(groups[key], record)
    return groups


def _dimension_means(filters: Filters) -> dict[str, float]:
    table = dimension_totals
    query = (
        select(table.c.dimension_id, func.sum(table.c.score_tenths), func.sum(table.c.n))
        .where(*_totals_conditions(table, filters))
        .group_by(table.c.dimension_id)
        .order_by(table.c.dimension_id)
    )
    return {
        dimension_id: round(int(total) / 10 / int(n), 1)
        for dimension_id, total, n in db.session.execute(query)
        if n
    }


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
    """Median overall index of the round's current assessments.

    From the maintained histogram when at most one of district / industry / size / 规上 is filtered
    (at most ~1001 rows); for a combination of filters an ordered offset over the index range.
    """
    if count == 0 or filters.round_id is None:
        return None
    chosen = [
        (kind, value)
        for kind, value in (
            ("district", filters.district),
            ("industry", filters.industry),
            ("size", filters.size),
            (
                "above",
                None if filters.above_designated_size is None else str(int(filters.above_designated_size)),
            ),
        )
        if value is not None
    ]
    if len(chosen) <= 1:
        kind, value = chosen[0] if chosen else ("city", "")
        median = aggregates.histogram_median(aggregates.histogram(filters.round_id, None, kind, value))
        return None if median is None else round(median, 1)
    # A combination of filters: the matching rows' scores counted per value (index range on the
    # aggregate index, then a histogram of at most ~1001 values) -- an ORDER BY ... OFFSET here made
    # SQLite walk the score order of the whole round.
    # "score + 0" and no range on the score: the planner takes the covering index of the filter
    # columns (ix_assessments_current_groups) instead of walking the score index of the whole round.
    score = (Assessment.overall_score + literal_column("0")).label("score")
    counts = db.session.execute(
        select(score, func.count())
        .where(
            Assessment.round_id == filters.round_id,
            Assessment.is_current.is_(True),
            *assessment_conditions(filters),
        )
        .group_by(score)
    ).all()
    median = aggregates.histogram_median(
        {aggregates.tenths(float(value)): int(n) for value, n in counts if value is not None}
    )
    return None if median is None else round(median, 1)


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

    aggregates.ensure_rounds()
    totals = _grouped(filters, None, full=True).get(None, _Acc())
    per_round = {
        key: acc for key, acc in _grouped(filters, "round_id", round_only=False).items() if acc.assessed
    }
    breakdowns: dict[str, dict[Any, _Acc]] = {
        "d": _grouped(filters, "district"),
        "i": _grouped(filters, "industry_division"),
        "s": _grouped(filters, "size_class"),
        "a": _grouped(filters, "above"),
    }
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
    dimension_means = _dimension_means(filters)
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
