"""The one place that scores an assessment and stores its result (JSON, aggregation columns, dimension rows)."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, insert, select, update

import questionnaires
import scoring
from portal.extensions import db
from portal.models import Assessment, AssessmentDimensionScore, Enterprise, Setting, utcnow
from questionnaires.model import Catalogue, Questionnaire

DEFAULT_QUESTIONNAIRE_ID = "ezhou-dmi"
SETTING_QUESTIONNAIRE_ID = "published_questionnaire_id"
SETTING_QUESTIONNAIRE_VERSION = "published_questionnaire_version"
SETTING_CATALOGUE_VERSION = "published_catalogue_version"
COUNTED_STATUSES = ("submitted", "verified")

# Plan flags stored as their own boolean columns (the rest live in the `flags` JSON only).
FLAG_COLUMNS = (
    "cloud_enterprise",
    "integration_demo_candidate",
    "smart_factory_candidate",
    "fiveg_factory_candidate",
    "identifier_adopter",
    "mlps_filed",
    "mlps_passed",
)
# Assessment column <- indicator id.
INDICATOR_COLUMNS = {
    "cloud_layer": "cloud_layer",
    "equipment_digitization_rate": "equipment_digitization_rate",
    "equipment_networking_rate": "equipment_networking_rate",
    "nc_rate": "key_process_nc_rate",
    "uses_erp": "uses_erp",
    "uses_mes": "uses_mes",
    "uses_plm": "uses_plm",
    "uses_scm": "uses_scm",
}
CONTEXT_COLUMNS = ("district", "industry_division", "size_class", "above_designated_size")


def scoring_context(enterprise: Enterprise) -> dict[str, Any]:
    """The enterprise profile the engine scores with (snapshotted on the assessment)."""
    return {
        "industry_division": enterprise.industry_division,
        "size_class": enterprise.size_class,
        "district": enterprise.district,
        "above_designated_size": bool(enterprise.above_designated_size),
    }


def _as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _as_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def result_columns(result: Mapping[str, Any], context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The Assessment aggregation columns for a `Result.to_dict()` (pure; used by bulk seeding too).

    `context` is the snapshotted scoring context; without it the result's own context is used.
    """
    plan_flags = result.get("plan_flags") or {}
    indicators = result.get("indicators") or {}
    level = result.get("level") or {}
    source = context if context is not None else (result.get("context") or {})
    columns: dict[str, Any] = {
        "overall_score": result.get("overall_score"),
        "band_level": level.get("band"),
        "gated_level": level.get("gated"),
        "flags": {flag_id: bool(flag.get("value")) for flag_id, flag in plan_flags.items()},
        "engine_version": result.get("engine_version"),
        "result_hash": result.get("result_hash"),
    }
    for column in FLAG_COLUMNS:
        flag = plan_flags.get(column)
        columns[column] = None if flag is None else bool(flag.get("value"))
    for column, indicator_id in INDICATOR_COLUMNS.items():
        value = indicators.get(indicator_id)
        if column == "cloud_layer":
            columns[column] = None if value is None else str(value)
        elif column.startswith("uses_"):
            columns[column] = _as_bool(value)
        else:
            columns[column] = _as_float(value)
    for column in CONTEXT_COLUMNS:
        value = source.get(column)
        columns[column] = _as_bool(value) if column == "above_designated_size" else value
    return columns


