"""Demo assessments with plausible, scored answers (bulk insert; scoring optionally in worker processes).

Every enterprise gets a latent maturity "quality" from its USCC and the seed, so the same seed always gives
the same answers; the quality is mapped so the gated levels follow the national 2022 CMMM shares
(63 % at level 1 or below, 21 % L2, 12 % L3, 4 % L4+), and it improves a little from round to round.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Assessment, Enterprise, Round, utcnow
from portal.models_aggregates import aggregate_rounds
from portal.services import aggregates, results

Progress = Callable[[int], None]

NATIONAL_2022_SHARES = {1: 0.63, 2: 0.21, 3: 0.12, 4: 0.04}  # level 4 means "4 or above"
# Piecewise-linear map from a uniform latent draw to answer quality, calibrated by simulation
# (tests/integration/test_seed.py checks the resulting level shares). It is continuous, so the index spreads
# over the whole scale; the steep middle stretch (0.68 -> 0.73) thins out the enterprises that pass the easy
# level-2 gates but not the level-3 ones (ERP-MES integration, 等保 filing), as in the national survey.
QUALITY_KNOTS = ((0.0, 0.0), (0.68, 0.21), (0.73, 0.50), (0.97, 0.68), (1.0, 0.90))
SIZE_SHIFT = {"large": 0.10, "medium": 0.05, "small": 0.0, "micro": -0.03}
MAX_YEARLY_IMPROVEMENT = 0.04
OPEN_ROUND_SHARES = (("none", 0.12), ("draft", 0.13), ("submitted", 0.45), ("verified", 0.30))
CLOSED_ROUND_VERIFIED = 0.6
CHUNK = 2000
PARALLEL_MINIMUM = 4000  # below this many enterprises worker processes cost more than they save
DEMO_USCC_PATTERN = "91______MA%"


@dataclass(frozen=True)
class RoundSpec:
    """What a worker needs to know about a round."""

    id: int
    year: int
    index: int  # 0 for the oldest seeded round
    open: bool
    opens_on: datetime


def _interpolate(u: float) -> float:
    for (u0, q0), (u1, q1) in zip(QUALITY_KNOTS, QUALITY_KNOTS[1:], strict=False):
        if u <= u1:
            return q0 + (q1 - q0) * (u - u0) / (u1 - u0)
    return QUALITY_KNOTS[-1][1]


def base_quality(seed: int, uscc: str, size_class: str | None) -> float:
    """An enterprise's latent answer quality (0..1) in the first round (deterministic)."""
    rng = random.Random(f"quality:{seed}:{uscc}")
    u = min(0.999, max(0.0, rng.random() + SIZE_SHIFT.get(size_class or "", 0.0)))
    return _interpolate(u)


def round_quality(seed: int, uscc: str, size_class: str | None, round_index: int) -> float:
    """The quality in a later round: the base quality plus a small yearly improvement."""
    quality = base_quality(seed, uscc, size_class)
    rng = random.Random(f"improve:{seed}:{uscc}")
    for _ in range(round_index):
        quality += rng.uniform(0.0, MAX_YEARLY_IMPROVEMENT)
    return min(1.0, quality)


def _status(rng: random.Random, spec: RoundSpec) -> str:
    if not spec.open:
        return "verified" if rng.random() < CLOSED_ROUND_VERIFIED else "submitted"
    draw = rng.random()
    for status, share in OPEN_ROUND_SHARES:
        if draw < share:
            return status
        draw -= share
    return OPEN_ROUND_SHARES[-1][0]


def _partial(rng: random.Random, answers: dict[str, Any]) -> dict[str, Any]:
    keep = int(len(answers) * rng.uniform(0.2, 0.8))
    return dict(list(answers.items())[:keep])


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_EnterpriseRow = tuple[int, str, str, str, str | None, bool]  # id, uscc, district, division, size, 规上


