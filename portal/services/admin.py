"""Administration: accounts and scopes, inactivity, memberships, rounds, publishing, rescore job, targets.

Only what no other service does; everything else is delegated (accounts, rounds, results, targets, imports).
Every state change records an audit event and commits.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.orm import selectinload

import questionnaires
import scoring
from portal import jobs
from portal.extensions import db
from portal.models import ROLES, Assessment, AuditEvent, Enterprise, Membership, Round, Setting, User, utcnow
from portal.models_officials import Job, PlanTarget
from portal.services import accounts, audit, enterprises, results, targets

ADMIN_CREATABLE_ROLES = ("official", "admin", "auditor")
RESCORE_JOB = "admin.rescore"
DEFAULT_INACTIVE_DAYS = 180


class AdminError(ValueError):
    """A user-facing reason why an administrative action was refused."""


# --- accounts ----------------------------------------------------------------------------------


def list_users(search: str = "", role: str = "", limit: int = 200) -> list[User]:
    """Users filtered by a user-name/display-name fragment and a role, ordered by user name."""
    query = select(User).options(selectinload(User.memberships)).order_by(User.username).limit(limit)
    if search.strip():
        pattern = f"%{search.strip()}%"
        query = query.where(or_(User.username.ilike(pattern), User.display_name.ilike(pattern)))
    if role in ROLES:
        query = query.where(User.role == role)
    return list(db.session.scalars(query))


def is_locked(user: User) -> bool:
    """Whether the user is locked out by failed logins right now."""
    return user.locked_until is not None and user.locked_until > utcnow()


def _initial_password() -> str:
    # Letters, digits and a symbol: satisfies both policies; it must be changed at first login.
    return secrets.token_urlsafe(9) + "-7a"


def create_account(
    actor: User,
    username: str,
    role: str,
    *,
    scope: str | None = None,
    district: str | None = None,
    display_name: str | None = None,
    is_reviewer: bool = False,
) -> tuple[User, str]:
    """Create an official (scope chosen explicitly), admin or auditor; returns the user and a one-time password."""
    if role not in ADMIN_CREATABLE_ROLES:
        raise AdminError(str(_l("Administrators create officials, administrators and the auditor here.")))
    if role == "official" and scope not in ("city", "district"):
        raise AdminError(str(_l("An official needs a scope: a district or the whole city.")))
    if role == "auditor" and db.session.scalar(select(User.id).where(User.role == "auditor").limit(1)):
        raise AdminError(str(_l("The auditor account exists already.")))
    password = _initial_password()
    try:
        user = accounts.create_user(
            username,
            password,
            role,
            scope=scope if role == "official" else None,
            district=district if role == "official" and scope == "district" else None,
            display_name=(display_name or "").strip() or None,
            is_reviewer=bool(is_reviewer) and role == "official",
            must_change_password=True,
            check_policy=False,
        )
    except accounts.AccountError as error:
        db.session.rollback()
        raise AdminError(str(error)) from error
    audit.record(
        "admin.user_create",
        user=actor,
        object_type="user",
        object_id=user.id,
        detail={
            "username": user.username,
            "role": role,
            "scope": user.scope,
            "district": user.district,
            "reviewer": user.is_reviewer,
        },
    )
    db.session.commit()
    return user, password


def _guard_self(actor: User, target: User) -> None:
    if actor.id == target.id:
        raise AdminError(str(_l("You cannot do this to your own account.")))


def set_reviewer(actor: User, target: User, allowed: bool) -> None:
    """Grant or withdraw an official's right to verify assessments."""
    if target.role != "official":
        raise AdminError(str(_l("Only officials can be reviewers.")))
    target.is_reviewer = allowed
    audit.record(
        "admin.reviewer_grant" if allowed else "admin.reviewer_withdraw",
        user=actor,
        object_type="user",
        object_id=target.id,
        detail={"username": target.username},
    )
    db.session.commit()


