"""Assessments of enterprises: drafts, per-question optimistic saves, submission, history and invites.

Every write of answers goes through `save_answers`, which is atomic: the row is locked
(SELECT ... FOR UPDATE on PostgreSQL) and the write is a conditional UPDATE on the version
counter, so two concurrent writers can never lose an acknowledged answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

import questionnaires
from portal.extensions import db
from portal.models import Assessment, Enterprise, Invite, Membership, Round, SectionStash, User, utcnow
from portal.services import audit, results, rounds
from questionnaires.conditions import derive_context, visible_question_ids
from questionnaires.model import NA, Questionnaire

EDITABLE_STATUSES = ("draft", "returned")
SUBMITTED_STATUSES = ("submitted", "verified")
_SAVE_ATTEMPTS = 8
STASH_DAYS = 7
INVITE_HOURS = 72


MAX_ID = 2**31 - 1  # primary keys are 4-byte INTEGER columns


def N_(message: str) -> str:
    """Mark a message for translation without translating it (the route translates it for display)."""
    return message


class AssessmentError(Exception):
    """A request the service refuses; `message` is safe to show (English msgid, translated by the caller)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class StaleVersion(Exception):
    """A question in the request changed since the client's version (HTTP 409)."""

    def __init__(self, version: int, answers: dict[str, Any], question_ids: list[str]) -> None:
        super().__init__(f"stale version; changed meanwhile: {question_ids}")
        self.version = version
        self.answers = answers
        self.question_ids = question_ids


class InvalidAnswers(Exception):
    """Answer values that do not fit their questions (HTTP 422): question id -> {"zh", "en"}."""

    def __init__(self, errors: dict[str, dict[str, str]]) -> None:
        super().__init__(f"invalid answers: {sorted(errors)}")
        self.errors = errors


class IncompleteSubmission(Exception):
    """Submission refused: required questions unanswered (ids) and/or the pledge missing (HTTP 422)."""

    def __init__(self, missing: list[str], pledge_missing: bool = False) -> None:
        super().__init__(f"incomplete: {missing}, pledge missing: {pledge_missing}")
        self.missing = missing
        self.pledge_missing = pledge_missing


# --- definitions and context ---------------------------------------------------------------------


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    """The questionnaire version the assessment is answered on (cached by the loader)."""
    return questionnaires.load(assessment.questionnaire_id, assessment.questionnaire_version)


def context_of(assessment: Assessment) -> dict[str, Any]:
    """The condition context: the snapshot once scored, else the enterprise's current profile."""
    if assessment.context:
        return dict(assessment.context)
    return results.scoring_context(assessment.enterprise)


def display_context(questionnaire: Questionnaire, assessment: Assessment) -> dict[str, Any]:
    """The context with derived `industry_path`, as the browser's condition evaluator gets it."""
    return derive_context(questionnaire, context_of(assessment))


# --- lookup and scoping --------------------------------------------------------------------------


def approved_enterprises(user: User) -> list[Enterprise]:
    """Enterprises the user is an approved member of, by name."""
    return list(
        db.session.scalars(
            select(Enterprise)
            .join(Membership, Membership.enterprise_id == Enterprise.id)
            .where(
                Membership.user_id == user.id,
                Membership.status == "approved",
                Enterprise.status == "approved",
            )
            .order_by(Enterprise.name)
        )
    )


def get_for_user(user: User, assessment_id: int, *, for_update: bool = False) -> Assessment | None:
    """The assessment when `user` is an approved member of its enterprise; None (-> 404) otherwise.

    `for_update`: read it as `save_answers(..., locked=True)` needs it - fresh, with its round, locked FOR
    UPDATE where the database supports it - so an autosave checks ownership and locks in one query.
    """
    if user.role != "enterprise" or not 0 < assessment_id <= MAX_ID:
        return None  # an id past the INTEGER column cannot exist (and would overflow the driver)
    statement = (
        select(Assessment)
        .join(Membership, Membership.enterprise_id == Assessment.enterprise_id)
        .where(
            Assessment.id == assessment_id,
            Membership.user_id == user.id,
            Membership.status == "approved",
        )
    )
    if for_update:
        statement = _locking(statement)
    return db.session.scalar(statement)


