"""Maintained aggregates of current results, kept in the database in the same transaction as every change.

Three tables (portal/models_aggregates.py): score histograms per peer group (peer benchmark, medians),
dashboard group totals, and dimension totals. Every change of a counted ("current") result goes through
`apply_current_change(old, new)` (or `apply_changes` for batches): it subtracts the old row's contribution
and adds the new one with upserts `count = count + delta`, so concurrent writers on several processes stay
exact. `rebuild_aggregates` recomputes everything with INSERT ... SELECT ... GROUP BY. A round without a row
in aggregate_rounds (new database, rows written behind the services' back) is rebuilt on first read.

How a transition is hooked: the service calls `remember(assessment)` before it changes anything, and
results.refresh_current (which every transition ends with) compares the remembered row with the stored one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore, Round, utcnow
from portal.models_aggregates import (
    DIMENSION_KEYS,
    FLAG_MEASURES,
    HISTOGRAM_KEYS,
    LAYER_MEASURES,
    SYSTEM_MEASURES,
    TOTAL_KEYS,
    TOTAL_MEASURES,
    aggregate_rounds,
    aggregate_totals,
    dimension_totals,
    score_histogram,
)
from scoring.benchmark import SECTOR_FAMILIES

COUNTED = ("submitted", "verified")
# Peer groups with a histogram of the overall index; dimension histograms only where the peer
# benchmark's radar overlay needs them (the group the industry chain uses).
OVERALL_KINDS = ("industry", "sector", "size", "district", "above", "city")
DIMENSION_KINDS = ("industry", "sector", "city")
DIVISION_FAMILY = {
    f"{number:02d}": family for family, (_, numbers) in SECTOR_FAMILIES.items() for number in numbers
}
_REMEMBERED = "aggregates_remembered"

SNAPSHOT_COLUMNS = (
    Assessment.id,
    Assessment.round_id,
    Assessment.questionnaire_id,
    Assessment.status,
    Assessment.district,
    Assessment.industry_division,
    Assessment.size_class,
    Assessment.above_designated_size,
    Assessment.gated_level,
    Assessment.overall_score,
    Assessment.cloud_layer,
    Assessment.nc_rate,
    *(getattr(Assessment, name) for name in FLAG_MEASURES),
    *(getattr(Assessment, name) for name in SYSTEM_MEASURES),
)


@dataclass(frozen=True)
class CurrentRow:
    """What one current (counted) result contributes to the aggregates."""

    values: Mapping[str, Any]
    dimensions: Mapping[str, float] = field(default_factory=dict)


def tenths(value: float) -> int:
    """A score in tenths, rounded half up like SQL round() (scores are 0.1 steps already)."""
    return int(value * 10 + 0.5) if value >= 0 else -int(-value * 10 + 0.5)


def micro(value: float) -> int:
    """A rate in millionths, rounded half up like SQL round()."""
    return int(value * 1_000_000 + 0.5) if value >= 0 else -int(-value * 1_000_000 + 0.5)


def _above(value: bool | None) -> int:
    return -1 if value is None else int(bool(value))


def snapshots(assessment_ids: Iterable[int]) -> dict[int, CurrentRow]:
    """The stored contribution of each given assessment that is current now (others are left out)."""
    ids = list(assessment_ids)
    found: dict[int, CurrentRow] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        rows = db.session.execute(
            sa.select(*SNAPSHOT_COLUMNS).where(Assessment.id.in_(part), Assessment.is_current.is_(True))
        ).all()
        if not rows:
            continue
        dims: dict[int, dict[str, float]] = defaultdict(dict)
        for assessment_id, dimension_id, score in db.session.execute(
            sa.select(
                AssessmentDimensionScore.assessment_id,
                AssessmentDimensionScore.dimension_id,
                AssessmentDimensionScore.score,
            ).where(AssessmentDimensionScore.assessment_id.in_([row.id for row in rows]))
        ):
            if score is not None:
                dims[assessment_id][dimension_id] = float(score)
        for row in rows:
            found[row.id] = CurrentRow(dict(row._mapping), dims.get(row.id, {}))
    return found


def snapshot(assessment_id: int) -> CurrentRow | None:
    """The stored contribution of one assessment, or None when it is not current."""
    return snapshots([assessment_id]).get(assessment_id)


def remember(assessment: Assessment) -> None:
    """Note an assessment's stored contribution before a service changes it (no flush of pending changes)."""
    remembered = db.session.info.setdefault(_REMEMBERED, {})
    if assessment.id is None or assessment.id in remembered:
        return
    with db.session.no_autoflush:
        remembered[assessment.id] = snapshot(assessment.id)