def _build_chunk(
    args: tuple[int, Sequence[_EnterpriseRow], Sequence[RoundSpec], str, str, str | None, frozenset],
) -> tuple[list[tuple[dict[str, Any], list[tuple[str, float]]]], tuple[dict, dict, dict]]:
    """Answers, status and (for counted statuses) the scored result of each new assessment in a chunk,
    plus what the chunk's current results add to the maintained aggregates."""
    seed, enterprises, specs, questionnaire_id, version, catalogue_version, existing = args
    questionnaire, catalogue = results.definitions(questionnaire_id, version, catalogue_version)
    from scoring import random_answers, score

    now = utcnow()
    built: list[tuple[dict[str, Any], list[tuple[str, float]]]] = []
    deltas = aggregates.Deltas()
    for enterprise_id, uscc, district, division, size, above in enterprises:
        context = {
            "industry_division": division,
            "size_class": size,
            "district": district,
            "above_designated_size": bool(above),
        }
        for spec in specs:
            if (enterprise_id, spec.id) in existing:
                continue
            rng = random.Random(f"assessment:{seed}:{uscc}:{spec.year}")
            status = _status(rng, spec)
            if status == "none":
                continue
            quality = round_quality(seed, uscc, size, spec.index)
            answers = random_answers(questionnaire, rng, quality=quality, context=context)
            submitted_at = spec.opens_on + timedelta(days=rng.randint(10, 200), minutes=rng.randint(0, 1440))
            row: dict[str, Any] = {
                "enterprise_id": enterprise_id,
                "round_id": spec.id,
                "questionnaire_id": questionnaire_id,
                "questionnaire_version": version,
                "catalogue_version": catalogue_version,
                "status": status,
                "answers_meta": "{}",
                "version": 1,
                "created_at": min(now, submitted_at - timedelta(days=3)),
                "updated_at": min(now, submitted_at),
                "district": district,
                "industry_division": division,
                "size_class": size,
                "above_designated_size": bool(above),
                "is_current": status in results.COUNTED_STATUSES,
            }
            dimensions: list[tuple[str, float]] = []
            if status == "draft":
                row["answers"] = _dumps(_partial(rng, answers))
            else:
                # The summary + canonical text give exactly what to_dict() would, without building it.
                result = score(questionnaire, answers, context, catalogue=catalogue)
                row["result"] = results.stored_json(result)  # first: it computes the hash once
                summary = results.result_summary(result)
                columns = results.result_columns(summary, context)
                columns["flags"] = _dumps(columns["flags"])
                row.update(columns)
                row["answers"] = _dumps(answers)
                row["context"] = _dumps(context)
                row["submitted_at"] = min(now, submitted_at)
                if status == "verified":
                    row["verified_at"] = min(now, submitted_at + timedelta(days=rng.randint(1, 30)))
                dimensions = [
                    (entry["dimension_id"], entry["score"]) for entry in results.dimension_rows(0, summary)
                ]
                # What this current result adds to the maintained aggregates (summed in the parent).
                deltas.add(
                    aggregates.CurrentRow({**row, "above_designated_size": bool(above)}, dict(dimensions)), 1
                )
            built.append((row, dimensions))
    return built, deltas.plain()


_JSON_COLUMNS = ("answers", "answers_meta", "result", "context", "flags")
_COLUMN_NAMES = tuple(column.name for column in Assessment.__table__.columns)


def _sqlite_datetime(value: Any) -> Any:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def _insert_sql(dialect: sa.engine.Dialect) -> tuple[str, str]:
    """Driver-level INSERTs for assessments (JSON columns take pre-serialized text) and dimension rows."""
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    cast = "::json" if dialect.name == "postgresql" else ""
    values = ", ".join(marker + (cast if name in _JSON_COLUMNS else "") for name in _COLUMN_NAMES)
    assessments = f"INSERT INTO assessments ({', '.join(_COLUMN_NAMES)}) VALUES ({values})"
    dimensions = (
        "INSERT INTO assessment_dimension_scores (assessment_id, dimension_id, score) "
        f"VALUES ({marker}, {marker}, {marker})"
    )
    return assessments, dimensions


