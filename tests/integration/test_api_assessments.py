"""JSON API v1: session, questionnaires, assessments (create, answers with 409/422, idempotent submit, result)."""

from __future__ import annotations

import json
import random

import pytest

import questionnaires
import scoring
from portal.extensions import db
from portal.services import results
from tests.factories import DEFAULT_PASSWORD, EnterpriseFactory, RoundFactory, enterprise_user


@pytest.fixture
def world(app):
    """An open round, an enterprise with a user, and a second enterprise with its own user."""
    with app.app_context():
        RoundFactory(year=2031)
        enterprise = EnterpriseFactory(industry_division="34")
        user = enterprise_user(enterprise)
        other = enterprise_user()
        db.session.commit()
        return {"user": user.username, "other": other.username, "enterprise_id": enterprise.id}


class ApiClient:
    """A test client that logs in through the API and sends the CSRF header."""

    def __init__(self, client) -> None:
        self.client = client
        self.token = client.get("/api/v1/session").get_json()["csrf_token"]

    def login(self, username: str, password: str = DEFAULT_PASSWORD):
        response = self.call("POST", "/api/v1/session", {"username": username, "password": password})
        if response.status_code == 200:
            self.token = response.get_json()["csrf_token"]
        return response

    def call(self, method: str, url: str, body=None, headers=None, raw: bytes | None = None):
        all_headers = {"X-CSRFToken": self.token, **(headers or {})}
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        return self.client.open(
            url, method=method, data=data, headers=all_headers, content_type="application/json"
        )