def forget_all() -> None:
    """Drop remembered contributions (after a commit or rollback)."""
    db.session.info.pop(_REMEMBERED, None)


def take_remembered(assessment_id: int) -> tuple[bool, CurrentRow | None]:
    """(was it remembered, the contribution remembered) for one assessment; forgets it."""
    remembered = db.session.info.get(_REMEMBERED, {})
    if assessment_id in remembered:
        return True, remembered.pop(assessment_id)
    return False, None


# --- deltas ------------------------------------------------------------------------------------------


@dataclass
class Deltas:
    """Pending changes of the three tables, keyed by their primary keys."""

    histogram: dict[tuple[Any, ...], int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[tuple[Any, ...], list[int]] = field(default_factory=dict)
    dimensions: dict[tuple[Any, ...], list[int]] = field(default_factory=dict)

    def add(self, row: CurrentRow, sign: int) -> None:
        """Add (sign 1) or subtract (sign -1) one current result's contribution."""
        v = row.values
        coarse = (
            v["round_id"],
            v["district"] or "",
            v["industry_division"] or "",
            v["size_class"] or "",
            _above(v["above_designated_size"]),
        )
        status = "verified" if v["status"] == "verified" else "submitted"
        measures = _measures(v)
        key = (*coarse, status, v["gated_level"] or 0)
        vector = self.totals.setdefault(key, [0] * len(measures))
        for index, value in enumerate(measures):
            vector[index] += sign * value
        for dimension_id, score in row.dimensions.items():
            pair = self.dimensions.setdefault((*coarse, dimension_id), [0, 0])
            pair[0] += sign * tenths(score)
            pair[1] += sign
        if v["overall_score"] is None:
            return
        groups = _groups(v)
        for kind, value in groups:
            self.histogram[
                (v["round_id"], v["questionnaire_id"], kind, value, "", tenths(v["overall_score"]))
            ] += sign
        for kind, value in groups:
            if kind in DIMENSION_KINDS:
                for dimension_id, score in row.dimensions.items():
                    key = (v["round_id"], v["questionnaire_id"], kind, value, dimension_id, tenths(score))
                    self.histogram[key] += sign

    def plain(self) -> tuple[dict, dict, dict]:
        """The pending deltas as plain dicts (picklable: worker processes return them)."""
        return dict(self.histogram), dict(self.totals), dict(self.dimensions)

    def merge(self, plain: tuple[dict, dict, dict]) -> None:
        """Add deltas returned by `plain()` (of another process)."""
        histogram, totals, dimensions = plain
        for key, delta in histogram.items():
            self.histogram[key] += delta
        for target, source in ((self.totals, totals), (self.dimensions, dimensions)):
            for key, vector in source.items():
                mine = target.get(key)
                if mine is None:
                    target[key] = list(vector)
                else:
                    for index, value in enumerate(vector):
                        mine[index] += value

    def flush(self) -> None:
        """Write the non-zero deltas with upserts (sorted keys: concurrent writers lock in one order)."""
        histogram = [
            dict(zip(HISTOGRAM_KEYS, key, strict=True), count=delta)
            for key, delta in sorted(self.histogram.items())
            if delta
        ]
        _upsert(score_histogram, HISTOGRAM_KEYS, ("count",), histogram)
        totals = [
            {**dict(zip(TOTAL_KEYS, key, strict=True)), **dict(zip(TOTAL_MEASURES, vector, strict=True))}
            for key, vector in sorted(self.totals.items())
            if any(vector)
        ]
        _upsert(aggregate_totals, TOTAL_KEYS, tuple(TOTAL_MEASURES), totals)
        dims = [
            {**dict(zip(DIMENSION_KEYS, key, strict=True)), "score_tenths": pair[0], "n": pair[1]}
            for key, pair in sorted(self.dimensions.items())
            if any(pair)
        ]
        _upsert(dimension_totals, DIMENSION_KEYS, ("score_tenths", "n"), dims)
        self.histogram.clear()
        self.totals.clear()
        self.dimensions.clear()


def _measures(v: Mapping[str, Any]) -> list[int]:
    score = v["overall_score"]
    nc = v["nc_rate"]
    values = [1, int(score is not None), tenths(score) if score is not None else 0]
    values += [int(v[name] is True) for name in FLAG_MEASURES]
    values += [int(v["cloud_layer"] == layer) for layer in LAYER_MEASURES]
    values += [int(v[name] is True) for name in SYSTEM_MEASURES]
    values += [int(v[name] is not None) for name in SYSTEM_MEASURES]
    values += [micro(nc) if nc is not None else 0, int(nc is not None)]
    return values


def _groups(v: Mapping[str, Any]) -> list[tuple[str, str]]:
    groups: list[tuple[str, str]] = []
    division = v["industry_division"]
    if division:
        groups.append(("industry", division))
        family = DIVISION_FAMILY.get(division[:2])
        if family:
            groups.append(("sector", family))
    if v["size_class"]:
        groups.append(("size", v["size_class"]))
    if v["district"]:
        groups.append(("district", v["district"]))
    if v["above_designated_size"] is not None:
        groups.append(("above", str(int(bool(v["above_designated_size"])))))
    groups.append(("city", ""))
    return groups


def _upsert(
    table: sa.Table, keys: Sequence[str], measures: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in keys],
        set_={name: table.c[name] + statement.excluded[name] for name in measures},
    )
    db.session.execute(statement, rows)