def _enterprises(usccs: Collection[str] | None) -> list[_EnterpriseRow]:
    query = sa.select(
        Enterprise.id,
        Enterprise.uscc,
        Enterprise.district,
        Enterprise.industry_division,
        Enterprise.size_class,
        Enterprise.above_designated_size,
    ).where(Enterprise.status == "approved")
    if usccs is None:
        query = query.where(Enterprise.uscc.like(DEMO_USCC_PATTERN))
    rows = [tuple(row) for row in db.session.execute(query.order_by(Enterprise.id))]
    if usccs is not None:
        wanted = set(usccs)
        rows = [row for row in rows if row[1] in wanted]
    return rows  # type: ignore[return-value]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def seed_assessments(
    seeded_rounds: Sequence[Round],
    seed: int,
    progress: Progress | None = None,
    *,
    usccs: Collection[str] | None = None,
    workers: int | None = None,
) -> int:
    """Create the missing demo assessments in `seeded_rounds`; returns how many were created; commits.

    Without `usccs`, every approved enterprise with a demo USCC (…MA nnnnnn…) takes part. Closed rounds:
    everyone submitted or verified; the newest open round: some not started, some drafts (unscored),
    the rest submitted or verified. Stored results are exactly what the engine computes.
    """
    if not seeded_rounds:
        return 0
    questionnaire_id, version, catalogue_version = results.published_versions()
    ordered = sorted(seeded_rounds, key=lambda round_: round_.year)
    specs = tuple(
        RoundSpec(
            round_.id,
            round_.year,
            index,
            round_.status == "open",
            datetime.combine(round_.opens_on, datetime.min.time()),
        )
        for index, round_ in enumerate(ordered)
    )
    enterprises = _enterprises(usccs)
    round_ids = [spec.id for spec in specs]
    existing = frozenset(
        tuple(row)
        for row in db.session.execute(
            sa.select(Assessment.enterprise_id, Assessment.round_id).where(Assessment.round_id.in_(round_ids))
        )
    )
    if len(existing) >= len(enterprises) * len(specs):
        return 0
    tasks = [
        (seed, chunk, specs, questionnaire_id, version, catalogue_version, existing)
        for chunk in _chunks(enterprises, CHUNK)
    ]
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    connection = db.session.connection()
    dialect = connection.dialect.name
    insert_assessments, insert_dimensions = _insert_sql(connection.dialect)
    next_id = (db.session.scalar(sa.select(sa.func.max(Assessment.id))) or 0) + 1
    created = 0

    deltas = aggregates.Deltas()

    def store(
        outcome: tuple[list[tuple[dict[str, Any], list[tuple[str, float]]]], tuple[dict, dict, dict]],
        chunk_size: int,
    ) -> None:
        # Plain DBAPI executemany with tuples: the ORM/Core per-row processing would cost more than scoring.
        nonlocal next_id, created
        built, chunk_deltas = outcome
        deltas.merge(chunk_deltas)
        rows: list[tuple[Any, ...]] = []
        dimension_rows: list[tuple[int, str, float]] = []
        for row, dimensions in built:
            row["id"] = next_id
            values = tuple(row.get(name) for name in _COLUMN_NAMES)
            if dialect == "sqlite":  # the text format SQLAlchemy's SQLite DateTime writes and reads
                values = tuple(_sqlite_datetime(value) for value in values)
            rows.append(values)
            dimension_rows.extend((next_id, dimension_id, score) for dimension_id, score in dimensions)
            next_id += 1
        if rows:
            connection.exec_driver_sql(insert_assessments, rows)
        if dimension_rows:
            connection.exec_driver_sql(insert_dimensions, dimension_rows)
        created += len(rows)
        if progress:
            progress(chunk_size)

    if workers > 1 and len(enterprises) >= PARALLEL_MINIMUM:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for task, built in zip(tasks, pool.imap(_build_chunk, tasks), strict=True):
                store(built, len(task[1]))
    else:
        for task in tasks:
            store(_build_chunk(task), len(task[1]))
    if created:
        # Bulk inserts bypass the services: add the new results to the maintained aggregates of rounds
        # that have them (or that had no assessments before); rebuild any other round from scratch.
        built_rounds = set(db.session.scalars(sa.select(aggregate_rounds.c.round_id)))
        had_rows = {round_id for _, round_id in existing}
        fresh = [spec.id for spec in specs if spec.id not in built_rounds and spec.id not in had_rows]
        stale = [spec.id for spec in specs if spec.id not in built_rounds and spec.id in had_rows]
        deltas.flush()
        for round_id in stale:
            aggregates.rebuild_aggregates(round_id)
        if fresh:
            db.session.execute(
                aggregate_rounds.insert(),
                [{"round_id": round_id, "rebuilt_at": utcnow()} for round_id in fresh],
            )
    if dialect == "postgresql" and created:
        db.session.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('assessments', 'id'), :value)"),
            {"value": next_id - 1},
        )
    db.session.commit()
    return created