def dimension_rows(assessment_id: int, result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows for assessment_dimension_scores (dimensions without a score are left out; pure)."""
    return [
        {"assessment_id": assessment_id, "dimension_id": dimension["id"], "score": float(dimension["score"])}
        for dimension in result.get("dimensions") or ()
        if dimension.get("score") is not None
    ]


def _setting(key: str) -> str | None:
    return db.session.scalar(select(Setting.value).where(Setting.key == key))


def published_versions() -> tuple[str, str, str | None]:
    """(questionnaire id, version, catalogue version) new assessments use: Settings, else the newest files."""
    questionnaire_id = _setting(SETTING_QUESTIONNAIRE_ID) or DEFAULT_QUESTIONNAIRE_ID
    version = _setting(SETTING_QUESTIONNAIRE_VERSION) or questionnaires.current(questionnaire_id).version
    catalogue_version = _setting(SETTING_CATALOGUE_VERSION)
    if catalogue_version is None:
        try:
            catalogue_version = questionnaires.current_catalogue(questionnaire_id).version
        except questionnaires.QuestionnaireNotFound:
            catalogue_version = None
    return questionnaire_id, version, catalogue_version


def definitions(
    questionnaire_id: str, version: str, catalogue_version: str | None
) -> tuple[Questionnaire, Catalogue | None]:
    """The questionnaire and catalogue an assessment is scored with (the loader caches them)."""
    questionnaire = questionnaires.load(questionnaire_id, version)
    catalogue = (
        questionnaires.load_catalogue(questionnaire_id, catalogue_version) if catalogue_version else None
    )
    return questionnaire, catalogue


def compute(
    questionnaire: Questionnaire,
    catalogue: Catalogue | None,
    answers: Mapping[str, Any],
    context: Mapping[str, Any],
    *,
    allow_incomplete: bool = False,
) -> dict[str, Any]:
    """Score one answer set and return `Result.to_dict()` (the stored JSON)."""
    return scoring.score(
        questionnaire, answers, context, catalogue=catalogue, allow_incomplete=allow_incomplete
    ).to_dict()


def result_summary(result: scoring.Result) -> dict[str, Any]:
    """The parts of `Result.to_dict()` that `result_columns` and `dimension_rows` read (cheap, no full dict)."""
    return {
        "overall_score": result.overall_score,
        "level": {"band": result.level.band, "gated": result.level.gated},
        "plan_flags": {flag_id: {"value": flag.value} for flag_id, flag in result.plan_flags.items()},
        "indicators": result.indicators,
        "engine_version": result.engine_version,
        "result_hash": result.result_hash,
        "context": result.context,
        "dimensions": [{"id": dimension.id, "score": dimension.score} for dimension in result.dimensions],
    }


def stored_json(result: scoring.Result) -> str:
    """The JSON text of `result.to_dict()` (same content), built from the engine's canonical JSON."""
    canonical = result.canonical_json()
    digest = result.__dict__.get("result_hash")
    if digest is None:
        # result_hash is by definition the SHA-256 of this canonical text: compute it once, here, and
        # hand it to the cached property instead of serialising the result a second time.
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        result.__dict__["result_hash"] = digest
    return f'{canonical[:-1]},"result_hash":"{digest}"}}'


def store_result(assessment: Assessment, result: dict[str, Any]) -> None:
    """Write a result onto an assessment: JSON, columns and dimension rows (replaced); no commit."""
    assessment.result = result
    for column, value in result_columns(result, assessment.context).items():
        setattr(assessment, column, value)
    if assessment.id is None:
        db.session.flush()
    db.session.execute(
        delete(AssessmentDimensionScore).where(AssessmentDimensionScore.assessment_id == assessment.id)
    )
    rows = dimension_rows(assessment.id, result)
    if rows:
        db.session.execute(insert(AssessmentDimensionScore), rows)
    db.session.expire(assessment, ["dimension_scores"])


def score_and_store(
    assessment: Assessment,
    *,
    answers: Mapping[str, Any] | None = None,
    allow_incomplete: bool = False,
) -> dict[str, Any]:
    """Score the answers and store the result; the caller commits.

    Without `answers` the assessment's own answers are scored and the enterprise's context is snapshotted
    anew. With `answers` (a reviewer's corrected set) those are scored against the context snapshotted at
    submission, so a verification does not re-read a profile edited since.
    Raises questionnaires.AnswerValidationError or scoring.IncompleteAnswersError (nothing is written then).
    """
    if assessment.catalogue_version is None:
        _, _, assessment.catalogue_version = published_versions()
    questionnaire, catalogue = definitions(
        assessment.questionnaire_id, assessment.questionnaire_version, assessment.catalogue_version
    )
    if answers is not None and assessment.context:
        context = dict(assessment.context)
    else:
        enterprise = assessment.enterprise
        if enterprise is None:
            enterprise = db.session.get(Enterprise, assessment.enterprise_id)
        context = scoring_context(enterprise)
    scored = (assessment.answers or {}) if answers is None else answers
    from portal.services import aggregates

    aggregates.remember(assessment)  # a current result's old contribution leaves the aggregates
    result = compute(questionnaire, catalogue, scored, context, allow_incomplete=allow_incomplete)
    assessment.context = context
    store_result(assessment, result)
    return result


def refresh_current(enterprise_id: int, round_id: int) -> None:
    """Mark the enterprise's counted assessment of the round (submitted or verified) as current; no commit.

    Also moves the assessment's contribution in the maintained aggregates (same transaction): from what
    `aggregates.remember` noted before the change (else the stored row as of now) to the stored row after.
    """
    from portal.services import aggregates

    ids = list(
        db.session.scalars(
            select(Assessment.id).where(
                Assessment.enterprise_id == enterprise_id, Assessment.round_id == round_id
            )
        )
    )
    before: dict[int, aggregates.CurrentRow | None] = {}
    for assessment_id in ids:
        remembered, row = aggregates.take_remembered(assessment_id)
        if not remembered:
            with db.session.no_autoflush:
                row = aggregates.snapshot(assessment_id)
        before[assessment_id] = row
    db.session.execute(
        update(Assessment)
        .where(Assessment.enterprise_id == enterprise_id, Assessment.round_id == round_id)
        .values(is_current=Assessment.status.in_(COUNTED_STATUSES), updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    aggregates.after_refresh(ids, before)


# --- rescoring -----------------------------------------------------------------------------------

RESCORE_BATCH = 2000
PARALLEL_RESCORE_MINIMUM = 5000
_Stored = tuple[int, str, str, str, str | None, Any, Any, str | None]


@dataclass
class RescoreReport:
    """What a rescore run found; `verified_differences` lists (id, stored, new) overall/level pairs."""

    scored: int = 0
    changed: int = 0
    verified_differing: int = 0
    failed: int = 0
    dry_run: bool = False
    verified_differences: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        """The one-line summary the CLI prints."""
        changed = "would change" if self.dry_run else "changed"
        text = (
            f"{self.scored} scored, {self.changed} {changed}, "
            f"{self.verified_differing} verified differing (not changed)"
        )
        return text + (f", {self.failed} failed" if self.failed else "")


def _load_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _rescore_batch(batch: list[_Stored]) -> list[tuple[int, str, dict[str, Any] | None, str | None]]:
    """Score stored answers again: (id, new hash, new result when it differs, error)."""
    done: list[tuple[int, str, dict[str, Any] | None, str | None]] = []
    for assessment_id, _, questionnaire_id, version, catalogue_version, answers, context, old in batch:
        try:
            questionnaire, catalogue = definitions(questionnaire_id, version, catalogue_version)
            result = scoring.score(
                questionnaire, _load_json(answers) or {}, _load_json(context) or {}, catalogue=catalogue
            )
        except (scoring.ScoringError, questionnaires.AnswerValidationError, LookupError) as error:
            done.append((assessment_id, "", None, f"{type(error).__name__}: {error}"))
            continue
        new_hash = result.result_hash
        done.append((assessment_id, new_hash, None if new_hash == old else result.to_dict(), None))
    return done


def _stored_batches(
    questionnaire_id: str | None, version: str | None, batch_size: int
) -> Iterator[list[_Stored]]:
    """Stream the counted, scored assessments in id order, one batch at a time (keyset pagination)."""
    columns = sa.select(
        Assessment.id,
        Assessment.status,
        Assessment.questionnaire_id,
        Assessment.questionnaire_version,
        Assessment.catalogue_version,
        sa.type_coerce(Assessment.answers, sa.Text),
        sa.type_coerce(Assessment.context, sa.Text),
        Assessment.result_hash,
    ).where(Assessment.status.in_(COUNTED_STATUSES), Assessment.result_hash.is_not(None))
    if questionnaire_id:
        columns = columns.where(Assessment.questionnaire_id == questionnaire_id)
    if version:
        columns = columns.where(Assessment.questionnaire_version == version)
    last_id = 0
    while True:
        rows = db.session.execute(
            columns.where(Assessment.id > last_id).order_by(Assessment.id).limit(batch_size)
        ).all()
        if not rows:
            return
        last_id = rows[-1][0]
        yield [tuple(row) for row in rows]  # type: ignore[misc]


def rescore(
    *,
    questionnaire_id: str | None = None,
    version: str | None = None,
    dry_run: bool = False,
    batch_size: int = RESCORE_BATCH,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> RescoreReport:
    """Re-score stored submitted/verified results; update changed ones except verified ones; commits per batch."""
    report = RescoreReport(dry_run=dry_run)
    total = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Assessment)
        .where(Assessment.status.in_(COUNTED_STATUSES), Assessment.result_hash.is_not(None))
    )
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    batches = _stored_batches(questionnaire_id, version, batch_size)
    pool = None
    if workers > 1 and (total or 0) >= PARALLEL_RESCORE_MINIMUM:
        pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        # Pipelined: workers score batch k while this process stores batch k-1 and reads batch k+1.
        pending: tuple[list[_Stored], Any] | None = None
        for batch in batches:
            if pool is not None:
                part = (len(batch) + workers - 1) // workers
                handle = [
                    pool.apply_async(_rescore_batch, (batch[i : i + part],))
                    for i in range(0, len(batch), part)
                ]
            else:
                handle = _rescore_batch(batch)
            if pending is not None:
                _apply_outcomes(report, *pending, dry_run=dry_run, progress=progress)
            pending = (batch, handle)
        if pending is not None:
            _apply_outcomes(report, *pending, dry_run=dry_run, progress=progress)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return report


def _apply_outcomes(
    report: RescoreReport,
    batch: list[_Stored],
    handle: Any,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None,
) -> None:
    """Count a scored batch, write changed non-verified results, note verified differences; commit."""
    if isinstance(handle, list) and handle and hasattr(handle[0], "get"):
        outcomes = [outcome for part in handle for outcome in part.get()]
    else:
        outcomes = handle
    status_of = {row[0]: row[1] for row in batch}
    changed: list[tuple[int, dict[str, Any]]] = []
    for assessment_id, _, new_result, error in outcomes:
        if error is not None:
            report.failed += 1
            report.failures.append((assessment_id, error))
            continue
        report.scored += 1
        if new_result is None:
            continue
        if status_of[assessment_id] == "verified":
            report.verified_differing += 1
            report.verified_differences.append({"id": assessment_id, "new": new_result})
        else:
            changed.append((assessment_id, new_result))
    report.changed += len(changed)
    if changed and not dry_run:
        _write_rescored(changed)
    _describe_verified(report)
    if not dry_run:
        db.session.commit()
    if progress:
        progress(len(batch))


def _describe_verified(report: RescoreReport) -> None:
    """Replace the full new results of verified differences by stored-vs-new overall score and level."""
    pending = [entry for entry in report.verified_differences if "new" in entry]
    if not pending:
        return
    stored = dict(
        (row[0], (row[1], row[2]))
        for row in db.session.execute(
            sa.select(Assessment.id, Assessment.overall_score, Assessment.gated_level).where(
                Assessment.id.in_([entry["id"] for entry in pending])
            )
        )
    )
    for entry in pending:
        new = entry.pop("new")
        old_score, old_level = stored.get(entry["id"], (None, None))
        entry.update(
            stored_score=old_score,
            new_score=new["overall_score"],
            stored_level=old_level,
            new_level=new["level"]["gated"],
            new_hash=new["result_hash"],
        )
    del report.verified_differences[50:]  # keep the report readable; the count is exact


def _write_rescored(changed: list[tuple[int, dict[str, Any]]]) -> None:
    """Store new results (JSON, columns, dimension rows) for non-verified assessments."""
    contexts = dict(
        db.session.execute(
            sa.select(Assessment.id, Assessment.context).where(
                Assessment.id.in_([assessment_id for assessment_id, _ in changed])
            )
        ).all()
    )
    from portal.services import aggregates

    before = aggregates.snapshots(assessment_id for assessment_id, _ in changed)
    now = utcnow()
    updates = []
    for assessment_id, result in changed:
        columns = result_columns(result, contexts.get(assessment_id))
        updates.append({"b_id": assessment_id, "result": result, "updated_at": now, **columns})
    table = Assessment.__table__
    statement = (
        table.update()
        .where(table.c.id == sa.bindparam("b_id"))
        .values({key: sa.bindparam(key) for key in updates[0] if key != "b_id"})
    )
    db.session.execute(statement, updates)
    ids = [assessment_id for assessment_id, _ in changed]
    db.session.execute(
        delete(AssessmentDimensionScore).where(AssessmentDimensionScore.assessment_id.in_(ids))
    )
    rows = [row for assessment_id, result in changed for row in dimension_rows(assessment_id, result)]
    if rows:
        db.session.execute(insert(AssessmentDimensionScore), rows)
    aggregates.after_refresh(ids, before)