def apply_changes(pairs: Iterable[tuple[CurrentRow | None, CurrentRow | None]]) -> None:
    """Apply many (old, new) contribution pairs in one batch of upserts; no commit."""
    deltas = Deltas()
    for old, new in pairs:
        if old is not None:
            deltas.add(old, -1)
        if new is not None:
            deltas.add(new, 1)
    deltas.flush()


def apply_current_change(old_row: CurrentRow | None, new_row: CurrentRow | None) -> None:
    """Subtract the old contribution of a result and add the new one (either may be None); no commit."""
    apply_changes([(old_row, new_row)])


def after_refresh(assessment_ids: Iterable[int], before: Mapping[int, CurrentRow | None]) -> None:
    """Apply the change of the given assessments: `before` holds their contributions before the change."""
    ids = list(assessment_ids)
    after = snapshots(ids)
    apply_changes((before.get(assessment_id), after.get(assessment_id)) for assessment_id in ids)


# --- rebuilding -------------------------------------------------------------------------------------


def _sql_tenths(column: Any, factor: int = 10) -> Any:
    return sa.cast(sa.func.round(column * sa.literal_column(str(factor))), sa.BigInteger)


def _group_values() -> dict[str, Any]:
    above = Assessment.above_designated_size
    return {
        "industry": Assessment.industry_division,
        "sector": sa.case(
            DIVISION_FAMILY, value=sa.func.substr(Assessment.industry_division, 1, 2), else_=None
        ),
        "size": Assessment.size_class,
        "district": Assessment.district,
        "above": sa.case((above.is_(None), None), (above.is_(True), "1"), else_="0"),
        "city": sa.literal(""),
    }


