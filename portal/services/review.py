"""Review of submitted assessments: verify or return, on-site visits, answer corrections; every step audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

import questionnaires
from portal.extensions import db
from portal.models import Assessment, Enterprise, User, utcnow
from portal.models_officials import AnswerCorrection, AssessmentReview, SiteVisit
from portal.services import aggregates, audit, results
from portal.services.enterprises import scope_enterprises


class ReviewError(ValueError):
    """A review step that is not allowed (wrong status, no reviewer right, invalid correction)."""


def visible_assessment(user: User, assessment_id: int) -> Assessment | None:
    """The assessment if its enterprise lies in the official's scope (None -> 404)."""
    query = select(Assessment).join(Enterprise, Enterprise.id == Assessment.enterprise_id)
    query = scope_enterprises(query.where(Assessment.id == assessment_id), user)
    return db.session.scalar(query)


def can_review(user: User) -> bool:
    """Whether the user holds the reviewer right (admins always do)."""
    return user.role == "admin" or (user.role == "official" and bool(user.is_reviewer))


def corrections(assessment: Assessment) -> list[AnswerCorrection]:
    """The reviewer's corrections of an assessment, by question."""
    return list(
        db.session.scalars(
            select(AnswerCorrection)
            .where(AnswerCorrection.assessment_id == assessment.id)
            .order_by(AnswerCorrection.question_id)
        )
    )


def visits(assessment: Assessment) -> list[SiteVisit]:
    """On-site visits recorded for an assessment, newest first."""
    return list(
        db.session.scalars(
            select(SiteVisit)
            .where(SiteVisit.assessment_id == assessment.id)
            .order_by(SiteVisit.visited_on.desc(), SiteVisit.id.desc())
        )
    )


def reviews(assessment: Assessment) -> list[AssessmentReview]:
    """Review decisions on an assessment, oldest first."""
    return list(
        db.session.scalars(
            select(AssessmentReview)
            .where(AssessmentReview.assessment_id == assessment.id)
            .order_by(AssessmentReview.at, AssessmentReview.id)
        )
    )


def plausibility_warnings(assessment: Assessment) -> list[dict[str, Any]]:
    """The questionnaire's plausibility warnings for the stored result (shown to the reviewer)."""
    return list((assessment.result or {}).get("warnings") or [])


def corrected_answers(assessment: Assessment) -> dict[str, Any]:
    """The self-reported answers with the reviewer's corrections applied."""
    merged = dict(assessment.answers or {})
    for correction in corrections(assessment):
        if correction.corrected is None:
            merged.pop(correction.question_id, None)
        else:
            merged[correction.question_id] = correction.corrected
    return merged


def _require(user: User, assessment: Assessment, statuses: tuple[str, ...]) -> None:
    if not can_review(user):
        raise ReviewError("no reviewer right")
    if assessment.status not in statuses:
        raise ReviewError(f"the assessment is {assessment.status}")


def parse_answer(assessment: Assessment, question_id: str, raw: str) -> Any:
    """Turn a reviewer's typed value into an answer of the question's type (ReviewError if invalid)."""
    questionnaire = questionnaires.load(assessment.questionnaire_id, assessment.questionnaire_version)
    question = questionnaire.questions_by_id.get(question_id)
    if question is None:
        raise ReviewError(f"unknown question {question_id!r}")
    text = raw.strip()
    value: Any
    if text == "":
        value = None
    elif question.type in ("number", "percent"):
        try:
            number = float(text)
        except ValueError as error:
            raise ReviewError(f"{question_id}: a number is needed") from error
        value = int(number) if number.is_integer() else number
    elif question.type == "multi":
        value = [part.strip() for part in text.split(",") if part.strip()]
    elif question.type == "boolean":
        value = text.lower() in ("1", "true", "yes", "是", "y")
    else:
        value = text
    if value is not None:
        try:
            questionnaires.validate_answers(questionnaire, {question_id: value})
        except questionnaires.AnswerValidationError as error:
            raise ReviewError(f"{question_id}: invalid answer") from error
    return value


