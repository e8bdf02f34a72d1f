"""Rate limits: login by IP and by user name, registration, the API; switched off by RATELIMIT_ENABLED."""

from __future__ import annotations

import pytest
from flask import Flask

from portal import create_app
from portal.extensions import db
from tests.factories import DEFAULT_PASSWORD, RoundFactory, enterprise_user


@pytest.fixture
def limited_app(app: Flask) -> Flask:
    """A second app with rate limits on (tight limits, fresh in-memory counters)."""
    return create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "REDIS_URL": None,
            "RATELIMIT_LOGIN_IP": "6 per minute",
            "RATELIMIT_LOGIN_USER": "3 per minute",
            "RATELIMIT_REGISTER": "2 per hour",
            "RATELIMIT_API": "60 per minute",
            "RATELIMIT_AUTOSAVE": "20 per minute",
        },
    )


def _attempt(client, username: str, ip: str = "10.0.0.1"):
    return client.post(
        "/login", data={"username": username, "password": "wrong-password"}, environ_base={"REMOTE_ADDR": ip}
    )


def test_tests_run_without_rate_limits_by_default(app, client):
    assert app.config["RATELIMIT_ENABLED"] is False
    for _ in range(25):
        assert client.post("/login", data={"username": "nobody", "password": "x"}).status_code == 200


def test_login_is_limited_per_user_name_across_addresses(limited_app):
    client = limited_app.test_client()
    codes = [_attempt(client, "victim", ip=f"10.0.1.{n}").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    # Another user name from a fresh address is not affected.
    assert _attempt(client, "someone-else", ip="10.0.2.1").status_code == 200


def test_login_is_limited_per_address_across_user_names(limited_app):
    client = limited_app.test_client()
    codes = [_attempt(client, f"name{n}", ip="10.0.3.1").status_code for n in range(7)]
    assert codes[:6] == [200] * 6 and codes[6] == 429
    assert _attempt(client, "name99", ip="10.0.3.2").status_code == 200
    # The login page itself (GET) stays reachable.
    assert client.get("/login", environ_base={"REMOTE_ADDR": "10.0.3.1"}).status_code == 200


def test_api_login_shares_the_login_limits_and_answers_json(limited_app):
    client = limited_app.test_client()
    for _ in range(3):
        response = client.post("/api/v1/session", json={"username": "apiuser", "password": "wrong"})
        assert response.status_code == 403
    blocked = client.post("/api/v1/session", json={"username": "apiuser", "password": "wrong"})
    assert blocked.status_code == 429
    assert "error" in blocked.get_json()
    assert blocked.headers.get("Retry-After")


def test_registration_is_limited_per_address(limited_app):
    client = limited_app.test_client()
    env = {"REMOTE_ADDR": "10.0.4.1"}
    codes = [client.post("/register", data={"name": "x"}, environ_base=env).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    page = client.post("/register", data={"name": "x"}, environ_base=env)
    assert page.status_code == 429 and "429" in page.get_data(as_text=True)


def test_api_default_limit_and_a_respondents_autosave_pace(limited_app):
    with limited_app.app_context():
        RoundFactory()
        user = enterprise_user()
        db.session.commit()
        username = user.username
    client = limited_app.test_client()
    assert (
        client.post("/api/v1/session", json={"username": username, "password": DEFAULT_PASSWORD}).status_code
        == 200
    )
    created = client.post("/api/v1/assessments", json={})
    assert created.status_code in (200, 201), created.get_json()
    assessment_id, version = created.get_json()["id"], created.get_json()["version"]
    # 15 saves in a minute (one every four seconds) is a brisk respondent: all accepted.
    for _ in range(15):
        response = client.put(
            f"/api/v1/assessments/{assessment_id}/answers", json={"version": version, "answers": {}}
        )
        assert response.status_code == 200, response.get_json()
        version = response.get_json()["version"]
    statuses = [
        client.put(
            f"/api/v1/assessments/{assessment_id}/answers", json={"version": version, "answers": {}}
        ).status_code
        for _ in range(10)
    ]
    assert 429 in statuses  # autosave limit of 20/min reached
    codes = [client.get("/api/v1/session").status_code for _ in range(40)]
    assert codes[0] == 200 and codes[-1] == 429  # the API-wide limit (60/min for this user) counts every call


def test_lockout_stays_on_when_rate_limits_are_off(app, client):
    with app.app_context():
        user = enterprise_user()
        db.session.commit()
        username = user.username
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"username": username, "password": "wrong-password"})
    response = client.post("/login", data={"username": username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200  # refused (locked), not logged in
    assert client.get("/enterprise").status_code == 302


def test_storage_follows_redis_url(app):
    from portal.security import storage_uri

    other = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_STORAGE_URI": None,
            "REDIS_URL": "redis://127.0.0.1:6379/15",
        },
    )
    assert storage_uri(other) == "redis://127.0.0.1:6379/15"
    other.config["REDIS_URL"] = None
    assert storage_uri(other) == "memory://"
