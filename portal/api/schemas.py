"""Request body checks of the JSON API: each returns the cleaned data or raises SchemaError (400/422)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_ANSWERS_PER_REQUEST = 500
MAX_BODY_BYTES = 256 * 1024


class SchemaError(Exception):
    """A body that does not have the documented shape; `status` is 400 or 422."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise SchemaError("The request body must be a JSON object.")
    return body


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def session_login(body: Any) -> tuple[str, str]:
    """{username, password} -> (username, password)."""
    data = _object(body)
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise SchemaError("username and password (strings) are required.", 422)
    if len(username) > 64 or len(password) > 256:
        raise SchemaError("username or password too long.", 422)
    return username, password


def create_assessment(body: Any) -> int | None:
    """{enterprise_id?} -> enterprise id or None (an empty or missing body is allowed)."""
    if body is None:
        return None
    data = _object(body)
    enterprise_id = data.get("enterprise_id")
    if enterprise_id is not None and not _integer(enterprise_id):
        raise SchemaError("enterprise_id must be an integer.", 422)
    return enterprise_id


def put_answers(body: Any) -> tuple[int, dict[str, Any]]:
    """{version, answers: {question_id: value}} -> (version, answers)."""
    data = _object(body)
    version, answers = data.get("version"), data.get("answers")
    if not _integer(version) or version < 0:
        raise SchemaError("version must be a non-negative integer.", 422)
    if not isinstance(answers, Mapping):
        raise SchemaError("answers must be an object of question id to value.", 422)
    if len(answers) > MAX_ANSWERS_PER_REQUEST:
        raise SchemaError(f"at most {MAX_ANSWERS_PER_REQUEST} answers per request.", 422)
    return version, dict(answers)


def submit(body: Any) -> bool:
    """{pledge: true} -> whether the truthfulness pledge was given."""
    if body is None:
        return False
    data = _object(body)
    pledge = data.get("pledge")
    if pledge is not None and not isinstance(pledge, bool):
        raise SchemaError("pledge must be true or false.", 422)
    return bool(pledge)