def history(enterprise_id: int) -> list[Assessment]:
    """Every assessment of an enterprise, newest round first."""
    return list(
        db.session.scalars(
            select(Assessment)
            .join(Round, Round.id == Assessment.round_id)
            .where(Assessment.enterprise_id == enterprise_id)
            .order_by(Round.year.desc())
        )
    )


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The enterprise's latest scored assessment of an earlier round, or None."""
    return db.session.scalar(
        select(Assessment)
        .join(Round, Round.id == Assessment.round_id)
        .where(
            Assessment.enterprise_id == assessment.enterprise_id,
            Assessment.id != assessment.id,
            Assessment.result.is_not(None),
            Round.year < assessment.round.year,
        )
        .order_by(Round.year.desc())
        .limit(1)
    )


def open_assessment(enterprise_id: int) -> Assessment | None:
    """The enterprise's assessment of the open round, if started."""
    round_ = rounds.open_round()
    if round_ is None:
        return None
    return db.session.scalar(
        select(Assessment).where(Assessment.enterprise_id == enterprise_id, Assessment.round_id == round_.id)
    )


# --- start / continue ----------------------------------------------------------------------------


def _carried_answers(previous: Assessment, questionnaire: Questionnaire) -> dict[str, Any]:
    """Answers of `previous` that are valid on `questionnaire` (mapped through previous_id)."""
    if not previous.answers:
        return {}
    renamed = {
        question.previous_id: question.id
        for question in questionnaire.questions
        if question.previous_id and previous.questionnaire_version != questionnaire.version
    }
    carried: dict[str, Any] = {}
    for old_id, value in previous.answers.items():
        new_id = renamed.get(old_id, old_id)
        if new_id not in questionnaire.questions_by_id or value is None:
            continue
        try:
            questionnaires.validate_answers(questionnaire, {new_id: value})
        except questionnaires.AnswerValidationError:
            continue
        carried[new_id] = value
    return carried


def start_or_continue(user: User, enterprise_id: int | None = None) -> Assessment:
    """The enterprise's assessment of the open round, creating the draft (with last round's answers) if needed."""
    enterprises = approved_enterprises(user)
    if enterprise_id is not None:
        enterprises = [enterprise for enterprise in enterprises if enterprise.id == enterprise_id]
        if not enterprises:
            raise AssessmentError(N_("Enterprise not found."), 404)
    if not enterprises:
        raise AssessmentError(N_("Your account is not an approved member of an enterprise."), 403)
    if len(enterprises) > 1:
        raise AssessmentError(N_("You belong to several enterprises: give enterprise_id."), 400)
    enterprise = enterprises[0]
    round_ = rounds.open_round()
    if round_ is None:
        raise AssessmentError(N_("No assessment round is open."), 409)
    existing = db.session.scalar(
        select(Assessment).where(Assessment.enterprise_id == enterprise.id, Assessment.round_id == round_.id)
    )
    if existing is not None:
        return existing
    questionnaire_id, version, catalogue_version = results.published_versions()
    questionnaire = questionnaires.load(questionnaire_id, version)
    assessment = Assessment(
        enterprise=enterprise,
        round=round_,
        questionnaire_id=questionnaire_id,
        questionnaire_version=version,
        catalogue_version=catalogue_version,
        status="draft",
        answers={},
        answers_meta={},
        version=1,
    )
    earlier = db.session.scalar(
        select(Assessment)
        .join(Round, Round.id == Assessment.round_id)
        .where(Assessment.enterprise_id == enterprise.id, Round.year < round_.year)
        .order_by(Round.year.desc())
        .limit(1)
    )
    if earlier is not None:
        carried = _carried_answers(earlier, questionnaire)
        assessment.answers = carried
        assessment.answers_meta = {question_id: {"v": 0, "carried": True} for question_id in carried}
    db.session.add(assessment)
    try:
        db.session.flush()
        audit.record("assessment.start", user=user, object_type="assessment", object_id=assessment.id)
        db.session.commit()
    except IntegrityError:
        # A concurrent request (double click, second tab) created it first: use that one.
        db.session.rollback()
        existing = db.session.scalar(
            select(Assessment).where(
                Assessment.enterprise_id == enterprise.id, Assessment.round_id == round_.id
            )
        )
        if existing is None:
            raise
        return existing
    return assessment


# --- answers -------------------------------------------------------------------------------------


def _locking(statement: Any) -> Any:
    """A fresh read of the assessment with its round, locked FOR UPDATE where the database supports it."""
    statement = statement.options(joinedload(Assessment.round, innerjoin=True)).execution_options(
        populate_existing=True
    )
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(of=Assessment)
    return statement