def _base(conditions: list[Any], *, dimensions: bool) -> Any:
    """The current rows with every key computed once (labelled), as a subquery to group by."""
    above = Assessment.above_designated_size
    columns: list[Any] = [
        Assessment.round_id.label("round_id"),
        Assessment.questionnaire_id.label("questionnaire_id"),
        sa.func.coalesce(Assessment.district, "").label("district"),
        sa.func.coalesce(Assessment.industry_division, "").label("industry_division"),
        sa.func.coalesce(Assessment.size_class, "").label("size_class"),
        sa.case((above.is_(None), -1), (above.is_(True), 1), else_=0).label("above"),
        sa.case((Assessment.status == "verified", "verified"), else_="submitted").label("status"),
        sa.func.coalesce(Assessment.gated_level, 0).label("gated_level"),
        *(value.label(f"v_{kind}") for kind, value in _group_values().items()),
    ]
    query = sa.select(*columns).where(Assessment.is_current.is_(True), *conditions)
    if dimensions:
        dimension = AssessmentDimensionScore
        query = query.join(dimension, dimension.assessment_id == Assessment.id).where(
            dimension.score.is_not(None)
        )
        query = query.add_columns(
            dimension.dimension_id.label("dimension_id"),
            _sql_tenths(dimension.score).label("t"),
            Assessment.overall_score.label("score"),
        )
    else:
        query = query.add_columns(
            Assessment.overall_score.label("score"),
            _sql_tenths(Assessment.overall_score).label("t"),
            sa.cast(sa.func.round(Assessment.nc_rate * sa.literal_column("1000000")), sa.BigInteger).label(
                "nc"
            ),
            Assessment.cloud_layer.label("cloud_layer"),
            *(getattr(Assessment, name).label(name) for name in (*FLAG_MEASURES, *SYSTEM_MEASURES)),
        )
    return query.subquery()


def _true(column: Any) -> Any:
    return sa.func.sum(sa.case((column.is_(True), 1), else_=0))


