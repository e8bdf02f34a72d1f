"""Every route x every role, with real objects in the URL: the status must match EXPECTATIONS.

A route (method + endpoint) without a row fails the test, so a new route needs a decision here.
Roles (column order): anonymous, enterprise A, enterprise B, district official of another district (鄂城区),
district official of the right district (华容区), city official, admin, auditor. The objects belong to
enterprise A in 华容区; someone else's object and a page outside one's role answer 404 (the existence of the
page is not confirmed), anonymous callers get 302 to the login form (pages) or 401 (JSON). Set ACCESS_MATRIX_DUMP=1 to print the observed table (to review before copying rows).
"""

from __future__ import annotations

import os
import random
import re
from typing import Any

import pytest
from flask import Flask

from portal.extensions import db
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    MembershipFactory,
    RoundFactory,
    UserFactory,
    official,
)

ROLES = ("anonymous", "ent_a", "ent_b", "official_other", "official_right", "city", "admin", "auditor")

# Requests that end the session run last in each walk.
SESSION_ENDING = ("POST auth.logout", "DELETE api.delete_session")

# "METHOD endpoint": (anonymous, ent_a, ent_b, official_other, official_right, city, admin, auditor)
EXPECTATIONS: dict[str, tuple[int, ...]] = {
    "DELETE api.delete_session": (401, 200, 200, 200, 200, 200, 200, 200),
    "GET admin.import_enterprises": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET admin.index": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET admin.job": (302, 404, 404, 404, 404, 404, 404, 404),
    "GET admin.new_user": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET admin.preview_catalogue": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET admin.preview_questionnaire": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET admin.rounds_page": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET admin.target": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET admin.targets_page": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET admin.user": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET admin.users": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET admin.versions": (302, 404, 404, 404, 404, 404, 200, 404),
    "GET api.current_questionnaire": (401, 200, 200, 200, 200, 200, 200, 200),
    # JSON endpoints answer anonymous callers 401, pages redirect to the login form (302).
    "GET api.get_assessment": (401, 200, 404, 404, 404, 404, 404, 404),
    "GET api.get_result": (401, 200, 404, 404, 404, 404, 404, 404),
    "GET api.get_session": (200, 200, 200, 200, 200, 200, 200, 200),
    "GET api.openapi": (200, 200, 200, 200, 200, 200, 200, 200),
    "GET api.questionnaire_version": (401, 200, 200, 200, 200, 200, 200, 200),
    "GET assessments.history": (302, 200, 200, 404, 404, 404, 404, 404),
    "GET assessments.join": (200, 200, 200, 200, 200, 200, 200, 200),
    "GET assessments.page": (302, 200, 404, 404, 404, 404, 404, 404),
    "GET assessments.review": (302, 302, 404, 404, 404, 404, 404, 404),
    "GET auditlog.export": (302, 404, 404, 404, 404, 404, 404, 200),
    "GET auditlog.index": (302, 404, 404, 404, 404, 404, 404, 200),
    "GET auth.accounts_list": (302, 404, 404, 200, 200, 200, 200, 404),
    "GET auth.change_password": (302, 200, 200, 200, 200, 200, 200, 200),
    "GET auth.login": (200, 302, 302, 302, 302, 302, 302, 302),
    "GET auth.redeem_reset_code": (200, 200, 200, 200, 200, 200, 200, 200),
    "GET auth.register": (200, 302, 302, 302, 302, 302, 302, 302),
    "GET enterprises.approvals": (302, 404, 404, 200, 200, 200, 200, 404),
    "GET enterprises.decide": (302, 404, 404, 404, 200, 200, 200, 404),
    # The auditor reads enterprise profiles (User.sees_all_districts includes auditors).
    "GET enterprises.detail": (302, 200, 404, 404, 200, 200, 200, 200),
    "GET enterprises.home": (302, 200, 200, 404, 404, 404, 404, 404),
    "GET main.healthz": (200, 200, 200, 200, 200, 200, 200, 200),
    "GET main.index": (302, 302, 302, 302, 302, 302, 302, 302),
    "GET main.set_language": (302, 302, 302, 302, 302, 302, 302, 302),
    "GET members.colleagues": (302, 200, 200, 404, 404, 404, 404, 404),
    "GET members.members": (302, 404, 404, 404, 200, 200, 200, 404),
    "GET officials.dashboard": (302, 404, 404, 200, 200, 200, 200, 404),
    "GET officials.enterprise": (302, 404, 404, 404, 200, 200, 200, 404),
    "GET officials.enterprises": (302, 404, 404, 200, 200, 200, 200, 404),
    "GET officials.export_csv": (302, 404, 404, 200, 200, 200, 200, 404),
    "GET officials.export_xlsx": (302, 404, 404, 200, 200, 200, 200, 404),
    "GET officials.job": (302, 404, 404, 404, 404, 404, 404, 404),
    "GET officials.job_download": (302, 404, 404, 404, 404, 404, 404, 404),
    "GET officials.summary_pdf": (302, 404, 404, 200, 200, 200, 200, 404),
    "GET officials_api.stats_endpoint": (401, 404, 404, 200, 200, 200, 200, 404),
    "GET reports.download": (302, 200, 404, 404, 200, 200, 200, 404),
    "GET reports.status": (302, 200, 404, 404, 200, 200, 200, 404),
    "GET reports.verify": (200, 200, 200, 200, 200, 200, 200, 200),
    "POST admin.change_scope": (302, 404, 404, 404, 404, 404, 400, 404),
    "POST admin.close_round": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.disable_inactive": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.disable_user": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.enable_user": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.grant_reviewer": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.import_enterprises": (302, 404, 404, 404, 404, 404, 200, 404),
    "POST admin.import_recognised": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.new_user": (302, 404, 404, 404, 404, 404, 200, 404),
    "POST admin.open_round": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.publish_catalogue": (302, 404, 404, 404, 404, 404, 400, 404),
    "POST admin.publish_questionnaire": (302, 404, 404, 404, 404, 404, 400, 404),
    "POST admin.reset_code": (302, 404, 404, 404, 404, 404, 200, 404),
    "POST admin.round_dates": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.rounds_page": (302, 404, 404, 404, 404, 404, 200, 404),
    "POST admin.start_rescore": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.target": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.unlock_user": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST admin.withdraw_reviewer": (302, 404, 404, 404, 404, 404, 302, 404),
    "POST api.create_assessment": (401, 200, 201, 404, 404, 404, 404, 404),
    "POST api.post_session": (422, 422, 422, 422, 422, 422, 422, 422),
    "POST api.submit": (401, 200, 404, 404, 404, 404, 404, 404),
    "POST assessments.invite": (302, 200, 404, 404, 404, 404, 404, 404),
    "POST assessments.join": (200, 200, 200, 403, 403, 403, 403, 403),
    "POST assessments.page": (302, 200, 404, 404, 404, 404, 404, 404),
    "POST assessments.start": (302, 302, 302, 404, 404, 404, 404, 404),
    "POST assessments.submit": (302, 302, 404, 404, 404, 404, 404, 404),
    "POST auth.change_password": (302, 200, 200, 200, 200, 200, 200, 200),
    "POST auth.issue_reset_code": (302, 404, 404, 404, 200, 200, 200, 404),
    "POST auth.login": (200, 302, 302, 302, 302, 302, 302, 302),
    "POST auth.logout": (302, 302, 302, 302, 302, 302, 302, 302),
    "POST auth.redeem_reset_code": (200, 200, 200, 200, 200, 200, 200, 200),
    "POST auth.register": (200, 302, 302, 302, 302, 302, 302, 302),
    "POST enterprises.decide": (302, 404, 404, 404, 200, 200, 200, 404),
    # The pending applicant of enterprise A: its owner, officials in scope and admins may remove it.
    "POST members.remove": (302, 302, 404, 404, 302, 302, 302, 404),
    # Verification actions need the reviewer flag: officials in scope without it get 403, admins act.
    # Starting a ZIP of report PDFs: any official (their own scope) and admins; the job page follows (302).
    "POST officials.reports_zip": (302, 404, 404, 302, 302, 302, 302, 404),
    "POST officials.correct": (302, 404, 404, 404, 403, 403, 302, 404),
    "POST officials.return_assessment": (302, 404, 404, 404, 403, 403, 302, 404),
    "POST officials.verify": (302, 404, 404, 404, 403, 403, 302, 404),
    "POST officials.visit": (302, 404, 404, 404, 403, 403, 302, 404),
    "POST reports.retry": (302, 303, 404, 404, 303, 303, 303, 404),
    "PUT api.put_answers": (401, 422, 404, 404, 404, 404, 404, 404),
}


