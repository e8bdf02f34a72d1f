"""Response security headers, rate limits (Flask-Limiter) and ProxyFix, set up by `init_app`."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Endpoints that take a user name and password (form or JSON) and get the login limits.
LOGIN_ENDPOINTS = ("auth.login", "api.post_session", "auth.redeem_reset_code")
REGISTRATION_ENDPOINTS = ("auth.register",)
AUTOSAVE_ENDPOINTS = ("api.put_answers",)


def init_app(app: Flask) -> None:
    """Install ProxyFix (when configured), the security headers, the JSON depth check and the rate limits."""
    install_proxy_fix(app)
    app.after_request(add_security_headers)
    app.before_request(refuse_deep_json)
    init_rate_limits(app)


# --- bad input -----------------------------------------------------------------------------------

MAX_JSON_DEPTH = 32
MAX_SCANNED_BODY = 256 * 1024
# A string literal, or an unterminated one up to the end (so the scan stays linear on hostile input).
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\Z)', re.DOTALL)
_JSON_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes, stop_above: int | None = None) -> int:
    """Deepest nesting of arrays/objects in a JSON text, without parsing it (strings are skipped)."""
    depth = deepest = 0
    for match in _JSON_BRACKETS.finditer(_JSON_STRING.sub(b"", body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if stop_above is not None and deepest > stop_above:
                return deepest
        else:
            depth -= 1
    return deepest


def refuse_deep_json(max_depth: int = MAX_JSON_DEPTH) -> tuple[Any, int] | None:
    """Refuse API bodies nested deeper than MAX_JSON_DEPTH (the JSON parser would recurse out of stack)."""
    if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    length = request.content_length
    if length is None or length > MAX_SCANNED_BODY:
        return None  # no body, or too large: the API answers 413 itself
    if json_depth(request.get_data(cache=True), stop_above=max_depth) > max_depth:
        return jsonify(error=f"The JSON body is nested deeper than {max_depth} levels."), 400
    return None


# --- proxy ---------------------------------------------------------------------------------------


def install_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* from that many proxies (PROXY_FIX_X_FOR etc.; all 0 = no ProxyFix)."""
    counts = {
        name: int(app.config.get(f"PROXY_FIX_X_{name.upper()}", 0) or 0)
        for name in ("for", "proto", "host", "port", "prefix")
    }
    if any(counts.values()):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=counts["for"],
            x_proto=counts["proto"],
            x_host=counts["host"],
            x_port=counts["port"],
            x_prefix=counts["prefix"],
        )


# --- headers -------------------------------------------------------------------------------------


def add_security_headers(response: Response) -> Response:
    """Set CSP, nosniff, referrer policy and frame denial on every response (keeping explicit ones)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE") and current_app.config.get("HSTS_SECONDS", 0):
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={int(current_app.config['HSTS_SECONDS'])}"
        )
    return response


# --- rate limits ---------------------------------------------------------------------------------


def client_key() -> str:
    """Rate-limit key of the client: its IP address (the real one when ProxyFix is configured)."""
    return request.remote_addr or "unknown"


def user_or_client_key() -> str:
    """The logged-in user's id (so one office behind NAT shares nothing), else the client IP."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.get_id().split(':', 1)[0]}"
    return f"ip:{client_key()}"


def submitted_username() -> str:
    """The user name of a login attempt (form field or JSON member), lower-cased; '' if none."""
    name: Any = request.form.get("username")
    if name is None and request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return str(name or "").strip().lower()[:64]


def _username_key() -> str:
    return f"username:{submitted_username()}"


def _no_username() -> bool:
    return submitted_username() == ""


def storage_uri(app: Flask) -> str:
    """RATELIMIT_STORAGE_URI, else REDIS_URL, else process memory."""
    return app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"


def limiter_of(app: Flask) -> Limiter | None:
    """The app's Limiter (None when rate limits are off)."""
    return app.extensions.get("portal_limiter")


def init_rate_limits(app: Flask) -> None:
    """Create this app's Limiter and attach the login, registration, API and autosave limits."""
    app.config.setdefault("RATELIMIT_ENABLED", True)
    if not app.config["RATELIMIT_ENABLED"]:
        return
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "portal-rl")
    limiter = Limiter(key_func=client_key, strategy="moving-window")
    limiter.init_app(app)
    app.extensions["portal_limiter"] = limiter

    def post_only(limits: str, key_func: Any, **kwargs: Any) -> Any:
        return limiter.limit(limits, key_func=key_func, methods=["POST"], override_defaults=False, **kwargs)

    decorators: dict[str, list[Any]] = {}
    for endpoint in LOGIN_ENDPOINTS:
        decorators.setdefault(endpoint, []).extend(
            [
                post_only(app.config["RATELIMIT_LOGIN_IP"], client_key, scope="login-ip"),
                post_only(
                    app.config["RATELIMIT_LOGIN_USER"],
                    _username_key,
                    scope="login-user",
                    exempt_when=_no_username,
                ),
            ]
        )
    for endpoint in REGISTRATION_ENDPOINTS:
        decorators.setdefault(endpoint, []).append(
            post_only(app.config["RATELIMIT_REGISTER"], client_key, scope="register")
        )
    for endpoint in AUTOSAVE_ENDPOINTS:
        decorators.setdefault(endpoint, []).append(
            limiter.limit(
                app.config["RATELIMIT_AUTOSAVE"],
                key_func=user_or_client_key,
                scope="autosave",
                override_defaults=False,
            )
        )
    for endpoint, limits in decorators.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        wrapped = view
        for decorator in limits:
            wrapped = decorator(wrapped)
        app.view_functions[endpoint] = wrapped
    api = app.blueprints.get("api")
    if api is not None:
        limiter.shared_limit(
            app.config["RATELIMIT_API"], scope="api", key_func=user_or_client_key, override_defaults=False
        )(api)

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(error: RateLimitExceeded) -> tuple[Any, int]:
        if request.path.startswith("/api/"):
            return jsonify(error="Too many requests: slow down and try again shortly."), 429
        return render_template("errors/error.html", code=429), 429