def _lock(assessment_id: int) -> Assessment:
    """Re-read the row (locked FOR UPDATE where the database supports it)."""
    found = db.session.scalar(_locking(select(Assessment).where(Assessment.id == assessment_id)))
    if found is None:
        raise AssessmentError(N_("Assessment not found."), 404)
    return found


def _same(left: Any, right: Any) -> bool:
    # json round trip: 3 == 3.0 and tuples == lists, as the stored JSON would have it.
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def _errors_as_dicts(error: questionnaires.AnswerValidationError) -> dict[str, dict[str, str]]:
    return {question_id: text.to_dict() for question_id, text in error.errors.items()}


def save_answers(
    assessment: Assessment,
    client_version: int,
    answers: Mapping[str, Any],
    *,
    user: User | None = None,
    confirm: tuple[str, ...] = (),
    locked: bool = False,
) -> int:
    """Merge `answers` (None clears one) written on `client_version`; return the new version.

    Raises InvalidAnswers (422) for bad values, StaleVersion (409) when a question in the request
    was changed by someone else after `client_version` (an identical value is not a conflict), and
    AssessmentError (409) when the assessment is not editable. `confirm` lists carried-over answers
    the user saw and kept (they lose their "待确认" mark).
    """
    questionnaire = questionnaire_of(assessment)
    try:
        questionnaires.validate_answers(questionnaire, answers)
    except questionnaires.AnswerValidationError as error:
        raise InvalidAnswers(_errors_as_dicts(error)) from error
    assessment_id = assessment.id
    for attempt in range(_SAVE_ATTEMPTS):
        # `locked`: the caller read it with get_for_user(for_update=True) in this transaction.
        current = assessment if locked and attempt == 0 else _lock(assessment_id)
        if current.status not in EDITABLE_STATUSES:
            db.session.rollback()
            raise AssessmentError(N_("This assessment has been submitted and can no longer be changed."), 409)
        if current.round.status != "open":
            db.session.rollback()
            raise AssessmentError(
                N_("This assessment round is closed: answers can no longer be changed or submitted."), 409
            )
        stored = dict(current.answers or {})
        meta = {key: dict(value) for key, value in (current.answers_meta or {}).items()}
        conflicts = [
            question_id
            for question_id, value in answers.items()
            if int(meta.get(question_id, {}).get("v", 0)) > client_version
            and not _same(stored.get(question_id), value)
        ]
        if conflicts:
            db.session.rollback()
            raise StaleVersion(current.version, stored, conflicts)
        changed = [
            question_id
            for question_id, value in answers.items()
            if not _same(stored.get(question_id), value) or meta.get(question_id, {}).get("carried")
        ]
        confirmed = [question_id for question_id in confirm if meta.get(question_id, {}).get("carried")]
        if not changed and not confirmed:
            version = current.version
            db.session.rollback()
            return version
        new_version = current.version + 1
        now = utcnow().isoformat(timespec="seconds")
        for question_id in changed:
            value = answers[question_id]
            if value is None:
                stored.pop(question_id, None)
            else:
                stored[question_id] = value
            meta[question_id] = {"v": new_version, "at": now, "by": user.id if user else None}
        for question_id in confirmed:
            if question_id not in changed:
                entry = meta.setdefault(question_id, {"v": 0})
                entry.pop("carried", None)
        outcome = db.session.execute(
            update(Assessment)
            .where(Assessment.id == assessment_id, Assessment.version == current.version)
            .values(answers=stored, answers_meta=meta, version=new_version, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if outcome.rowcount == 1:
            db.session.commit()  # expires `assessment`: its next use reloads it
            return new_version
        # Someone else wrote between our read and our update (SQLite): read again and re-check.
        db.session.rollback()
    raise AssessmentError(N_("The assessment is busy; please try again."), 409)


def carried_over(assessment: Assessment) -> set[str]:
    """Question ids whose answer was copied from last round and not confirmed yet ("待确认")."""
    return {
        question_id
        for question_id, entry in (assessment.answers_meta or {}).items()
        if isinstance(entry, Mapping) and entry.get("carried") and question_id in (assessment.answers or {})
    }


def _answered(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class SectionProgress:
    """How far a section is: shown questions, answered ones, required ones still open."""

    id: str
    title: Any
    shown: int
    answered: int
    missing_required: int

    @property
    def percent(self) -> int:
        """Answered share of the shown questions, 0..100."""
        return 100 if self.shown == 0 else round(100 * self.answered / self.shown)


def progress(
    questionnaire: Questionnaire, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> tuple[list[SectionProgress], int]:
    """Progress per section and overall (percent of shown questions answered)."""
    visible = visible_question_ids(questionnaire, answers, context)
    sections = []
    total_shown = total_answered = 0
    for section in questionnaire.sections:
        shown = [qid for qid in section.question_ids if qid in visible]
        answered = [qid for qid in shown if _answered(answers.get(qid))]
        missing = [
            qid for qid in shown if questionnaire.question(qid).required and not _answered(answers.get(qid))
        ]
        sections.append(SectionProgress(section.id, section.title, len(shown), len(answered), len(missing)))
        total_shown += len(shown)
        total_answered += len(answered)
    overall = 100 if total_shown == 0 else round(100 * total_answered / total_shown)
    return sections, overall


# --- submit --------------------------------------------------------------------------------------


def _key_digest(assessment_id: int, key: str) -> str:
    return hashlib.sha256(f"{assessment_id}:{key}".encode()).hexdigest()


def submit(
    assessment: Assessment, user: User, idempotency_key: str | None = None, *, pledge: bool = True
) -> dict[str, Any]:
    """Validate, score and submit (status submitted, report pending) in one transaction; idempotent.

    A repeated request (same key, or the assessment already submitted) returns the stored result.
    """
    current = _lock(assessment.id)
    if current.status in SUBMITTED_STATUSES and current.result is not None:
        db.session.rollback()
        return dict(current.result)
    if current.round.status != "open":
        db.session.rollback()
        raise AssessmentError(
            N_("This assessment round is closed: answers can no longer be changed or submitted."), 409
        )
    if not pledge:
        db.session.rollback()
        raise IncompleteSubmission([], pledge_missing=True)
    questionnaire = questionnaire_of(current)
    answers = dict(current.answers or {})
    try:
        questionnaires.validate_answers(questionnaire, answers)
    except questionnaires.AnswerValidationError as error:
        db.session.rollback()
        raise InvalidAnswers(_errors_as_dicts(error)) from error
    missing = questionnaires.missing_required(questionnaire, answers, context_of(current))
    if missing:
        db.session.rollback()
        raise IncompleteSubmission(missing)
    # Claim the submission first: a concurrent second request finds no editable row and waits/returns.
    claimed = db.session.execute(
        update(Assessment)
        .where(Assessment.id == current.id, Assessment.status.in_(EDITABLE_STATUSES))
        .values(status="submitted")
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        again = _lock(assessment.id)
        db.session.rollback()
        return dict(again.result or {})
    db.session.refresh(current)
    result = results.score_and_store(current)
    current.submitted_at = utcnow()
    current.submitted_by_id = user.id
    current.report_status = "pending"
    current.idempotency_key = _key_digest(current.id, idempotency_key) if idempotency_key else None
    # Answers are now confirmed as submitted: clear the carried-over marks.
    current.answers_meta = {
        key: {k: v for k, v in value.items() if k != "carried"} if isinstance(value, Mapping) else value
        for key, value in (current.answers_meta or {}).items()
    }
    db.session.flush()
    results.refresh_current(current.enterprise_id, current.round_id)
    audit.record("assessment.submit", user=user, object_type="assessment", object_id=current.id)
    _crash_test_pause()
    db.session.commit()
    db.session.refresh(assessment)
    return result


def _crash_test_pause() -> None:
    """Test hook (testing/debug apps only): sleep PORTAL_TEST_SUBMIT_DELAY seconds before the submit commits."""
    delay = os.environ.get("PORTAL_TEST_SUBMIT_DELAY")
    if delay and (current_app.testing or current_app.debug):
        print(
            f"PORTAL_TEST_SUBMIT_DELAY: pid {os.getpid()} sleeps before commit", file=sys.stderr, flush=True
        )
        time.sleep(float(delay))


# --- review helpers ------------------------------------------------------------------------------


def review(assessment: Assessment) -> dict[str, Any]:
    """Unanswered required question ids and plausibility warnings of a draft."""
    questionnaire = questionnaire_of(assessment)
    answers = assessment.answers or {}
    context = context_of(assessment)
    return {
        "missing": questionnaires.missing_required(questionnaire, answers, context),
        "warnings": questionnaires.plausibility_warnings(questionnaire, answers, context),
        "carried": sorted(carried_over(assessment)),
    }


def comparison(assessment: Assessment) -> dict[str, Any] | None:
    """scoring.compare of the previous round's result with this one (None when there is none)."""
    import scoring

    if not assessment.result:
        return None
    previous = previous_assessment(assessment)
    if previous is None or not previous.result:
        return None
    questionnaire = questionnaire_of(assessment)
    mapping = {q.previous_id: q.id for q in questionnaire.questions if q.previous_id}
    return scoring.compare(previous.result, assessment.result, question_map=mapping).to_dict()


def is_na(value: Any) -> bool:
    """Whether an answer is "not applicable"."""
    return isinstance(value, str) and value == NA


# --- invites (a second user of the same enterprise) -----------------------------------------------


def _invite_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()[:40]


def create_invite(user: User, enterprise_id: int) -> tuple[str, Any]:
    """Issue a one-time invite code (shown once; only its hash is stored) valid for INVITE_HOURS."""
    if enterprise_id not in {enterprise.id for enterprise in approved_enterprises(user)}:
        raise AssessmentError(N_("Enterprise not found."), 404)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    code = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
    expires = utcnow() + timedelta(hours=INVITE_HOURS)
    db.session.add(
        Invite(
            enterprise_id=enterprise_id,
            code_hash=_invite_hash(code),
            created_by_id=user.id,
            expires_at=expires,
        )
    )
    audit.record("invite.create", user=user, object_type="enterprise", object_id=enterprise_id)
    db.session.commit()
    return code, expires


def _valid_invite(code: str) -> Invite:
    invite = db.session.scalar(select(Invite).where(Invite.code_hash == _invite_hash(code or "")))
    if invite is None or invite.used_at is not None:
        raise AssessmentError(N_("This invite code is not valid."), 404)
    if invite.expires_at < utcnow() or invite.enterprise is None:
        raise AssessmentError(N_("This invite code is not valid or has expired."), 404)
    return invite


def redeem_invite(user: User, code: str) -> Enterprise:
    """Join the enterprise of a valid, unexpired invite code (the code is used up)."""
    invite = _valid_invite(code)
    enterprise = invite.enterprise
    invite.used_at = utcnow()
    invite.used_by_id = user.id
    existing = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.enterprise_id == enterprise.id)
    )
    if existing is None:
        db.session.add(
            Membership(
                user=user, enterprise=enterprise, status="approved", role="member", decided_at=utcnow()
            )
        )
    else:
        existing.status = "approved"
    audit.record("invite.redeem", user=user, object_type="enterprise", object_id=enterprise.id)
    db.session.commit()
    return enterprise


def join_with_invite(code: str, username: str, password: str) -> User:
    """Create an enterprise user from a valid invite code and link them to its enterprise."""
    from portal.services import accounts

    _valid_invite(code)
    user = accounts.create_user(username, password, "enterprise")
    redeem_invite(user, code)
    return user


# --- a section posted after the session had expired -----------------------------------------------


def stash_section(user_id: int, assessment_id: int, section_id: str, form: Mapping[str, list[str]]) -> bool:
    """Keep a section's posted fields for `user_id` (one per user, assessment and section; replaced).

    Only for the user's own assessment; stashes older than STASH_DAYS are purged here. Returns whether
    a stash was kept.
    """
    user = db.session.get(User, user_id)
    if user is None or get_for_user(user, assessment_id) is None:
        return False
    section = section_id[:64]
    now = utcnow()
    db.session.execute(delete(SectionStash).where(SectionStash.created_at < now - timedelta(days=STASH_DAYS)))
    db.session.execute(
        delete(SectionStash).where(
            SectionStash.user_id == user_id,
            SectionStash.assessment_id == assessment_id,
            SectionStash.section == section,
        )
    )
    answers = {key: list(values) for key, values in form.items() if key != "csrf_token"}
    db.session.add(
        SectionStash(
            user_id=user_id, assessment_id=assessment_id, section=section, answers=answers, created_at=now
        )
    )
    db.session.commit()
    return True


def take_stash(user: User, assessment_id: int, section_id: str) -> dict[str, Any] | None:
    """The user's stashed form of this section (or of the assessment's first page), removed once taken."""
    stash = db.session.scalar(
        select(SectionStash)
        .where(
            SectionStash.user_id == user.id,
            SectionStash.assessment_id == assessment_id,
            SectionStash.section.in_(("", section_id)),
            SectionStash.created_at >= utcnow() - timedelta(days=STASH_DAYS),
        )
        .order_by(SectionStash.created_at.desc())
        .limit(1)
    )
    if stash is None:
        return None
    payload = {"assessment_id": assessment_id, "section": stash.section, "form": dict(stash.answers)}
    db.session.delete(stash)
    db.session.commit()
    return payload
