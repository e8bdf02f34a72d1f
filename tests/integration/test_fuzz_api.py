"""Bad input on purpose: hypothesis fuzzing of answer validation and of the JSON API (never a 5xx).

Complements tests/integration/test_schemathesis.py (schemathesis against /api/v1/openapi.json): here the API is
fuzzed with hypothesis and the Flask test client (bounded example counts, no deadline).
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import questionnaires
from questionnaires import AnswerValidationError
from tests.factories import DEFAULT_PASSWORD, RoundFactory, enterprise_user

QUESTIONNAIRE = questionnaires.load(*questionnaires.available()[0])
QUESTION_IDS = sorted(QUESTIONNAIRE.questions_by_id)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=15,
)
python_values = json_values | st.floats() | st.binary(max_size=10) | st.sets(st.integers(), max_size=3)
question_ids = st.sampled_from(QUESTION_IDS) | st.text(max_size=30)
API_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(question_ids, python_values, max_size=8))
def test_validate_answers_only_ever_raises_answer_validation_error(answers):
    try:
        questionnaires.validate_answers(QUESTIONNAIRE, answers)
    except AnswerValidationError as error:
        assert error.errors and all(question_id in answers for question_id in error.errors)
        assert all(text.en and text.zh for text in error.errors.values())


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(QUESTION_IDS), python_values)
def test_every_question_accepts_or_explains_any_value(question_id, value):
    try:
        questionnaires.validate_answers(QUESTIONNAIRE, {question_id: value})
    except AnswerValidationError as error:
        assert set(error.errors) == {question_id}


def test_unknown_question_ids_are_named_in_the_error():
    with pytest.raises(AnswerValidationError) as caught:
        questionnaires.validate_answers(QUESTIONNAIRE, {"no.such.question": "x", QUESTION_IDS[0]: None})
    assert set(caught.value.errors) == {"no.such.question"}


# --- the JSON API ----------------------------------------------------------------------------------


@pytest.fixture
def api(app):
    """A logged-in enterprise user's test client and their draft assessment's id."""
    from portal.extensions import db

    with app.app_context():
        RoundFactory()
        user = enterprise_user()
        db.session.commit()
        username = user.username
    client = app.test_client()
    assert (
        client.post("/api/v1/session", json={"username": username, "password": DEFAULT_PASSWORD}).status_code
        == 200
    )
    created = client.post("/api/v1/assessments", json={})
    assert created.status_code == 201
    return client, created.get_json()["id"]


def _check(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        body = response.get_json(silent=True)
        assert isinstance(body, dict) and body.get("error"), response.get_data(as_text=True)[:300]


@API_SETTINGS
@given(body=json_values)
def test_random_json_bodies_never_cause_a_server_error(api, body):
    client, assessment_id = api
    for method, url in (
        ("PUT", f"/api/v1/assessments/{assessment_id}/answers"),
        ("POST", "/api/v1/assessments"),
        ("POST", "/api/v1/session"),
        ("POST", f"/api/v1/assessments/{assessment_id}/submit"),
    ):
        _check(client.open(url, method=method, data=json.dumps(body), content_type="application/json"))


@API_SETTINGS
@given(version=json_values, answers=st.dictionaries(question_ids, json_values, max_size=6))
def test_random_answer_sets_are_saved_or_refused_with_a_reason(api, version, answers):
    client, assessment_id = api
    response = client.put(
        f"/api/v1/assessments/{assessment_id}/answers", json={"version": version, "answers": answers}
    )
    _check(response)
    if response.status_code == 422 and "errors" in response.get_json():
        assert set(response.get_json()["errors"]) <= set(answers)


@API_SETTINGS
@given(raw=st.binary(max_size=300))
def test_random_bytes_never_cause_a_server_error(api, raw):
    client, assessment_id = api
    _check(
        client.put(f"/api/v1/assessments/{assessment_id}/answers", data=raw, content_type="application/json")
    )
    _check(client.post("/api/v1/session", data=raw, content_type="application/json"))


def test_unknown_question_ids_are_refused_with_422(api):
    client, assessment_id = api
    version = client.get(f"/api/v1/assessments/{assessment_id}").get_json()["version"]
    response = client.put(
        f"/api/v1/assessments/{assessment_id}/answers", json={"version": version, "answers": {"no.such.q": 1}}
    )
    assert response.status_code == 422
    assert "no.such.q" in response.get_json()["errors"]


def test_oversized_bodies_get_413(api):
    client, assessment_id = api
    huge = json.dumps({"version": 1, "answers": {"x": "a" * (300 * 1024)}})
    response = client.put(
        f"/api/v1/assessments/{assessment_id}/answers", data=huge, content_type="application/json"
    )
    assert response.status_code == 413 and response.get_json()["error"]


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deeply_nested_json_is_refused(api, depth):
    client, assessment_id = api
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        if len(body) > 256 * 1024:
            body = body[: 256 * 1024 - 1]
        response = client.put(
            f"/api/v1/assessments/{assessment_id}/answers", data=body, content_type="application/json"
        )
        assert response.status_code == 400 and "nested" in response.get_json()["error"]
        _check(client.post("/api/v1/session", data=body, content_type="application/json"))


def test_moderate_nesting_is_still_parsed(api):
    client, assessment_id = api
    nested = {"version": 1, "answers": {QUESTION_IDS[0]: [[[[["deep"]]]]]}}
    response = client.put(f"/api/v1/assessments/{assessment_id}/answers", json=nested)
    assert response.status_code in (409, 422)  # parsed and judged, not refused as too deep


@pytest.mark.parametrize(
    "raw", [b"\xff\xfe\xfd", b'{"version": 1, "answers": {"a": "\xc3\x28"}}', b"\x00" * 10]
)
def test_non_utf8_bodies_are_refused(api, raw):
    client, assessment_id = api
    response = client.put(
        f"/api/v1/assessments/{assessment_id}/answers", data=raw, content_type="application/json"
    )
    assert response.status_code == 400 and response.get_json()["error"]


def test_special_floats_are_refused_not_stored(api):
    client, assessment_id = api
    version = client.get(f"/api/v1/assessments/{assessment_id}").get_json()["version"]
    number_questions = [
        q.id for q in QUESTIONNAIRE.questions if getattr(q, "type", "") in ("number", "percent")
    ]
    assert number_questions
    for token in ("NaN", "Infinity", "-Infinity", "1e999"):
        body = f'{{"version": {version}, "answers": {{"{number_questions[0]}": {token}}}}}'
        response = client.put(
            f"/api/v1/assessments/{assessment_id}/answers", data=body, content_type="application/json"
        )
        assert response.status_code in (400, 422), (token, response.status_code)
    stored = client.get(f"/api/v1/assessments/{assessment_id}").get_json()["answers"].get(number_questions[0])
    assert stored is None or (isinstance(stored, (int, float)) and math.isfinite(stored))
