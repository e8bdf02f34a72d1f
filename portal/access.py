"""The one permission mechanism: `@access(rule)` on every view, plus scope helpers used by services.

Anonymous callers of a protected page are sent to the login form; of a JSON path (/api/) they get
401 {"error": ...}. A logged-in user whose role does not fit the rule gets 404 (JSON under /api/), as
for someone else's object: the page's existence is not confirmed to them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, jsonify, request
from flask_login import current_user

from portal.extensions import login_manager

# Rule -> roles allowed ("anonymous" and "authenticated" are special).
RULES: dict[str, tuple[str, ...]] = {
    "anonymous": (),
    "authenticated": (),
    "enterprise": ("enterprise",),
    "official": ("official",),
    "staff": ("official", "admin"),  # officials of any scope and admins
    "admin": ("admin",),
    "auditor": ("auditor", "admin"),
}

F = TypeVar("F", bound=Callable[..., Any])


def is_json_path() -> bool:
    """True for the JSON API (/api/...), whose errors are JSON bodies, never redirects or HTML."""
    return request.path.startswith("/api/")


def access(rule: str) -> Callable[[F], F]:
    """Declare who may call a view; the rule is recorded on the function as `access_rule`."""
    if rule not in RULES:
        raise ValueError(f"unknown access rule {rule!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if rule != "anonymous":
                if not current_user.is_authenticated:
                    if is_json_path():
                        return jsonify(error="Not logged in: log in with POST /api/v1/session."), 401
                    return login_manager.unauthorized()
                if rule != "authenticated" and current_user.role not in RULES[rule]:
                    if is_json_path():
                        return jsonify(error="Not found."), 404
                    abort(404)
            return view(*args, **kwargs)

        wrapper.access_rule = rule  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def access_rule_of(view: Callable[..., Any]) -> str | None:
    """The rule declared on a view function, or None."""
    return getattr(view, "access_rule", None)
