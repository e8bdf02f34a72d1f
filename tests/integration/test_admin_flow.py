"""The administration area end to end with the test client: only admins get in; the issue's "done means" flow."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Membership, Round, Setting, User
from portal.models_officials import PlanTarget
from portal.services import accounts, results
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    MembershipFactory,
    UserFactory,
    enterprise_user,
    official,
)

from .conftest import login

NEW_PASSWORD = "Neu-Passw0rt!"


def _make(app, factory, *args, **kwargs) -> str:
    with app.app_context():
        user = factory(*args, **kwargs)
        db.session.commit()
        return user.username


def _actions(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [
            (e.action, e.username) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def test_admin_pages_are_for_admins_only(app, client):
    admin_name = _make(app, UserFactory, role="admin")
    for url in ("/admin/", "/admin/users", "/admin/rounds", "/admin/questionnaires", "/admin/targets"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for make in (enterprise_user, lambda: official("华容区"), lambda: official()):
        other = app.test_client()
        login(other, _make(app, make), DEFAULT_PASSWORD)
        for url in ("/admin/", "/admin/users", "/admin/users/new", "/admin/rounds", "/admin/import"):
            assert other.get(url).status_code == 404, url
        assert other.post("/admin/users/new", data={"username": "x", "role": "admin"}).status_code == 404
    login(client, admin_name, DEFAULT_PASSWORD)
    page = client.get("/admin/").get_data(as_text=True)
    assert "管理" in page and "账号" in page
    assert "Administration" in client.get("/admin/?lang=en").get_data(as_text=True)


def test_admin_creates_official_who_approves_then_opens_round_publishes_and_changes_target(app, client):
    admin_name = _make(app, UserFactory, role="admin")
    with app.app_context():
        enterprise = EnterpriseFactory(status="pending", district="梁子湖区", name="鄂州市待审制造有限公司")
        pending = MembershipFactory(enterprise=enterprise, status="pending")
        db.session.commit()
        membership_id = pending.id
    login(client, admin_name, DEFAULT_PASSWORD)

    # 1. A district official, scope chosen explicitly; the initial password is shown once.
    page = client.post(
        "/admin/users/new",
        data={"username": "lzh.official", "role": "official", "scope": "district", "district": "梁子湖区"},
    ).get_data(as_text=True)
    password = re.search(r'id="initial-password">([^<]+)<', page).group(1)
    assert "lzh.official" in page
    with app.app_context():
        created = accounts.find_user("lzh.official")
        assert (created.role, created.scope, created.district) == ("official", "district", "梁子湖区")
        assert created.must_change_password

    # 2. The official logs in, must choose a new password, then approves the registration.
    official_client = app.test_client()
    assert login(official_client, "lzh.official", password).status_code == 302
    assert "/password" in official_client.get("/approvals").headers["Location"]
    official_client.post("/password", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "鄂州市待审制造有限公司" in official_client.get("/approvals").get_data(as_text=True)
    official_client.post(f"/approvals/{membership_id}", data={"approve": "Approve"})
    with app.app_context():
        assert db.session.get(Membership, membership_id).status == "approved"

    # 3. The admin creates and opens a round.
    client.post("/admin/rounds", data={"year": "2041", "opens_on": "2041-03-01", "closes_on": "2041-11-30"})
    with app.app_context():
        for other in db.session.scalars(select(Round).where(Round.status == "open")):
            other.status = "closed"
        db.session.commit()
        round_id = db.session.scalar(select(Round.id).where(Round.year == 2041))
    assert "已开放" in client.post(f"/admin/rounds/{round_id}/open", follow_redirects=True).get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Round, round_id).status == "open"

    # 4. Publish a questionnaire version.
    versions_page = client.get("/admin/questionnaires").get_data(as_text=True)
    assert "ezhou-dmi 2025.1" in versions_page
    client.post("/admin/questionnaires/publish", data={"questionnaire_id": "ezhou-dmi", "version": "2025.1"})
    with app.app_context():
        assert db.session.get(Setting, results.SETTING_QUESTIONNAIRE_VERSION).value == "2025.1"

    # 5. Change a target.
    with app.app_context():
        key, rule = db.session.execute(select(PlanTarget.key, PlanTarget.rule).limit(1)).one()
    client.post(
        f"/admin/targets/{key}",
        data={"value": "321", "deadline": "2027-06-30", "baseline": "12", "rule": rule},
    )
    with app.app_context():
        target = db.session.scalar(select(PlanTarget).where(PlanTarget.key == key))
        assert (target.value, target.deadline.isoformat(), target.baseline) == (321.0, "2027-06-30", 12.0)
    assert "321" in client.get("/admin/targets").get_data(as_text=True)

    actions = _actions(app)
    for expected in (
        ("admin.user_create", admin_name),
        ("registration_approved", "lzh.official"),
        ("admin.round_create", admin_name),
        ("admin.round_open", admin_name),
        ("admin.questionnaire_publish", admin_name),
        ("admin.target_update", admin_name),
    ):
        assert expected in actions, expected


def test_locked_out_user_gets_back_in_with_a_reset_code(app, client):
    admin_name = _make(app, UserFactory, role="admin")
    username = _make(app, enterprise_user)
    victim = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(victim, username, "wrong-password")
    assert "锁定" in login(victim, username, DEFAULT_PASSWORD).get_data(as_text=True)

    login(client, admin_name, DEFAULT_PASSWORD)
    with app.app_context():
        user_id = accounts.find_user(username).id
    assert "已锁定" in client.get(f"/admin/users?q={username}").get_data(as_text=True)
    user_page = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert f"/admin/users/{user_id}/reset-code" in user_page
    page = client.post(f"/admin/users/{user_id}/reset-code").get_data(as_text=True)
    code = re.search(r'id="reset-code">([^<]+)<', page).group(1)

    response = victim.post(
        "/reset",
        data={"username": username, "code": code, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert login(victim, username, NEW_PASSWORD).status_code == 302
    assert victim.get("/enterprise").status_code == 200
    # The code works once.
    again = victim.post(
        "/reset",
        data={"username": username, "code": code, "new_password": "Other-Pass1!", "confirm": "Other-Pass1!"},
    )
    assert again.status_code == 200


def test_admin_unlocks_disables_and_enables_accounts(app, client):
    admin_name = _make(app, UserFactory, role="admin")
    username = _make(app, enterprise_user)
    with app.app_context():
        user = accounts.find_user(username)
        user.locked_until = user.created_at.replace(year=2099)
        db.session.commit()
        user_id = user.id
    login(client, admin_name, DEFAULT_PASSWORD)
    assert "解锁" in client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    client.post(f"/admin/users/{user_id}/unlock")
    assert login(app.test_client(), username, DEFAULT_PASSWORD).status_code == 302

    client.post(f"/admin/users/{user_id}/disable")
    assert "停用" in login(app.test_client(), username, DEFAULT_PASSWORD).get_data(as_text=True)
    client.post(f"/admin/users/{user_id}/enable")
    assert login(app.test_client(), username, DEFAULT_PASSWORD).status_code == 302
    actions = [action for action, _ in _actions(app)]
    for expected in ("admin.user_unlock", "admin.user_disable", "admin.user_enable"):
        assert expected in actions
    # An admin cannot disable their own account.
    with app.app_context():
        own_id = accounts.find_user(admin_name).id
    client.post(f"/admin/users/{own_id}/disable")
    with app.app_context():
        assert accounts.find_user(admin_name).active


def test_official_needs_an_explicit_scope_and_reviewer_right_can_be_toggled(app, client):
    login(client, _make(app, UserFactory, role="admin"), DEFAULT_PASSWORD)
    page = client.post("/admin/users/new", data={"username": "noscope", "role": "official"}).get_data(
        as_text=True
    )
    assert "initial-password" not in page
    with app.app_context():
        assert accounts.find_user("noscope") is None
    client.post(
        "/admin/users/new",
        data={"username": "city.off", "role": "official", "scope": "city", "is_reviewer": "y"},
    )
    with app.app_context():
        user = accounts.find_user("city.off")
        assert (user.scope, user.district, user.is_reviewer) == ("city", None, True)
        user_id = user.id
    client.post(f"/admin/users/{user_id}/reviewer/withdraw")
    client.post(f"/admin/users/{user_id}/scope", data={"scope": "district", "district": "鄂城区"})
    with app.app_context():
        user = accounts.find_user("city.off")
        assert (user.is_reviewer, user.scope, user.district) == (False, "district", "鄂城区")


def test_admin_and_single_auditor_accounts(app, client):
    login(client, _make(app, UserFactory, role="admin"), DEFAULT_PASSWORD)
    client.post("/admin/users/new", data={"username": "second.admin", "role": "admin"})
    client.post("/admin/users/new", data={"username": "the.auditor", "role": "auditor"})
    page = client.post("/admin/users/new", data={"username": "auditor2", "role": "auditor"}).get_data(
        as_text=True
    )
    assert "initial-password" not in page
    with app.app_context():
        roles = {u.username: u.role for u in db.session.scalars(select(User))}
    assert roles["second.admin"] == "admin" and roles["the.auditor"] == "auditor" and "auditor2" not in roles