def _world() -> dict[str, Any]:
    """Enterprise A (华容区) with a submitted assessment, enterprise B (鄂城区), one user per role."""
    from portal.services import assessments as service
    from portal.services import results, targets
    from scoring import random_answers

    RoundFactory()
    enterprise_a = EnterpriseFactory(district="华容区")
    enterprise_b = EnterpriseFactory(district="鄂城区")
    users = {
        "ent_a": UserFactory(role="enterprise"),
        "ent_b": UserFactory(role="enterprise"),
        "official_other": official("鄂城区"),
        "official_right": official("华容区"),
        "city": official(None),
        "admin": UserFactory(role="admin"),
        "auditor": UserFactory(role="auditor"),
    }
    MembershipFactory(user=users["ent_a"], enterprise=enterprise_a)
    MembershipFactory(user=users["ent_b"], enterprise=enterprise_b)
    colleague = UserFactory(role="enterprise")  # target of user-management routes
    MembershipFactory(user=colleague, enterprise=enterprise_a, role="member")
    applicant = UserFactory(role="enterprise")
    pending = MembershipFactory(user=applicant, enterprise=enterprise_a, status="pending", role="member")
    db.session.commit()
    assessment = service.start_or_continue(users["ent_a"], enterprise_a.id)
    questionnaire = service.questionnaire_of(assessment)
    answers = random_answers(
        questionnaire, random.Random(8), quality=0.6, context=service.context_of(assessment)
    )
    service.save_answers(assessment, assessment.version, answers, user=users["ent_a"], confirm=tuple(answers))
    service.submit(db.session.get(type(assessment), assessment.id), users["ent_a"], "matrix-key", pledge=True)
    questionnaire_id, version, _ = results.published_versions()
    target_keys = [t.key for t in targets.list_targets(active_only=False)]
    db.session.commit()
    return {
        "usernames": {role: user.username for role, user in users.items()},
        "params": {
            "assessment_id": assessment.id,
            "enterprise_id": enterprise_a.id,
            "membership_id": pending.id,
            "user_id": colleague.id,
            "round_id": assessment.round_id,
            "questionnaire_id": questionnaire_id,
            "version": version,
            "key": target_keys[0] if target_keys else "no-such-target",
            "job_id": "no-such-job",
            "code": "en",
        },
    }


