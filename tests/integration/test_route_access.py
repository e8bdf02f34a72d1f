"""Every route declares an access rule; anonymous visitors only reach the anonymous ones."""

from __future__ import annotations

import re

from flask import Flask

from portal.access import RULES, access_rule_of

from .conftest import login


def _routes(app: Flask):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def _sample_url(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "1" if "int" in m.group(0) else "en", rule.rule)


def test_every_route_declares_an_access_rule(app):
    missing = [rule.rule for rule, view in _routes(app) if access_rule_of(view) not in RULES]
    assert missing == [], f"routes without @access(...): {missing}"


def test_anonymous_visitors_are_sent_to_login_on_protected_routes(app, client):
    checked = 0
    for rule, view in _routes(app):
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        method = "GET" if "GET" in methods else methods[0]
        response = client.open(_sample_url(rule), method=method)
        location = response.headers.get("Location", "")
        if access_rule_of(view) == "anonymous":
            assert "/login?next=" not in location, rule.rule
            assert response.status_code not in (401, 403), rule.rule
        elif rule.rule.startswith("/api/"):
            # JSON endpoints answer 401 with a JSON error, never a redirect to an HTML form.
            assert response.status_code == 401, f"{method} {rule.rule}"
            assert "error" in response.get_json(), f"{method} {rule.rule}"
        else:
            assert response.status_code == 302 and "/login" in location, f"{method} {rule.rule}"
        checked += 1
    assert checked >= 10


def test_enterprise_user_gets_not_found_on_official_and_admin_pages(app, client):
    from tests.factories import DEFAULT_PASSWORD, enterprise_user

    with app.app_context():
        user = enterprise_user()
        from portal.extensions import db

        db.session.commit()
        username = user.username
    login(client, username, DEFAULT_PASSWORD)
    checked = 0
    for rule, view in _routes(app):
        if access_rule_of(view) in ("staff", "admin", "official") and "GET" in rule.methods:
            response = client.get(_sample_url(rule))
            assert response.status_code == 404, rule.rule
            if rule.rule.startswith("/api/"):
                assert response.get_json() == {"error": "Not found."}, rule.rule
            checked += 1
    assert checked >= 10


def test_an_official_gets_not_found_on_the_admin_area_and_enterprise_pages(app, client):
    from tests.factories import DEFAULT_PASSWORD, official

    with app.app_context():
        username = official("华容区").username
        from portal.extensions import db

        db.session.commit()
    login(client, username, DEFAULT_PASSWORD)
    for url in ("/admin/", "/admin/users", "/enterprise", "/assessments", "/enterprise/colleagues"):
        assert client.get(url).status_code == 404, url
    response = client.get("/api/v1/assessments/1")
    assert response.status_code == 404 and response.get_json() == {"error": "Not found."}


def test_a_route_without_a_rule_is_refused(app):
    """The runtime guard refuses an undeclared endpoint even if the test above were skipped."""
    from portal import create_app

    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @other.route("/undeclared")
    def undeclared() -> str:
        return "should not be served"

    assert other.test_client().get("/undeclared").status_code == 403
