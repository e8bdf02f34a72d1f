"""Reports of stored assessments: gather plain data, build the context, render, and cache the PDF files.

A report is rendered once per (assessment id, result hash, verification state, language) and kept as
a file under REPORTS_DIR (default instance/reports). A new result hash or a verification simply misses
the cache; older files of the same assessment are removed when a new one is written. Files are
written to a temporary name and renamed, so a half-written PDF is never served. A lock file beside
the target marks a render in progress (shared by the web processes and the job workers).
"""

from __future__ import annotations

import logging
import os
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm.attributes import set_committed_value

import questionnaires
import scoring
from portal import reference
from portal.extensions import db
from portal.i18n import translator
from portal.models import Assessment, Enterprise, Round, User
from portal.reports.context import build_report_context
from portal.reports.pdf import render_report_pdf, report_number, verify_report_number
from portal.services import results
from portal.services.enterprises import scope_enterprises

logger = logging.getLogger("portal.reports")

LANGUAGES = ("zh", "en")
REPORTED_STATUSES = ("submitted", "verified")
READER_ROLES = ("enterprise", "official", "admin")  # auditors and everyone else: 404
MIN_DISCLOSED = 5  # disclosure control: a city or industry value needs at least 5 enterprises
LOCK_STALE_SECONDS = 180.0
# Indicator id -> Assessment column holding its value (numeric indicators only).
INDICATOR_COLUMNS = {
    "equipment_digitization_rate": "equipment_digitization_rate",
    "equipment_networking_rate": "equipment_networking_rate",
    "key_process_nc_rate": "nc_rate",
}
# Indicator id -> counting rule of the plan target that sets its goal (plan_targets.rule).
INDICATOR_TARGET_RULES = {"key_process_nc_rate": "mean:nc_rate"}


class RenderInProgress(Exception):
    """Another process is rendering this report right now."""


class RenderFailed(Exception):
    """The render raised; it was logged and the report marked failed (nothing was cached)."""


# --- access --------------------------------------------------------------------------------------


def report_for_user(user: User, assessment_id: int) -> Assessment | None:
    """The submitted/verified assessment if `user` may read its report (own enterprise, official in scope, admin)."""
    if user.role not in READER_ROLES:
        return None
    query = (
        sa.select(Assessment)
        .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
        .where(
            Assessment.id == assessment_id,
            Assessment.status.in_(REPORTED_STATUSES),
            Assessment.result.is_not(None),
        )
    )
    return db.session.scalar(scope_enterprises(query, user))


def normalize_lang(value: str | None) -> str:
    """ "en" or the default "zh"."""
    return "en" if value == "en" else "zh"


# --- cache ---------------------------------------------------------------------------------------