def _url(rule: Any, params: dict[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise AssertionError(f"{rule.rule}: add a real object for URL parameter <{name}> in _world()")
        return str(params[name])

    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", replace, rule.rule)


def _requests(app: Flask, params: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, method, url) for every method of every route, session-ending ones last."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((f"{method} {rule.endpoint}", method, _url(rule, params)))
    return sorted(found, key=lambda item: (item[0] in SESSION_ENDING, item[0]))


def _walk(app: Flask, role: str) -> dict[str, int]:
    with app.app_context():
        world = _world()
    client = app.test_client()
    if role != "anonymous":
        response = client.post(
            "/login", data={"username": world["usernames"][role], "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302, f"{role} could not log in"
    observed = {}
    for key, method, url in _requests(app, world["params"]):
        kwargs: dict[str, Any] = {}
        if key.split(" ", 1)[1].startswith(("api.", "officials_api.")) and method in (
            "POST",
            "PUT",
            "DELETE",
        ):
            kwargs["json"] = {}
        observed[key] = client.open(url, method=method, **kwargs).status_code
    return observed


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, role):
    index = ROLES.index(role)
    observed = _walk(app, role)
    if os.environ.get("ACCESS_MATRIX_DUMP"):
        print(f"\n{role}: {observed}")
    missing = sorted(set(observed) - set(EXPECTATIONS))
    assert not missing, f"routes without an EXPECTATIONS row (decide who may call them): {missing}"
    wrong = {
        key: (EXPECTATIONS[key][index], status)
        for key, status in observed.items()
        if EXPECTATIONS[key][index] != status
    }
    assert not wrong, f"{role}: (expected, got) {wrong}"


def test_expectation_rows_match_existing_routes(app):
    keys = {
        key
        for key, _, _ in _requests(
            app,
            {
                name: 1
                for name in re.findall(
                    r"<(?:[^:>]+:)?([^>]+)>", " ".join(r.rule for r in app.url_map.iter_rules())
                )
            },
        )
    }
    stale = sorted(set(EXPECTATIONS) - keys)
    assert not stale, f"EXPECTATIONS rows for routes that no longer exist: {stale}"
    assert all(len(row) == len(ROLES) for row in EXPECTATIONS.values())