@pytest.fixture
def csrf_app(app):
    """The app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def _complete_answers(app, assessment_id: int) -> dict:
    with app.app_context():
        from portal.models import Assessment

        assessment = db.session.get(Assessment, assessment_id)
        questionnaire = questionnaires.load(assessment.questionnaire_id, assessment.questionnaire_version)
        context = results.scoring_context(assessment.enterprise)
    return scoring.random_answers(
        questionnaire, random.Random(7), quality=0.6, context=context, skip_optional=0
    )


def test_session_login_and_logout(csrf_app, client, world):
    api = ApiClient(client)
    assert client.get("/api/v1/session").get_json()["user"] is None
    assert api.login(world["user"], "wrong-password").status_code == 403
    response = api.login(world["user"])
    assert response.status_code == 200
    assert response.get_json()["user"]["username"] == world["user"]
    assert response.get_json()["user"]["enterprises"][0]["id"] == world["enterprise_id"]
    assert api.call("DELETE", "/api/v1/session").status_code == 200
    assert client.get("/api/v1/session").get_json()["user"] is None


def test_post_without_csrf_token_is_a_json_400(csrf_app, client, world):
    response = client.post("/api/v1/session", json={"username": world["user"], "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["error"]


def test_questionnaire_current_has_the_documented_shape(client, world):
    ApiClient(client).login(world["user"])
    document = client.get("/api/v1/questionnaires/current").get_json()
    assert {"id", "version", "dimensions", "sections"} <= set(document)
    question = document["sections"][0]["questions"][0]
    assert {
        "id",
        "dimension",
        "type",
        "required",
        "allows_na",
        "show_if",
        "title",
        "options",
        "min",
        "max",
    } <= set(question)
    assert set(question["title"]) == {"zh", "en"}
    older = client.get(f"/api/v1/questionnaires/{document['id']}/{document['version']}")
    assert older.status_code == 200 and older.get_json()["version"] == document["version"]
    missing = client.get(f"/api/v1/questionnaires/{document['id']}/1999.1")
    assert missing.status_code == 404 and "error" in missing.get_json()


def test_full_flow_with_conflict_validation_and_idempotent_submit(csrf_app, client, world, app):
    api = ApiClient(client)
    api.login(world["user"])
    created = api.call("POST", "/api/v1/assessments", {})
    assert created.status_code == 201
    draft = created.get_json()
    assert draft["status"] == "draft"
    again = api.call("POST", "/api/v1/assessments")
    assert again.status_code == 200 and again.get_json()["id"] == draft["id"]

    url = f"/api/v1/assessments/{draft['id']}"
    first = api.call(
        "PUT", url + "/answers", {"version": draft["version"], "answers": {"equipment_total": 120}}
    )
    assert first.status_code == 200
    v2 = first.get_json()["version"]
    assert v2 == draft["version"] + 1

    # A second tab still on the old version: other questions merge, the same question is refused with 409.
    other_question = api.call(
        "PUT", url + "/answers", {"version": draft["version"], "answers": {"equipment_digital": 60}}
    )
    assert other_question.status_code == 200
    stale = api.call(
        "PUT", url + "/answers", {"version": draft["version"], "answers": {"equipment_total": 99}}
    )
    assert stale.status_code == 409
    body = stale.get_json()
    assert (
        body["answers"]["equipment_total"] == 120 and body["version"] == other_question.get_json()["version"]
    )
    assert "error" in body

    bad = api.call(
        "PUT", url + "/answers", {"version": body["version"], "answers": {"equipment_total": "many"}}
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]["equipment_total"]) == {"zh", "en"}
    unknown = api.call(
        "PUT", url + "/answers", {"version": body["version"], "answers": {"no_such_question": 1}}
    )
    assert unknown.status_code == 422

    state = client.get(url).get_json()
    assert state["answers"] == {"equipment_total": 120, "equipment_digital": 60}
    assert state["questionnaire"]["id"] == "ezhou-dmi"

    incomplete = api.call("POST", url + "/submit", {"pledge": True}, headers={"Idempotency-Key": "k1"})
    assert incomplete.status_code == 422
    missing = incomplete.get_json()["missing"]
    assert missing and "equipment_total" not in missing

    answers = _complete_answers(app, draft["id"])
    saved = api.call("PUT", url + "/answers", {"version": state["version"], "answers": answers})
    assert saved.status_code == 200, saved.get_json()
    no_pledge = api.call("POST", url + "/submit", {"pledge": False})
    assert no_pledge.status_code == 422 and no_pledge.get_json()["pledge_required"] is True
    assert client.get(url + "/result").status_code == 409

    submitted = api.call("POST", url + "/submit", {"pledge": True}, headers={"Idempotency-Key": "k2"})
    assert submitted.status_code == 200
    result = submitted.get_json()["result"]
    assert 1 <= result["level"]["gated"] <= 5
    repeat = api.call("POST", url + "/submit", {"pledge": True}, headers={"Idempotency-Key": "k2"})
    assert repeat.status_code == 200 and repeat.get_json()["result"]["result_hash"] == result["result_hash"]
    assert client.get(url).get_json()["status"] == "submitted"
    stored = client.get(url + "/result").get_json()["result"]
    assert stored["result_hash"] == result["result_hash"]
    assert {"level", "dimensions", "indicators", "plan_flags", "recommendations"} <= set(stored)

    frozen = api.call("PUT", url + "/answers", {"version": 999, "answers": {"equipment_total": 1}})
    assert frozen.status_code == 409

    with app.app_context():
        from portal.models import Assessment

        row = db.session.get(Assessment, draft["id"])
        assert row.status == "submitted" and row.report_status == "pending" and row.is_current
        assert row.gated_level == result["level"]["gated"]


def test_someone_elses_assessment_is_404(csrf_app, app, world):
    owner = ApiClient(app.test_client())
    owner.login(world["user"])
    assessment_id = owner.call("POST", "/api/v1/assessments").get_json()["id"]
    intruder = ApiClient(app.test_client())
    intruder.login(world["other"])
    url = f"/api/v1/assessments/{assessment_id}"
    for method, suffix, body in (
        ("GET", "", None),
        ("PUT", "/answers", {"version": 1, "answers": {"equipment_total": 5}}),
        ("POST", "/submit", {"pledge": True}),
        ("GET", "/result", None),
    ):
        response = intruder.call(method, url + suffix, body)
        assert response.status_code == 404, (method, suffix)
        assert response.get_json() == {"error": "Not found."}


def test_malformed_bodies_are_400_or_422_never_500(csrf_app, client, world):
    api = ApiClient(client)
    api.login(world["user"])
    assessment_id = api.call("POST", "/api/v1/assessments").get_json()["id"]
    url = f"/api/v1/assessments/{assessment_id}/answers"
    assert api.call("PUT", url, raw=b"{not json").status_code == 400
    assert api.call("PUT", url, raw=b"[1, 2]").status_code == 400
    assert api.call("PUT", url, {"version": "1", "answers": {}}).status_code == 422
    assert api.call("PUT", url, {"version": True, "answers": {}}).status_code == 422
    assert api.call("PUT", url, {"version": 1, "answers": []}).status_code == 422
    assert api.call("POST", "/api/v1/assessments", {"enterprise_id": "x"}).status_code == 422
    assert api.call("POST", "/api/v1/session", raw=b"\xff\xfe").status_code in (400, 422)
    for response in (
        api.call("PUT", url, raw=b"{not json"),
        api.call("PUT", url, {"version": "1", "answers": {}}),
    ):
        assert "error" in response.get_json()


def test_body_over_the_limit_is_413_json(csrf_app, client, world):
    api = ApiClient(client)
    api.login(world["user"])
    assessment_id = api.call("POST", "/api/v1/assessments").get_json()["id"]
    huge = json.dumps({"version": 1, "answers": {"free_text": "x" * 300_000}}).encode()
    response = api.call("PUT", f"/api/v1/assessments/{assessment_id}/answers", raw=huge)
    assert response.status_code == 413
    assert "error" in response.get_json()


def test_openapi_document_describes_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.0")
    assert {
        "/session",
        "/questionnaires/current",
        "/questionnaires/{questionnaire_id}/{version}",
        "/assessments",
        "/assessments/{assessment_id}",
        "/assessments/{assessment_id}/answers",
        "/assessments/{assessment_id}/submit",
        "/assessments/{assessment_id}/result",
        "/openapi.json",
    } <= set(document["paths"])
    assert set(document["paths"]["/session"]) == {"get", "post", "delete"}
    assert {"200", "409", "422"} <= set(
        document["paths"]["/assessments/{assessment_id}/answers"]["put"]["responses"]
    )


def test_anonymous_api_calls_get_a_json_401_as_documented(client):
    response = client.get("/api/v1/assessments/1")
    assert response.status_code == 401 and "error" in response.get_json()
    assert "Location" not in response.headers
    assert client.get("/api/v1/stats").status_code == 401
    document = client.get("/api/v1/openapi.json").get_json()
    assert "401" in document["paths"]["/assessments/{assessment_id}"]["get"]["responses"]
    assert "401" not in document["paths"]["/session"]["post"]["responses"]
