"""Regressions for the 5xx schemathesis found: ids past the INTEGER range, a closed round's draft, odd round years."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from portal.services import assessments as service
from tests.factories import DEFAULT_PASSWORD, EnterpriseFactory, RoundFactory, enterprise_user, official


@pytest.fixture
def clients(app):
    """An enterprise user's and a city official's logged-in API clients, and a draft left in a closed round."""
    with app.app_context():
        enterprise = EnterpriseFactory()
        user = enterprise_user(enterprise)
        city = official(None)
        round_ = RoundFactory(year=2040, opens_on=date(2040, 1, 1), closes_on=date(2040, 12, 31))
        db.session.commit()
        draft = service.start_or_continue(user, enterprise.id)
        round_.status = "closed"
        db.session.commit()
        names, draft_id = (user.username, city.username), draft.id
    logged_in = []
    for name in names:
        client = app.test_client()
        response = client.post("/api/v1/session", json={"username": name, "password": DEFAULT_PASSWORD})
        assert response.status_code == 200
        logged_in.append(client)
    return logged_in[0], logged_in[1], draft_id


@pytest.mark.parametrize("path", ["", "/result", "/answers", "/submit"])
def test_assessment_ids_beyond_the_database_integer_range_are_404(clients, path):
    enterprise_client = clients[0]
    method = {"/answers": "PUT", "/submit": "POST"}.get(path, "GET")
    body = {"version": 1, "answers": {}} if method == "PUT" else {"pledge": True}
    for assessment_id in (2**31, 2**63, 10**30):
        response = enterprise_client.open(
            f"/api/v1/assessments/{assessment_id}{path}", method=method, json=body
        )
        assert response.status_code == 404, (assessment_id, response.status_code)
        assert response.get_json()["error"]


def test_submitting_a_draft_of_a_closed_round_is_a_409_with_a_message(clients):
    enterprise_client, _, draft_id = clients
    response = enterprise_client.post(f"/api/v1/assessments/{draft_id}/submit", json={"pledge": True})
    assert response.status_code == 409
    assert "closed" in response.get_json()["error"]
    assert enterprise_client.get(f"/api/v1/assessments/{draft_id}").get_json()["status"] == "draft"


@pytest.mark.parametrize("round_", ["²", "١٢", str(2**63), "9" * 40])
def test_stats_round_that_is_no_plain_year_is_a_400(clients, round_):
    response = clients[1].get("/api/v1/stats", query_string={"round": round_})
    assert response.status_code == 400, response.status_code
    assert "year" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/v1/assessments", {"POST"}),
        ("/api/v1/session", {"GET", "POST", "DELETE"}),
        ("/login", {"GET", "POST"}),
    ],
)
def test_an_undeclared_method_is_a_405_that_lists_the_allowed_ones(client, path, allowed):
    response = client.open(path, method="TRACE")
    assert response.status_code == 405
    assert allowed <= {method.strip() for method in response.headers["Allow"].split(",")}
    if path.startswith("/api/"):
        assert response.get_json()["error"]


@pytest.mark.parametrize("enterprise_id", [-4264200444, 2**31, 2**63, 10**30])
def test_creating_a_draft_for_an_enterprise_id_past_the_integer_range_is_a_404(app, clients, enterprise_id):
    with app.app_context():
        RoundFactory(year=2041, opens_on=date(2041, 1, 1), closes_on=date(2041, 12, 31))
        db.session.commit()
    response = clients[0].post("/api/v1/assessments", json={"enterprise_id": enterprise_id})
    assert response.status_code == 404
    assert response.get_json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/assessments/2147483648",
        "/assessments/99999999999999999999/report.pdf",
        "/enterprises/2147483648",
        "/officials/enterprises/99999999999999999999",
        "/admin/users/2147483648",
        "/admin/users/99999999999999999999",
    ],
)
def test_page_ids_beyond_the_database_integer_range_are_404_not_a_database_error(app, path):
    from tests.factories import UserFactory

    with app.app_context():
        user = UserFactory(role="admin")
        db.session.commit()
        name = user.username
    client = app.test_client()
    assert client.post("/login", data={"username": name, "password": DEFAULT_PASSWORD}).status_code == 302
    assert client.get(path).status_code == 404