def set_scope(actor: User, target: User, scope: str, district: str | None) -> None:
    """Change an official's scope (a district or the whole city)."""
    from portal.reference import DISTRICT_VALUES

    if target.role != "official":
        raise AdminError(str(_l("Only officials have a scope.")))
    if scope not in ("city", "district") or (scope == "district" and district not in DISTRICT_VALUES):
        raise AdminError(str(_l("An official needs a scope: a district or the whole city.")))
    before = {"scope": target.scope, "district": target.district}
    target.scope = scope
    target.district = district if scope == "district" else None
    audit.record(
        "admin.scope_change",
        user=actor,
        object_type="user",
        object_id=target.id,
        detail={"before": before, "after": {"scope": target.scope, "district": target.district}},
    )
    db.session.commit()


def _active_admins() -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True))
        )
        or 0
    )


def set_active(actor: User, target: User, active: bool) -> None:
    """Disable (ending every session) or re-enable an account."""
    _guard_self(actor, target)
    if target.active == active:
        return
    target.active = active
    if not active:
        target.session_version += 1
    else:
        target.failed_login_count = 0  # its inactivity period restarts at the audited re-enabling
    audit.record(
        "admin.user_enable" if active else "admin.user_disable",
        user=actor,
        object_type="user",
        object_id=target.id,
        detail={"username": target.username},
    )
    db.session.commit()


def unlock(actor: User, target: User) -> None:
    """End a failed-login lockout now."""
    target.locked_until = None
    target.failed_login_count = 0
    audit.record(
        "admin.user_unlock",
        user=actor,
        object_type="user",
        object_id=target.id,
        detail={"username": target.username},
    )
    db.session.commit()


def inactive_days() -> int:
    """ACCOUNT_INACTIVE_DAYS from the configuration (default 180)."""
    return int(current_app.config.get("ACCOUNT_INACTIVE_DAYS") or DEFAULT_INACTIVE_DAYS)


def inactive_accounts(days: int | None = None, now: datetime | None = None) -> list[User]:
    """Active accounts not used (last login, else creation) for `days` days."""
    cutoff = (now or utcnow()) - timedelta(days=days if days is not None else inactive_days())
    last_use = func.coalesce(User.last_login_at, User.created_at)
    re_enabled = (
        select(AuditEvent.id)
        .where(
            AuditEvent.action == "admin.user_enable",
            AuditEvent.object_type == "user",
            AuditEvent.object_id == cast(User.id, String),
            AuditEvent.at >= cutoff,
        )
        .exists()
    )
    return list(
        db.session.scalars(
            select(User).where(User.active.is_(True), last_use < cutoff, ~re_enabled).order_by(User.username)
        )
    )


def disable_inactive(
    actor: User | None = None, days: int | None = None, now: datetime | None = None
) -> list[str]:
    """Disable accounts unused for `days` days (the last active admin is kept); returns their user names."""
    days = days if days is not None else inactive_days()
    found = inactive_accounts(days, now)
    admins_left = _active_admins()
    disabled: list[str] = []
    for user in found:
        if user.role == "admin":
            if admins_left <= 1:
                continue
            admins_left -= 1
        user.active = False
        user.session_version += 1
        disabled.append(user.username)
        audit.record(
            "admin.user_disable_inactive",
            user=actor,
            username=None if actor else "system",
            object_type="user",
            object_id=user.id,
            detail={"username": user.username, "days": days},
        )
    db.session.commit()
    return disabled


# --- memberships -----------------------------------------------------------------------------------


