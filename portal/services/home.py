"""The enterprise user's home page as plain data: where each of their enterprises stands in the self-assessment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from portal.models import Assessment, Membership, Round, User
from portal.services import assessments, enterprises, rounds

# Stored times are naive UTC; the users are in Ezhou (UTC+8, no daylight saving time).
LOCAL_TZ = timezone(timedelta(hours=8), "CST")
SCORED_STATUSES = assessments.SUBMITTED_STATUSES


def local_time(moment: datetime | None) -> str | None:
    """A stored naive-UTC time as local 'YYYY-MM-DD HH:MM' (None stays None)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _iso_date(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _text(value: Any, lang: str) -> str | None:
    """One language of a stored {"zh", "en"} text (the other one when it is empty)."""
    if not isinstance(value, Mapping):
        return None if value is None else str(value)
    return value.get(lang) or value.get("zh") or value.get("en")


def _last_saved(assessment: Assessment) -> datetime | None:
    """When an answer was last written by a person (carried-over answers and status changes do not count)."""
    stamps = [
        entry["at"]
        for entry in (assessment.answers_meta or {}).values()
        if isinstance(entry, Mapping) and isinstance(entry.get("at"), str)
    ]
    if not stamps:
        return None
    try:
        return datetime.fromisoformat(max(stamps))
    except ValueError:
        return None


def _round(round_: Round) -> dict[str, Any]:
    return {
        "id": round_.id,
        "name": round_.name,
        "year": round_.year,
        "closes_on": _iso_date(round_.closes_on),
    }


def result_summary(assessment: Assessment, lang: str) -> dict[str, Any]:
    """The headline of a scored assessment: gated level and its name, overall index, the blocking gates."""
    result = assessment.result or {}
    level = result.get("level") or {}
    gated = level.get("gated", assessment.gated_level)
    overall = result.get("overall_score", assessment.overall_score)
    return {
        "assessment_id": assessment.id,
        "round_name": assessment.round.name,
        "round_year": assessment.round.year,
        "status": assessment.status,
        "level": gated,
        "level_name": _text(level.get("name"), lang),
        "band": level.get("band"),
        "next_level": level.get("next_level"),
        "overall": None if overall is None else float(overall),
        "blocking": [
            label
            for label in (_text(gate.get("label"), lang) for gate in level.get("blocking_gates") or [])
            if label
        ],
    }


def _history_row(assessment: Assessment, open_round_id: int | None, lang: str) -> dict[str, Any]:
    scored = assessment.status in SCORED_STATUSES and bool(assessment.result)
    summary = result_summary(assessment, lang) if scored else {}
    return {
        "id": assessment.id,
        "round_name": assessment.round.name,
        "year": assessment.round.year,
        "status": assessment.status,
        "level": summary.get("level"),
        "level_name": summary.get("level_name"),
        "overall": summary.get("overall"),
        "is_open_round": assessment.round_id == open_round_id,
    }


def _current(assessment: Assessment) -> dict[str, Any]:
    """The open round's assessment: state, progress (the section pages' computation) and times."""
    current: dict[str, Any] = {
        "id": assessment.id,
        "status": assessment.status,
        "return_comment": (assessment.return_comment or "").strip() or None,
        "submitted_at": local_time(assessment.submitted_at),
        "verified_at": local_time(assessment.verified_at),
        "last_saved": local_time(_last_saved(assessment)),
        "percent": None,
        "missing_required": None,
    }
    if assessment.status in assessments.EDITABLE_STATUSES:
        questionnaire = assessments.questionnaire_of(assessment)
        context = assessments.display_context(questionnaire, assessment)
        sections, overall = assessments.progress(questionnaire, assessment.answers or {}, context)
        current["percent"] = overall
        current["missing_required"] = sum(section.missing_required for section in sections)
    return current


def assessment_overview(enterprise_id: int, open_round: Round | None, lang: str) -> dict[str, Any]:
    """Where one enterprise stands: the open round, its assessment there, the latest result, the history."""
    history = assessments.history(enterprise_id)
    open_round_id = open_round.id if open_round is not None else None
    in_open_round = next((a for a in history if a.round_id == open_round_id), None)
    if open_round is None:
        state = "no_round"
    elif in_open_round is None:
        state = "not_started"
    else:
        state = in_open_round.status
    latest_scored = next((a for a in history if a.status in SCORED_STATUSES and a.result), None)
    return {
        "state": state,
        "open_round": _round(open_round) if open_round is not None else None,
        "current": _current(in_open_round) if in_open_round is not None else None,
        "result": result_summary(latest_scored, lang) if latest_scored is not None else None,
        "history": [_history_row(assessment, open_round_id, lang) for assessment in history],
    }


def _membership(membership: Membership, open_round: Round | None, lang: str) -> dict[str, Any]:
    enterprise = membership.enterprise
    approved = membership.status == "approved" and enterprise.status == "approved"
    return {
        "enterprise": enterprise,  # for the shared profile partial (plain columns, no lazy loads)
        "enterprise_id": enterprise.id,
        "name": enterprise.name,
        "district": enterprise.district,
        "membership_status": membership.status,
        "reject_reason": membership.reject_reason,
        "assessment": assessment_overview(enterprise.id, open_round, lang) if approved else None,
    }


def enterprise_home(user: User, lang: str) -> list[dict[str, Any]]:
    """One dict per membership of `user` (newest first); approved ones carry their `assessment` overview."""
    open_round = rounds.open_round()
    return [_membership(membership, open_round, lang) for membership in enterprises.memberships_of(user)]