def reports_dir(app: Flask | None = None) -> Path:
    """The folder of cached report files (config REPORTS_DIR, default instance/reports), created on demand."""
    app = app or current_app
    folder = Path(app.config.get("REPORTS_DIR") or Path(app.instance_path) / "reports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cache_key(assessment: Assessment, lang: str) -> str:
    """File stem naming what the PDF shows: id, result hash, verification time, language."""
    verified = assessment.verified_at.strftime("v%Y%m%d%H%M%S") if assessment.verified_at else "u"
    return f"{assessment.id}-{(assessment.result_hash or 'none')[:20]}-{verified}-{normalize_lang(lang)}"


def cached_path(assessment: Assessment, lang: str) -> Path:
    """Where the current report of `assessment` in `lang` is (or would be) stored."""
    return reports_dir() / f"{cache_key(assessment, lang)}.pdf"


def cached_report(assessment: Assessment, lang: str) -> Path | None:
    """The cached PDF of the current result, or None."""
    path = cached_path(assessment, lang)
    return path if path.is_file() else None


def is_rendering(assessment: Assessment, lang: str) -> bool:
    """Whether a fresh lock says some process is rendering this report now."""
    lock = cached_path(assessment, lang).with_suffix(".lock")
    try:
        return time.time() - lock.stat().st_mtime < LOCK_STALE_SECONDS
    except FileNotFoundError:
        return False


def _acquire(lock: Path) -> bool:
    for _ in range(2):
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            try:
                if time.time() - lock.stat().st_mtime < LOCK_STALE_SECONDS:
                    return False
                lock.unlink()  # left behind by a killed process
            except FileNotFoundError:
                pass
            continue
        os.write(descriptor, str(os.getpid()).encode())
        os.close(descriptor)
        return True
    return False


def _remove_older(assessment: Assessment, keep: Path) -> None:
    """Delete the cached files of earlier results of the same assessment and language."""
    lang = keep.stem.rsplit("-", 1)[-1]
    for path in keep.parent.glob(f"{assessment.id}-*-{lang}.pdf"):
        if path != keep:
            path.unlink(missing_ok=True)


def _set_status(assessment: Assessment, status: str) -> None:
    """Record report_status for the result that was rendered (a newer result keeps its own status)."""
    db.session.execute(
        sa.update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.result_hash == assessment.result_hash)
        .values(report_status=status, updated_at=Assessment.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    set_committed_value(assessment, "report_status", status)


def render_and_store(assessment: Assessment, lang: str = "zh") -> Path:
    """Render the report afresh into the cache (atomic), mark it ready; RenderInProgress / RenderFailed."""
    lang = normalize_lang(lang)
    path = cached_path(assessment, lang)
    lock = path.with_suffix(".lock")
    if not _acquire(lock):
        raise RenderInProgress(path.name)
    try:
        if path.is_file():  # finished by another process meanwhile
            return path
        try:
            pdf = render(assessment, lang)
        except Exception as error:
            logger.exception("report render failed: assessment %s (%s)", assessment.id, lang)
            db.session.rollback()
            _set_status(assessment, "failed")
            raise RenderFailed(str(error)) from error
        temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp")
        temporary.write_bytes(pdf)
        os.replace(temporary, path)
        _remove_older(assessment, path)
        if lang == "zh" and assessment.report_status != "ready":
            _set_status(assessment, "ready")
        return path
    finally:
        lock.unlink(missing_ok=True)


def wait_for_report(assessment: Assessment, lang: str, seconds: float) -> Path | None:
    """Poll for a report another process is rendering; the file, or None when it is not there in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        path = cached_report(assessment, lang)
        if path is not None:
            return path
        if not is_rendering(assessment, lang):
            return None
        time.sleep(0.2)
    return cached_report(assessment, lang)


# --- data ----------------------------------------------------------------------------------------


def number_of(assessment: Assessment) -> str:
    """The public report number (HMAC-checked with SECRET_KEY)."""
    return report_number(assessment.round.year, assessment.id, current_app.config["SECRET_KEY"])


def _date(value: datetime | date | None) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else (value.isoformat() if value else "")


def _group_label(group: dict[str, Any] | None) -> dict[str, Any] | None:
    """Give each peer group a display label in both languages."""
    if group is None:
        return None
    kind, value = group.get("kind"), group.get("value")
    label = group.get("label")
    if kind == "industry":
        label = {lang: reference.division_label(value, lang) for lang in LANGUAGES}
    elif kind == "size":
        label = {lang: reference.size_class_label(value, lang) for lang in LANGUAGES}
    elif kind == "district":
        label = {lang: reference.district_label(value, lang) for lang in LANGUAGES}
    elif kind == "city":
        label = {lang: translator(lang).pgettext("report", "City-wide") for lang in LANGUAGES}
    return {**group, "label": label}


def benchmark_of(assessment: Assessment) -> dict[str, Any] | None:
    """The peer benchmark in the report's shape: overall (industry chain) and per-dimension medians."""
    from portal.services import benchmarks

    peer = benchmarks.peer_benchmark(assessment)
    industry = dict(peer["industry"])
    industry["group"] = _group_label(industry.get("group"))
    medians = peer.get("dimension_medians") or {}
    return {
        "overall": industry,
        "dimensions": {
            dimension_id: {"group": industry["group"], "median": median}
            for dimension_id, median in medians.items()
        },
    }


def comparison_of(assessment: Assessment, questionnaire: Any) -> dict[str, Any] | None:
    """scoring.compare with the enterprise's previous scored round, labelled with that round's name."""
    previous = db.session.scalar(
        sa.select(Assessment)
        .join(Round, Round.id == Assessment.round_id)
        .where(
            Assessment.enterprise_id == assessment.enterprise_id,
            Assessment.id != assessment.id,
            Assessment.result.is_not(None),
            Assessment.status.in_(REPORTED_STATUSES),
            Round.year < assessment.round.year,
        )
        .order_by(Round.year.desc())
        .limit(1)
    )
    if previous is None or not previous.result:
        return None
    mapping = {q.previous_id: q.id for q in questionnaire.questions if q.previous_id}
    comparison = scoring.compare(previous.result, assessment.result, question_map=mapping).to_dict()
    comparison["previous_round"] = previous.round.name
    comparison["previous_submitted_on"] = _date(previous.submitted_at)
    return comparison


def city_indicators(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """City and same-industry means of the numeric indicators over current assessments of the round.

    One aggregate query; a value is shown only when at least MIN_DISCLOSED enterprises stand behind it.
    """
    columns = [getattr(Assessment, column) for column in INDICATOR_COLUMNS.values()]
    same_industry = Assessment.industry_division == assessment.industry_division
    selected: list[Any] = []
    for column in columns:
        selected += [
            sa.func.count(column),
            sa.func.avg(column),
            sa.func.count(sa.case((same_industry, column))),
            sa.func.avg(sa.case((same_industry, column))),
        ]
    row = db.session.execute(
        sa.select(*selected).where(
            Assessment.round_id == assessment.round_id,
            Assessment.is_current.is_(True),
            Assessment.questionnaire_id == assessment.questionnaire_id,
        )
    ).one()
    targets = _indicator_targets()
    values: dict[str, dict[str, Any]] = {}
    for index, indicator_id in enumerate(INDICATOR_COLUMNS):
        city_n, city_mean, industry_n, industry_mean = row[4 * index : 4 * index + 4]
        target, clause = targets.get(indicator_id, (None, None))
        values[indicator_id] = {
            "city": round(float(city_mean), 1) if city_n >= MIN_DISCLOSED and city_mean is not None else None,
            "industry": round(float(industry_mean), 1)
            if industry_n >= MIN_DISCLOSED and industry_mean is not None
            else None,
            "target": target,
            "target_clause": clause,
        }
    return values


def _indicator_targets() -> dict[str, tuple[float | None, str | None]]:
    """Indicator id -> (target value, plan clause) from the active plan targets, where one exists."""
    from portal.models_officials import PlanTarget

    rules = {rule: indicator_id for indicator_id, rule in INDICATOR_TARGET_RULES.items()}
    rows = db.session.execute(
        sa.select(PlanTarget.rule, PlanTarget.value, PlanTarget.clause).where(
            PlanTarget.rule.in_(list(rules)), PlanTarget.active.is_(True)
        )
    ).all()
    return {rules[rule]: (value, clause) for rule, value, clause in rows}


def verification_of(assessment: Assessment) -> dict[str, Any] | None:
    """Who verified the result and when, or None for an unverified self-assessment."""
    if assessment.status != "verified" or assessment.verified_at is None:
        return None
    reviewer = db.session.get(User, assessment.verified_by_id) if assessment.verified_by_id else None
    by = (reviewer.display_name or reviewer.username) if reviewer is not None else ""
    return {"verified": True, "by": by, "on": _date(assessment.verified_at)}


def report_inputs(assessment: Assessment, lang: str) -> dict[str, Any]:
    """Every input of build_report_context for one stored assessment, as plain data."""
    lang = normalize_lang(lang)
    enterprise = assessment.enterprise
    questionnaire, catalogue = results.definitions(
        assessment.questionnaire_id, assessment.questionnaire_version, assessment.catalogue_version
    )
    return {
        "enterprise": {
            "name": enterprise.name,
            "uscc": enterprise.uscc,
            "district": reference.district_label(enterprise.district, lang),
            "industry": reference.division_label(enterprise.industry_division, lang),
            "size_class": enterprise.size_class or "",
            "contact": " ".join(filter(None, (enterprise.contact_name, enterprise.contact_phone))),
        },
        "assessment": {
            "id": assessment.id,
            "round": assessment.round.name,
            "round_year": assessment.round.year,
            "submitted_on": _date(assessment.submitted_at),
            "answers": dict(assessment.answers or {}),
        },
        "result": assessment.result,
        "questionnaire": questionnaire,
        "catalogue": catalogue,
        "plan_clauses": questionnaires.plan_clauses(),
        "benchmark": benchmark_of(assessment),
        "comparison": comparison_of(assessment, questionnaire),
        "city_indicators": city_indicators(assessment),
        "verification": verification_of(assessment),
        "report_number": number_of(assessment),
        "lang": lang,
    }


def render(assessment: Assessment, lang: str = "zh") -> bytes:
    """Render the report of a stored assessment afresh (never from the cache)."""
    context = build_report_context(**report_inputs(assessment, lang))
    return render_report_pdf(context, normalize_lang(lang))


# --- public verification -------------------------------------------------------------------------


def verify_number(number: str) -> dict[str, Any] | None:
    """Public facts behind a report number (enterprise, round, level, verified) or None when invalid."""
    decoded = verify_report_number(number, current_app.config["SECRET_KEY"])
    if decoded is None:
        return None
    year, assessment_id = decoded
    assessment = db.session.scalar(
        sa.select(Assessment)
        .join(Round, Round.id == Assessment.round_id)
        .where(
            Assessment.id == assessment_id,
            Round.year == year,
            Assessment.status.in_(REPORTED_STATUSES),
            Assessment.result.is_not(None),
        )
    )
    if assessment is None:
        return None
    level = (assessment.result or {}).get("level") or {}
    names = {}
    try:
        questionnaire = questionnaires.load(assessment.questionnaire_id, assessment.questionnaire_version)
        names = {entry.level: entry.name for entry in questionnaire.levels}
    except (questionnaires.QuestionnaireNotFound, questionnaires.DefinitionError):
        pass
    gated = level.get("gated")
    name = names.get(gated)
    return {
        "number": number.strip().upper(),
        "enterprise": assessment.enterprise.name,
        "round": assessment.round.name,
        "level": gated,
        "level_name": {"zh": name.get("zh"), "en": name.get("en")} if name is not None else None,
        "verified": assessment.status == "verified",
    }