def enterprise_members(enterprise_id: int) -> list[Membership]:
    """Approved and pending memberships of an enterprise, oldest first."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.enterprise_id == enterprise_id, Membership.status.in_(("approved", "pending")))
            .options(selectinload(Membership.user))
            .order_by(Membership.created_at, Membership.id)
        )
    )


def can_remove_member(actor: User, membership: Membership) -> bool:
    """Admins and officials in scope may remove anyone; approved colleagues of the same enterprise too."""
    if actor.role in ("admin", "official"):
        return enterprises.can_review(actor, membership.enterprise)
    if actor.role != "enterprise" or membership.user_id == actor.id:
        return False
    mine = enterprises.membership_of(actor, membership.enterprise_id)
    return mine is not None and mine.status == "approved"


def remove_member(actor: User, membership: Membership) -> None:
    """Remove a user from an enterprise (the account stays; its sessions end)."""
    if not can_remove_member(actor, membership):
        raise AdminError(str(_l("You may not remove this user.")))
    user = membership.user
    detail = {
        "username": user.username,
        "enterprise": membership.enterprise.uscc,
        "status": membership.status,
    }
    enterprise_id = membership.enterprise_id
    db.session.delete(membership)
    user.session_version += 1
    audit.record(
        "membership.remove", user=actor, object_type="enterprise", object_id=enterprise_id, detail=detail
    )
    db.session.commit()


# --- rounds --------------------------------------------------------------------------------------


def create_round(actor: User, year: int, opens_on: date, closes_on: date, name: str = "") -> Round:
    """Create a closed round (open it explicitly); refuses a duplicate year or reversed dates."""
    from portal.services import rounds

    if closes_on < opens_on:
        raise AdminError(str(_l("The closing date must not be before the opening date.")))
    if rounds.get_round_by_year(year) is not None:
        raise AdminError(str(_l("A round for this year exists already.")))
    round_ = Round(
        year=year, name=name.strip() or str(year), opens_on=opens_on, closes_on=closes_on, status="closed"
    )
    db.session.add(round_)
    db.session.flush()
    audit.record(
        "admin.round_create",
        user=actor,
        object_type="round",
        object_id=round_.id,
        detail={"year": year, "opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()},
    )
    db.session.commit()
    return round_


def update_round_dates(actor: User, round_: Round, opens_on: date, closes_on: date) -> None:
    """Change a round's opening and closing dates."""
    if closes_on < opens_on:
        raise AdminError(str(_l("The closing date must not be before the opening date.")))
    before = {"opens_on": round_.opens_on.isoformat(), "closes_on": round_.closes_on.isoformat()}
    round_.opens_on, round_.closes_on = opens_on, closes_on
    audit.record(
        "admin.round_dates",
        user=actor,
        object_type="round",
        object_id=round_.id,
        detail={
            "before": before,
            "after": {"opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()},
        },
    )
    db.session.commit()


def open_round(actor: User, round_: Round) -> None:
    """Open a round for new assessments; only one round is open at a time."""
    other = db.session.scalar(select(Round).where(Round.status == "open", Round.id != round_.id).limit(1))
    if other is not None:
        raise AdminError(str(_l("Round %(name)s is open: close it first.", name=other.name)))
    round_.status = "open"
    audit.record(
        "admin.round_open", user=actor, object_type="round", object_id=round_.id, detail={"year": round_.year}
    )
    db.session.commit()


def close_round(actor: User, round_: Round) -> None:
    """Close a round: its submissions are frozen for the statistics, nothing new can start in it."""
    round_.status = "closed"
    drafts = db.session.scalar(
        select(func.count())
        .select_from(Assessment)
        .where(Assessment.round_id == round_.id, Assessment.status.in_(("draft", "returned")))
    )
    audit.record(
        "admin.round_close",
        user=actor,
        object_type="round",
        object_id=round_.id,
        detail={"year": round_.year, "unsubmitted_drafts": int(drafts or 0)},
    )
    db.session.commit()


def round_counts() -> dict[int, dict[str, int]]:
    """Per round id: number of assessments by status."""
    counts: dict[int, dict[str, int]] = {}
    for round_id, status, number in db.session.execute(
        select(Assessment.round_id, Assessment.status, func.count()).group_by(
            Assessment.round_id, Assessment.status
        )
    ):
        counts.setdefault(round_id, {})[status] = number
    return counts


# --- questionnaire and catalogue versions -----------------------------------------------------------


@dataclass
class VersionInfo:
    """A questionnaire or catalogue file found under questionnaires/, with its validation status."""

    kind: str  # "questionnaire" | "catalogue"
    questionnaire_id: str
    version: str
    issues: list[str] = field(default_factory=list)
    published: bool = False
    newest: bool = False
    assessments: int = 0
    title: Any = None

    @property
    def valid(self) -> bool:
        """Whether the file loaded without issues."""
        return not self.issues


def _issues_by_file(issues: list[questionnaires.Issue]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for issue in issues:
        where = f"{Path(issue.file).name}:{issue.line}" if issue.line is not None else Path(issue.file).name
        grouped.setdefault(str(Path(issue.file).resolve()), []).append(f"{where}: {issue.message}")
    return grouped


def definition_versions() -> tuple[list[VersionInfo], list[VersionInfo]]:
    """Every questionnaire and catalogue version on disk, with issues, usage and the published mark."""
    root = questionnaires.loader.ROOT
    grouped = _issues_by_file(questionnaires.validate_all())
    published_id, published_version, published_catalogue = results.published_versions()
    used = dict(
        ((qid, version), number)
        for qid, version, number in db.session.execute(
            select(Assessment.questionnaire_id, Assessment.questionnaire_version, func.count()).group_by(
                Assessment.questionnaire_id, Assessment.questionnaire_version
            )
        )
    )
    used_catalogue = dict(
        ((qid, version), number)
        for qid, version, number in db.session.execute(
            select(Assessment.questionnaire_id, Assessment.catalogue_version, func.count()).group_by(
                Assessment.questionnaire_id, Assessment.catalogue_version
            )
        )
    )
    forms: list[VersionInfo] = []
    catalogues: list[VersionInfo] = []
    ids = sorted({qid for qid, _ in questionnaires.available()})
    for qid in ids:
        found = questionnaires.versions(qid)
        for version in found:
            path = str((root / qid / f"{version}.yaml").resolve())
            info = VersionInfo(
                "questionnaire",
                qid,
                version,
                issues=grouped.get(path, []),
                published=(qid, version) == (published_id, published_version),
                newest=version == found[-1],
                assessments=used.get((qid, version), 0),
            )
            if info.valid:
                info.title = questionnaires.load(qid, version).title
            forms.append(info)
        found_catalogues = questionnaires.catalogue_versions(qid)
        for version in found_catalogues:
            path = str((root / qid / "recommendations" / f"{version}.yaml").resolve())
            catalogues.append(
                VersionInfo(
                    "catalogue",
                    qid,
                    version,
                    issues=grouped.get(path, []),
                    published=qid == published_id and version == published_catalogue,
                    newest=version == found_catalogues[-1],
                    assessments=used_catalogue.get((qid, version), 0),
                )
            )
    return forms, catalogues


def _set(key: str, value: str) -> None:
    setting = db.session.get(Setting, key)
    if setting is None:
        db.session.add(Setting(key=key, value=value))
    else:
        setting.value = value


def publish_questionnaire(actor: User, questionnaire_id: str, version: str) -> None:
    """Make a valid questionnaire version the one new assessments use (drafts keep theirs)."""
    try:
        questionnaires.load(questionnaire_id, version)
    except (questionnaires.DefinitionError, questionnaires.QuestionnaireNotFound) as error:
        raise AdminError(str(_l("This version has validation errors and cannot be published."))) from error
    before = results.published_versions()
    _set(results.SETTING_QUESTIONNAIRE_ID, questionnaire_id)
    _set(results.SETTING_QUESTIONNAIRE_VERSION, version)
    audit.record(
        "admin.questionnaire_publish",
        user=actor,
        object_type="questionnaire",
        object_id=f"{questionnaire_id}/{version}",
        detail={"before": f"{before[0]}/{before[1]}"},
    )
    db.session.commit()


def publish_catalogue(actor: User, questionnaire_id: str, version: str) -> None:
    """Make a valid catalogue version the one new results use; stored results change only by a rescore."""
    try:
        questionnaires.load_catalogue(questionnaire_id, version)
    except (questionnaires.DefinitionError, questionnaires.QuestionnaireNotFound) as error:
        raise AdminError(str(_l("This version has validation errors and cannot be published."))) from error
    published_id = results.published_versions()[0]
    if published_id != questionnaire_id:
        raise AdminError(str(_l("This catalogue belongs to a questionnaire that is not published.")))
    before = results.published_versions()[2]
    _set(results.SETTING_CATALOGUE_VERSION, version)
    audit.record(
        "admin.catalogue_publish",
        user=actor,
        object_type="catalogue",
        object_id=f"{questionnaire_id}/{version}",
        detail={"before": before},
    )
    db.session.commit()


# --- rescore job -----------------------------------------------------------------------------------


def start_rescore(actor: User) -> Job:
    """Start the background re-scoring of stored results with the published catalogue."""
    questionnaire_id, _, catalogue_version = results.published_versions()
    params = {"questionnaire_id": questionnaire_id, "catalogue_version": catalogue_version}
    audit.record("admin.rescore_start", user=actor, object_type="job", detail=params)
    db.session.commit()
    return jobs.enqueue(RESCORE_JOB, params, actor)


def latest_rescore_job() -> Job | None:
    """The newest rescore job, or None."""
    return db.session.scalar(
        select(Job).where(Job.kind == RESCORE_JOB).order_by(Job.created_at.desc()).limit(1)
    )


def _verified_with_new_catalogue(
    questionnaire_id: str, catalogue_version: str
) -> tuple[int, list[dict[str, Any]]]:
    """Verified results on another catalogue: how many would change with the new one (nothing is written)."""
    rows = db.session.execute(
        select(
            Assessment.id,
            Assessment.questionnaire_version,
            Assessment.answers,
            Assessment.context,
            Assessment.result_hash,
            Assessment.overall_score,
            Assessment.gated_level,
        ).where(
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.status == "verified",
            Assessment.result_hash.is_not(None),
            or_(Assessment.catalogue_version.is_(None), Assessment.catalogue_version != catalogue_version),
        )
    ).all()
    differing: list[dict[str, Any]] = []
    for assessment_id, version, answers, context, old_hash, score, level in rows:
        try:
            questionnaire, catalogue = results.definitions(questionnaire_id, version, catalogue_version)
            new = scoring.score(questionnaire, answers or {}, context or {}, catalogue=catalogue)
        except (scoring.ScoringError, questionnaires.AnswerValidationError, LookupError):
            continue
        if new.result_hash != old_hash:
            differing.append(
                {
                    "id": assessment_id,
                    "stored_score": score,
                    "new_score": new.overall_score,
                    "stored_level": level,
                    "new_level": new.level.gated,
                }
            )
    return len(rows), differing


@jobs.runner(RESCORE_JOB)
def run_rescore(job: Job, progress: Any) -> tuple[Path, str, int]:
    """Job runner: adopt the published catalogue on submitted results, re-score, report verified ones."""
    questionnaire_id = job.params["questionnaire_id"]
    catalogue_version = job.params.get("catalogue_version")
    counted = (
        select(func.count())
        .select_from(Assessment)
        .where(Assessment.status.in_(results.COUNTED_STATUSES), Assessment.result_hash.is_not(None))
    )
    job.total = int(db.session.scalar(counted) or 0)
    db.session.commit()
    adopted = 0
    if catalogue_version:
        adopted = db.session.execute(
            update(Assessment)
            .where(
                Assessment.questionnaire_id == questionnaire_id,
                Assessment.status == "submitted",
                Assessment.result_hash.is_not(None),
                or_(
                    Assessment.catalogue_version.is_(None), Assessment.catalogue_version != catalogue_version
                ),
            )
            .values(catalogue_version=catalogue_version)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        progress(done)

    report = results.rescore(progress=step, workers=1)
    verified_total, verified_differing = (
        _verified_with_new_catalogue(questionnaire_id, catalogue_version) if catalogue_version else (0, [])
    )
    summary = {
        "questionnaire_id": questionnaire_id,
        "catalogue_version": catalogue_version,
        "adopted_catalogue": adopted,
        "scored": report.scored,
        "changed": report.changed,
        "failed": report.failed,
        "failures": report.failures[:50],
        "verified_on_other_catalogue": verified_total,
        "verified_would_change": len(verified_differing),
        "verified_differences": verified_differing[:50] + report.verified_differences[:50],
    }
    path = jobs.jobs_dir() / f"{job.id}-rescore.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    audit.record(
        "admin.rescore_done",
        user=db.session.get(User, job.created_by_id) if job.created_by_id else None,
        object_type="job",
        object_id=job.id,
        detail={key: value for key, value in summary.items() if not isinstance(value, list)},
    )
    db.session.commit()
    return path, "rescore-report.json", job.total or report.scored


def rescore_summary(job: Job) -> dict[str, Any] | None:
    """The finished job's report (None while it runs or when the file is gone)."""
    if job.status != "done" or not job.result_path:
        return None
    try:
        return json.loads(Path(job.result_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --- targets ---------------------------------------------------------------------------------------


def update_target(
    actor: User,
    target: PlanTarget,
    *,
    value: float | None,
    deadline: date | None,
    baseline: float | None,
    rule: str,
) -> None:
    """Change a plan target's value, deadline, baseline and counting rule (from the fixed list)."""
    if rule not in targets.RULES:
        raise AdminError(str(_l("Choose a counting rule from the list.")))
    before = {
        "value": target.value,
        "deadline": target.deadline.isoformat() if target.deadline else None,
        "baseline": target.baseline,
        "rule": target.rule,
    }
    target.value, target.deadline, target.baseline, target.rule = value, deadline, baseline, rule
    after = {
        "value": value,
        "deadline": deadline.isoformat() if deadline else None,
        "baseline": baseline,
        "rule": rule,
    }
    audit.record(
        "admin.target_update",
        user=actor,
        object_type="plan_target",
        object_id=target.key,
        detail={"before": before, "after": after},
    )
    db.session.commit()


def recognised_lists() -> list[str]:
    """The recognised-list ids the plan targets refer to."""
    return sorted(
        set(
            db.session.scalars(
                select(PlanTarget.recognised_list).where(PlanTarget.recognised_list.is_not(None))
            )
        )
    )


def import_recognised(actor: User, list_id: str, data: bytes, filename: str) -> int:
    """Import a recognised-enterprise list from CSV or XLSX (XLSX is converted); returns new entries."""
    from portal.services import imports

    if filename.lower().endswith(".xlsx"):
        try:
            rows = imports.read_rows(data, filename)
        except imports.ImportFileError as error:
            raise AdminError(str(error)) from error
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(["" if cell is None else str(cell).strip() for cell in row])
        data = buffer.getvalue().encode("utf-8")
    try:
        return targets.import_recognised_csv(list_id, data, actor, source=filename)
    except (targets.TargetImportError, UnicodeDecodeError) as error:
        db.session.rollback()
        raise AdminError(str(error)) from error


# --- enterprise import -----------------------------------------------------------------------------


def import_enterprise_file(actor: User, data: bytes, filename: str) -> Any:
    """Run the enterprise import on an upload and audit it; returns the ImportReport."""
    from portal.services import imports

    try:
        report = imports.import_enterprises(data, filename, commit=False)
    except imports.ImportFileError as error:
        db.session.rollback()
        audit.record(
            "admin.enterprise_import",
            user=actor,
            result="failure",
            detail={"file": filename, "error": str(error)},
        )
        db.session.commit()
        raise AdminError(str(error)) from error
    audit.record(
        "admin.enterprise_import",
        user=actor,
        detail={
            "file": filename,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
        },
    )
    db.session.commit()
    return report


# --- overview --------------------------------------------------------------------------------------


def overview() -> dict[str, Any]:
    """Counts for the administration start page."""
    users_by_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    pending = db.session.scalar(
        select(func.count()).select_from(Membership).where(Membership.status == "pending")
    )
    locked = db.session.scalar(select(func.count()).select_from(User).where(User.locked_until > utcnow()))
    disabled = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(False)))
    enterprises_total = db.session.scalar(select(func.count()).select_from(Enterprise))
    from portal.services import rounds

    return {
        "users_by_role": users_by_role,
        "pending": int(pending or 0),
        "locked": int(locked or 0),
        "disabled": int(disabled or 0),
        "enterprises": int(enterprises_total or 0),
        "open_round": rounds.open_round(),
        "published": results.published_versions(),
        "inactive": len(inactive_accounts()),
        "inactive_days": inactive_days(),
    }