def rebuild_aggregates(round_id: int | None = None) -> None:
    """Recompute every aggregate (of one round, or all) from the stored current results; no commit."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Writers wait until the rebuilt rows are committed (their deltas then apply on top).
        session.execute(
            sa.text(
                "LOCK TABLE aggregate_score_histogram, aggregate_totals, aggregate_dimension_totals, "
                "aggregate_rounds IN SHARE ROW EXCLUSIVE MODE"
            )
        )
    rounds = [round_id] if round_id is not None else list(session.scalars(sa.select(Round.id)))
    for table in (score_histogram, aggregate_totals, dimension_totals, aggregate_rounds):
        statement = table.delete()
        if round_id is not None:
            statement = statement.where(table.c.round_id == round_id)
        session.execute(statement)
    conditions = [] if round_id is None else [Assessment.round_id == round_id]

    rows = _base(conditions, dimensions=False)
    coarse = [rows.c.round_id, rows.c.district, rows.c.industry_division, rows.c.size_class, rows.c.above]
    keys = [*coarse, rows.c.status, rows.c.gated_level]
    measures: list[Any] = [
        sa.func.count(),
        sa.func.count(rows.c.score),
        sa.func.coalesce(sa.func.sum(rows.c.t), 0),
        *(_true(rows.c[name]) for name in FLAG_MEASURES),
        *(sa.func.sum(sa.case((rows.c.cloud_layer == layer, 1), else_=0)) for layer in LAYER_MEASURES),
        *(_true(rows.c[name]) for name in SYSTEM_MEASURES),
        *(sa.func.count(rows.c[name]) for name in SYSTEM_MEASURES),
        sa.func.coalesce(sa.func.sum(rows.c.nc), 0),
        sa.func.count(rows.c.nc),
    ]
    session.execute(
        aggregate_totals.insert().from_select(
            [*TOTAL_KEYS, *TOTAL_MEASURES], sa.select(*keys, *measures).group_by(*keys)
        )
    )
    dims = _base(conditions, dimensions=True)
    dim_coarse = [dims.c.round_id, dims.c.district, dims.c.industry_division, dims.c.size_class, dims.c.above]
    session.execute(
        dimension_totals.insert().from_select(
            [*DIMENSION_KEYS, "score_tenths", "n"],
            sa.select(*dim_coarse, dims.c.dimension_id, sa.func.sum(dims.c.t), sa.func.count()).group_by(
                *dim_coarse, dims.c.dimension_id
            ),
        )
    )
    for kind in OVERALL_KINDS:
        sources = [(rows, sa.literal(""))]
        if kind in DIMENSION_KINDS:
            sources.append((dims, dims.c.dimension_id))
        for source, dimension_id in sources:
            value = source.c[f"v_{kind}"]
            group = [source.c.round_id, source.c.questionnaire_id, value, source.c.t]
            if source is dims:
                group.insert(3, dimension_id)
            query = sa.select(
                source.c.round_id,
                source.c.questionnaire_id,
                sa.literal(kind),
                value,
                dimension_id,
                source.c.t,
                sa.func.count(),
            ).where(value.is_not(None), source.c.t.is_not(None), source.c.score.is_not(None))
            session.execute(
                score_histogram.insert().from_select([*HISTOGRAM_KEYS, "count"], query.group_by(*group))
            )
    now = utcnow()
    if rounds:
        session.execute(aggregate_rounds.insert(), [{"round_id": rid, "rebuilt_at": now} for rid in rounds])


def ensure_rounds(round_ids: Iterable[int] | None = None) -> None:
    """Rebuild the aggregates of rounds never built (given ones, or all); commits when the session is clean.

    A new database (or rows written without the services) has no aggregates yet: the first reader builds
    them once, in the database, for every process.
    """
    wanted = sa.select(Round.id)
    if round_ids is not None:
        ids = [rid for rid in round_ids if rid is not None]
        if not ids:
            return
        wanted = wanted.where(Round.id.in_(ids))
    missing = list(db.session.scalars(wanted.where(~Round.id.in_(sa.select(aggregate_rounds.c.round_id)))))
    if not missing:
        return
    clean = not (db.session.new or db.session.dirty or db.session.deleted) and not db.session.info.get(
        _REMEMBERED
    )
    for round_id in missing:
        rebuild_aggregates(round_id)
    if clean:
        db.session.commit()


# --- reading -----------------------------------------------------------------------------------------


def histogram(
    round_id: int, questionnaire_id: str | None, kind: str, value: str, dimension_id: str = ""
) -> dict[int, int]:
    """Score tenths -> count for one group (all questionnaires when questionnaire_id is None)."""
    h = score_histogram.c
    query = (
        sa.select(h.score_tenths, sa.func.sum(h.count))
        .where(
            h.round_id == round_id,
            h.group_kind == kind,
            h.group_value == value,
            h.dimension_id == dimension_id,
        )
        .group_by(h.score_tenths)
        .having(sa.func.sum(h.count) > 0)
    )
    if questionnaire_id is not None:
        query = query.where(h.questionnaire_id == questionnaire_id)
    return {int(score): int(count) for score, count in db.session.execute(query)}


def histogram_median(counts: Mapping[int, int]) -> float | None:
    """The median score (in points, not tenths) of a histogram, or None when empty."""
    total = sum(counts.values())
    if total == 0:
        return None
    low_index, high_index = (total - 1) // 2, total // 2
    seen = 0
    low = high = None
    for score in sorted(counts):
        seen += counts[score]
        if low is None and seen > low_index:
            low = score
        if seen > high_index:
            high = score
            break
    return (low + high) / 20  # type: ignore[operator]


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_rollback")
def _forget_remembered(session: Session) -> None:
    session.info.pop(_REMEMBERED, None)
