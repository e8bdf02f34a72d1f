"""Security headers on every response, cookie flags, and sessions that end server-side."""

from __future__ import annotations

import pytest
from flask import Flask

from portal import create_app
from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD, enterprise_user

from .conftest import login

CSP_PARTS = (
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)


def _assert_headers(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    for part in CSP_PARTS:
        assert part in csp
    assert "http" not in csp  # no external origins
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/register",
        "/healthz",
        "/api/v1/session",
        "/api/v1/openapi.json",
        "/no-such-page",
        "/static/css/app.css",
        "/enterprise",
    ],
)
def test_every_kind_of_response_has_the_security_headers(client, path):
    _assert_headers(client.get(path))


def test_headers_on_json_errors_and_logged_in_pages(app, client):
    with app.app_context():
        user = enterprise_user()
        db.session.commit()
        username = user.username
    login(client, username, DEFAULT_PASSWORD)
    _assert_headers(client.get("/enterprise"))
    _assert_headers(client.put("/api/v1/assessments/999999/answers", json={"version": 1, "answers": {}}))


def _session_cookie_header(app: Flask, username: str) -> str:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEFAULT_PASSWORD})
    cookies = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    assert cookies, "login sets the session cookie"
    return cookies[-1]


def test_session_cookie_is_httponly_lax_and_not_secure_over_http(app):
    with app.app_context():
        user = enterprise_user()
        db.session.commit()
        username = user.username
    cookie = _session_cookie_header(app, username).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie.replace("samesite", "")


def test_session_cookie_is_secure_when_served_over_https(app, monkeypatch):
    monkeypatch.setenv("PREFERRED_URL_SCHEME", "https")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    https_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert https_app.config["SESSION_COOKIE_SECURE"] is True
    with https_app.app_context():
        user = enterprise_user()
        db.session.commit()
        username = user.username
    cookie = _session_cookie_header(https_app, username).lower()
    assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_secure_cookie_switch_overrides_the_scheme(app, monkeypatch):
    monkeypatch.setenv("PREFERRED_URL_SCHEME", "https")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")
    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert other.config["SESSION_COOKIE_SECURE"] is False


def test_password_change_ends_the_users_other_sessions(app):
    with app.app_context():
        user = enterprise_user()
        db.session.commit()
        username = user.username
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, username, DEFAULT_PASSWORD)
    login(phone, username, DEFAULT_PASSWORD)
    assert phone.get("/enterprise").status_code == 200
    response = laptop.post(
        "/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "N3w-secret-pw",
            "confirm": "N3w-secret-pw",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/enterprise").status_code == 200  # the device that changed it stays signed in
    gone = phone.get("/enterprise")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]


def test_api_logout_ends_the_session_server_side(app):
    with app.app_context():
        user = enterprise_user()
        db.session.commit()
        username = user.username
    client = app.test_client()
    assert (
        client.post("/api/v1/session", json={"username": username, "password": DEFAULT_PASSWORD}).status_code
        == 200
    )
    with client.session_transaction() as saved:
        stolen = dict(saved)
    assert client.delete("/api/v1/session").status_code == 200
    with client.session_transaction() as session:
        session.update(stolen)
    assert client.get("/api/v1/session").get_json()["user"] is None


def test_proxy_fix_uses_the_forwarded_client_address_only_when_configured(app):
    from portal.models import AuditEvent

    def seen_ip(overrides: dict) -> str | None:
        other = create_app(
            "testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **overrides}
        )
        other.test_client().post(
            "/login",
            data={"username": "nobody-here", "password": "x"},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
        with other.app_context():
            event = db.session.scalars(
                db.select(AuditEvent)
                .where(AuditEvent.username == "nobody-here")
                .order_by(AuditEvent.id.desc())
            ).first()
            return event.ip if event else None

    assert seen_ip({}) == "127.0.0.1"
    assert seen_ip({"PROXY_FIX_X_FOR": 1}) == "203.0.113.7"