def correct_answer(assessment: Assessment, reviewer: User, question_id: str, value: Any, reason: str) -> None:
    """Record (or replace) a correction beside the self-reported answer; audited; commits."""
    _require(reviewer, assessment, ("submitted",))
    existing = db.session.scalar(
        select(AnswerCorrection).where(
            AnswerCorrection.assessment_id == assessment.id, AnswerCorrection.question_id == question_id
        )
    )
    self_reported = (assessment.answers or {}).get(question_id)
    previous = existing.corrected if existing is not None else None
    if existing is None:
        existing = AnswerCorrection(assessment_id=assessment.id, question_id=question_id)
        db.session.add(existing)
    existing.self_reported = self_reported
    existing.corrected = value
    existing.reason = reason
    existing.corrected_by_id = reviewer.id
    audit.record(
        "assessment.correct_answer",
        user=reviewer,
        object_type="assessment",
        object_id=assessment.id,
        detail={
            "question": question_id,
            "self_reported": self_reported,
            "previous_correction": previous,
            "corrected": value,
            "reason": reason,
        },
    )
    db.session.commit()


def record_visit(
    assessment: Assessment, reviewer: User, visited_on: date, people: str, findings: str
) -> SiteVisit:
    """Record an on-site visit (date, people, findings); audited; commits."""
    _require(reviewer, assessment, ("submitted", "verified"))
    visit = SiteVisit(
        assessment_id=assessment.id,
        visited_on=visited_on,
        people=people,
        findings=findings,
        recorded_by_id=reviewer.id,
    )
    db.session.add(visit)
    db.session.flush()
    audit.record(
        "assessment.site_visit",
        user=reviewer,
        object_type="assessment",
        object_id=assessment.id,
        detail={"visit": visit.id, "visited_on": visited_on.isoformat(), "people": people},
    )
    db.session.commit()
    return visit


def _transition(
    assessment: Assessment, reviewer: User, to_status: str, comment: str | None
) -> AssessmentReview:
    review = AssessmentReview(
        assessment_id=assessment.id,
        from_status=assessment.status,
        to_status=to_status,
        comment=comment,
        reviewer_id=reviewer.id,
        self_reported_score=assessment.overall_score,
        self_reported_level=assessment.gated_level,
    )
    return review


def verify(assessment: Assessment, reviewer: User, comment: str = "") -> AssessmentReview:
    """submitted -> verified; with corrections the verified result is scored on the corrected answers."""
    _require(reviewer, assessment, ("submitted",))
    aggregates.remember(assessment)
    review = _transition(assessment, reviewer, "verified", comment or None)
    if corrections(assessment):
        results.score_and_store(assessment, answers=corrected_answers(assessment))
    assessment.status = "verified"
    assessment.verified_at = utcnow()
    assessment.verified_by_id = reviewer.id
    assessment.report_status = "pending"  # the PDF must say "verified" (its cache key is the result hash)
    assessment.version = (assessment.version or 1) + 1
    review.reviewed_score = assessment.overall_score
    review.reviewed_level = assessment.gated_level
    db.session.add(review)
    db.session.flush()
    results.refresh_current(assessment.enterprise_id, assessment.round_id)
    audit.record(
        "assessment.verify",
        user=reviewer,
        object_type="assessment",
        object_id=assessment.id,
        detail={
            "from": review.from_status,
            "to": "verified",
            "comment": comment,
            "self_reported_score": review.self_reported_score,
            "verified_score": review.reviewed_score,
        },
    )
    db.session.commit()
    return review


def return_to_enterprise(assessment: Assessment, reviewer: User, comment: str) -> AssessmentReview:
    """submitted -> returned with a comment the enterprise sees; audited; commits.

    Refused in a closed round: the enterprise could not edit or resubmit it there (answers are frozen).
    Verifying, correcting and visits stay allowed in a closed round: they need no change by the enterprise.
    """
    _require(reviewer, assessment, ("submitted",))
    if assessment.round is not None and assessment.round.status != "open":
        raise ReviewError(
            _(
                "This assessment round is closed: the enterprise could no longer change the assessment, "
                "so it cannot be returned. Verify it (with corrections) instead."
            )
        )
    if not comment.strip():
        raise ReviewError("a comment is required when returning an assessment")
    aggregates.remember(assessment)
    review = _transition(assessment, reviewer, "returned", comment)
    assessment.status = "returned"
    assessment.return_comment = comment
    assessment.version = (assessment.version or 1) + 1
    db.session.add(review)
    db.session.flush()
    results.refresh_current(assessment.enterprise_id, assessment.round_id)
    audit.record(
        "assessment.return",
        user=reviewer,
        object_type="assessment",
        object_id=assessment.id,
        detail={"from": review.from_status, "to": "returned", "comment": comment},
    )
    db.session.commit()
    return review
