"""schemathesis against /api/v1/openapi.json, in-process: no 5xx, every 4xx a JSON message, bodies as documented.

The schema is loaded from the running app (WSGI), CSRF protection is on as in production, and every request is
sent through a Flask test client that logged in through POST /api/v1/session (session cookie + X-CSRFToken).
/api/v1/stats is called as a city official, every other operation as an enterprise user who owns a complete
draft in the open round, a draft left in a closed round and a submitted assessment from an earlier round.
Requests run inside the test's outer transaction (conftest savepoints), so nothing is left behind.
Complements test_fuzz_api.py (hypothesis on the validation function and raw bodies).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.core.parameters import ParameterLocation

import questionnaires
import scoring
from portal.extensions import db
from portal.services import assessments as service
from portal.services import results
from tests.factories import DEFAULT_PASSWORD, EnterpriseFactory, RoundFactory, enterprise_user, official

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 25  # fuzzing examples per operation; the coverage phase adds its boundary cases on top
POSITIVE_STATUSES = ["2xx", 401, 403, 404, 409, 422]
# Every built-in check runs (not_a_server_error, status code, content type, response schema and headers,
# positive/negative data, missing required header, undeclared methods, ...) except those switched off here.
# Bounded and reproducible: a fixed seed, no example database, no stateful phase.
SCHEMATHESIS_CONFIG = {
    "seed": 20240808,
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "database": "none",
        "deterministic": True,
        "with-security-parameters": False,
    },
    "phases": {"stateful": {"enabled": False}},
    "checks": {
        # Auth is the session cookie of the Flask client, which schemathesis cannot strip for a re-send.
        "ignored_auth": {"enabled": False},
        # 422 is the documented refusal of schema-valid but wrong content: an unknown question id, a value
        # outside a question's options, missing required answers, a pledge that is false.
        "positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES},
    },
    "operations": [
        {
            # A filter value the dashboard does not know (industry "X", size "huge") is a documented 400.
            "include-path": "/stats",
            "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_STATUSES, 400]}},
        }
    ],
}
OWNED = ("open_draft", "closed_draft", "submitted")


def _load_schema() -> Any:
    """GET /api/v1/openapi.json from an app instance in-process (no database needed for that request).

    Loaded at collection so that every operation is its own test item (schemathesis's lazy
    `from_fixture` loader does not run on pytest 9.2); the requests themselves go to the `app` fixture.
    """
    from portal import create_app

    document_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    config = SchemathesisConfig.from_dict(SCHEMATHESIS_CONFIG)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", document_app, config=config)


schema = _load_schema()


@pytest.fixture
def csrf_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The session's app with CSRF protection switched on, as in production."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    return app


@dataclass
class Agent:
    """A test client logged in through the API, with its current CSRF token."""

    client: FlaskClient
    username: str
    token: str = ""

    def login(self) -> None:
        """GET /session for a token, POST /session with it; keep the fresh token."""
        self.token = self.client.get("/api/v1/session").get_json()["csrf_token"]
        response = self.client.post(
            "/api/v1/session",
            json={"username": self.username, "password": DEFAULT_PASSWORD},
            headers={"X-CSRFToken": self.token},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        self.token = response.get_json()["csrf_token"]

    def ensure_logged_in(self) -> None:
        """Log in again after a DELETE /session example logged this client out."""
        if self.client.get("/api/v1/session").get_json()["user"] is None:
            self.login()


@dataclass
class World:
    """The seeded users and the ids the enterprise user owns."""

    enterprise: Agent
    city_official: Agent
    assessment_ids: dict[str, int] = field(default_factory=dict)
    questionnaire: tuple[str, str] = ("", "")


def _complete_draft(user: Any, enterprise: Any) -> Any:
    assessment = service.start_or_continue(user, enterprise.id)
    questionnaire = questionnaires.load(assessment.questionnaire_id, assessment.questionnaire_version)
    answers = scoring.random_answers(
        questionnaire,
        random.Random(11),
        quality=0.6,
        context=results.scoring_context(enterprise),
        skip_optional=0,
    )
    service.save_answers(assessment, assessment.version, answers, user=user)
    return assessment


@pytest.fixture
def world(csrf_app: Flask) -> World:
    """An enterprise user with a submitted (2030), a closed-round draft (2031) and an open complete draft (2032)."""
    app = csrf_app
    with app.app_context():
        enterprise = EnterpriseFactory()
        user = enterprise_user(enterprise)
        city = official(None)
        ids: dict[str, int] = {}
        for year, name in ((2030, "submitted"), (2031, "closed_draft"), (2032, "open_draft")):
            round_ = RoundFactory(year=year, opens_on=date(year, 1, 1), closes_on=date(year, 12, 31))
            db.session.commit()
            assessment = _complete_draft(user, enterprise)
            if name == "submitted":
                service.submit(assessment, user, pledge=True)
            round_.status = "closed" if year < 2032 else "open"
            db.session.commit()
            ids[name] = assessment.id
        questionnaire = results.published_versions()[:2]
        usernames = (user.username, city.username)
    enterprise_agent = Agent(app.test_client(), usernames[0])
    city_agent = Agent(app.test_client(), usernames[1])
    enterprise_agent.login()
    city_agent.login()
    return World(enterprise_agent, city_agent, ids, questionnaire)


def error_message_check(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx is a JSON object with a non-empty "error" (422 may carry "errors" instead)."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = response.json()
    except ValueError:  # not JSON: the finding itself
        body = None
    message = (
        body.get("error") or (response.status_code == 422 and body.get("errors"))
        if isinstance(body, dict)
        else None
    )
    if not message:
        raise Failure(
            operation=case.operation.label,
            title="4xx without a JSON message",
            message=f"{response.status_code} body: {response.content[:200]!r}",
        )
    return True


def _generated_validly(case: Any, location: ParameterLocation) -> bool:
    """Whether schemathesis meant this part of the request to fit the schema (not a negative mutation)."""
    info = case.meta.components.get(location) if case.meta is not None else None
    return info is None or info.mode.is_positive


def _point_at_real_objects(case: Any, world: World) -> None:
    """Swap most valid generated ids for ones the user owns (or the published questionnaire), chosen by value.

    Choosing by the generated value (not by a separate hypothesis draw) keeps schemathesis's coverage phase on.
    """
    if not case.path_parameters or not _generated_validly(case, ParameterLocation.PATH):
        return
    generated = case.path_parameters.get("assessment_id")
    if isinstance(generated, int) and generated % 4:
        assessment_id = world.assessment_ids[OWNED[generated % 4 - 1]]
        case.path_parameters["assessment_id"] = assessment_id
        body_valid = _generated_validly(case, ParameterLocation.BODY)
        if case.operation.path.endswith("/answers") and body_valid and isinstance(case.body, dict):
            current = world.enterprise.client.get(f"/api/v1/assessments/{assessment_id}").get_json()
            case.body["version"] = current["version"]  # so that valid answers can be saved (200)
    generated_id = case.path_parameters.get("questionnaire_id")
    if isinstance(generated_id, str) and len(generated_id) % 2 == 0:
        case.path_parameters["questionnaire_id"], case.path_parameters["version"] = world.questionnaire


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_openapi_document(case: Any, csrf_app: Flask, world: World) -> None:
    """No 5xx, documented status codes and bodies, and a message on every 4xx, for every operation."""
    agent = world.city_official if case.operation.path == "/stats" else world.enterprise
    agent.ensure_logged_in()
    _point_at_real_objects(case, world)
    if case.headers and "X-CSRFToken" in case.headers:
        # The session's real token; a negative case that dropped the header gets the CSRF 400 it asks for.
        case.headers["X-CSRFToken"] = agent.token
    case.call_and_validate(app=csrf_app, session=agent.client, additional_checks=[error_message_check])
