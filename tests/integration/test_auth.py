"""Login, lockout, logout, idle timeout, remember-me, passwords and reset codes."""

from __future__ import annotations

import time

from portal.extensions import db
from portal.models import AuditEvent, User, utcnow
from portal.services import accounts
from tests.factories import DEFAULT_PASSWORD, UserFactory, enterprise_user, official

from .conftest import login


def _make(app, factory, *args, **kwargs) -> str:
    with app.app_context():
        user = factory(*args, **kwargs)
        db.session.commit()
        return user.username


def _user(app, username: str) -> User:
    with app.app_context():
        user = accounts.find_user(username)
        db.session.expunge(user)
        return user


def test_login_page_is_chinese_by_default_and_english_on_request(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and "用户名" in page
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in english and "User name" in english
    # The choice sticks for the session, also across logging in.
    assert "User name" in client.get("/login").get_data(as_text=True)


def test_login_and_logout_record_audit_events(app, client):
    username = _make(app, enterprise_user)
    response = login(client, username, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert "/enterprise" in client.get("/").headers["Location"]
    client.post("/logout")
    assert client.get("/enterprise").status_code == 302
    with app.app_context():
        actions = [
            (e.action, e.result)
            for e in db.session.query(AuditEvent).filter_by(username=username).order_by(AuditEvent.id)
        ]
    assert actions == [("login", "success"), ("logout", "success")]


def test_wrong_password_is_refused_and_audited_with_ip(app, client):
    username = _make(app, UserFactory)
    response = login(client, username, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(username=username).one()
    assert (event.action, event.result, event.ip) == ("login", "failure", "127.0.0.1")


def test_five_failures_lock_the_account_for_fifteen_minutes(app, client):
    username = _make(app, UserFactory)
    for _ in range(5):
        login(client, username, "wrong-password")
    response = login(client, username, DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "锁定" in response.get_data(as_text=True)
    locked_until = _user(app, username).locked_until
    assert 14 * 60 < (locked_until - utcnow()).total_seconds() <= 15 * 60
    with app.app_context():
        accounts.find_user(username).locked_until = utcnow()
        db.session.commit()
    assert login(client, username, DEFAULT_PASSWORD).status_code == 302


def test_logout_ends_the_session_server_side(app, client):
    username = _make(app, enterprise_user)
    login(client, username, DEFAULT_PASSWORD)
    with client.session_transaction() as stolen:
        stolen_cookie = dict(stolen)
    client.post("/logout")
    # Replaying the session captured before logout no longer works.
    with client.session_transaction() as session:
        session.update(stolen_cookie)
    assert client.get("/enterprise").status_code == 302


def test_idle_session_times_out(app, client):
    username = _make(app, official, "华容区")
    login(client, username, DEFAULT_PASSWORD)
    assert client.get("/approvals").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 31 * 60
    response = client.get("/approvals")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/approvals").status_code == 302


def test_remember_me_only_for_enterprise_users_and_revoked_by_password_change(app):
    official_name = _make(app, official, None)
    official_client = app.test_client()
    login(official_client, official_name, DEFAULT_PASSWORD, remember=True)
    assert official_client.get_cookie("remember_token") is None

    username = _make(app, enterprise_user)
    first = app.test_client()
    login(first, username, DEFAULT_PASSWORD, remember=True)
    token = first.get_cookie("remember_token")
    assert token is not None
    returning = app.test_client()
    returning.set_cookie("remember_token", token.value)
    assert returning.get("/enterprise").status_code == 200

    with app.app_context():
        accounts.change_password(accounts.find_user(username), "An0ther-secret")
    stale = app.test_client()
    stale.set_cookie("remember_token", token.value)
    assert stale.get("/enterprise").status_code == 302


def test_change_password_checks_current_password_and_policy(app, client):
    username = _make(app, enterprise_user)
    login(client, username, DEFAULT_PASSWORD)
    wrong = client.post(
        "/password",
        data={"current_password": "nope", "new_password": "Brand-new-1", "confirm": "Brand-new-1"},
    )
    assert "当前密码错误" in wrong.get_data(as_text=True)
    short = client.post(
        "/password", data={"current_password": DEFAULT_PASSWORD, "new_password": "abc", "confirm": "abc"}
    )
    assert "至少" in short.get_data(as_text=True)
    ok = client.post(
        "/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": "Brand-new-1", "confirm": "Brand-new-1"},
    )
    assert ok.status_code == 302
    # The session survives the user's own change; the old password is gone.
    assert client.get("/enterprise").status_code == 200
    client.post("/logout")
    assert login(client, username, DEFAULT_PASSWORD).status_code == 200
    assert login(client, username, "Brand-new-1").status_code == 302
    with app.app_context():
        results = [
            e.result
            for e in db.session.query(AuditEvent).filter_by(username=username, action="password_change")
        ]
    assert sorted(results) == ["failure", "success"]


def test_mlps2_policy_requires_complexity_and_expires_old_passwords(app, client):
    app.config["PASSWORD_POLICY"] = "mlps2"
    try:
        with app.app_context():
            assert accounts.password_policy_errors("alllowercase1", "someone")
            assert accounts.password_policy_errors("Mixed-Case-1", "someone") == []
            user = UserFactory(password_changed_at=utcnow().replace(year=utcnow().year - 1))
            db.session.commit()
            username = user.username
        login(client, username, DEFAULT_PASSWORD)
        response = client.get("/enterprise")
        assert response.status_code == 302 and "/password" in response.headers["Location"]
    finally:
        app.config["PASSWORD_POLICY"] = "length"


def test_reset_code_is_single_use_and_forces_a_new_password(app, client):
    with app.app_context():
        target = enterprise_user()
        helper = official("华容区")
        db.session.commit()
        target_name, helper_name, target_id = target.username, helper.username, target.id
    login(client, helper_name, DEFAULT_PASSWORD)
    assert target_name in client.get("/accounts").get_data(as_text=True)
    page = client.post(f"/accounts/{target_id}/reset-code").get_data(as_text=True)
    code = page.split('id="reset-code">')[1].split("<")[0].strip()
    assert len(code) == accounts.RESET_CODE_LENGTH
    client.post("/logout")

    data = {"username": target_name, "code": code, "new_password": "Fresh-pass-9", "confirm": "Fresh-pass-9"}
    assert client.post("/reset", data=data).status_code == 302
    assert login(client, target_name, "Fresh-pass-9").status_code == 302
    client.post("/logout")
    again = client.post("/reset", data=data | {"new_password": "Other-pass-9", "confirm": "Other-pass-9"})
    assert again.status_code == 200
    assert "重置码" in again.get_data(as_text=True)


def test_locked_out_user_gets_back_in_with_a_reset_code_from_an_official(app, client):
    with app.app_context():
        target = enterprise_user()  # enterprise in 华容区
        helper = official("华容区")
        db.session.commit()
        target_name, helper_name, target_id = target.username, helper.username, target.id
    victim = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(victim, target_name, "wrong-password")
    assert "锁定" in login(victim, target_name, DEFAULT_PASSWORD).get_data(as_text=True)

    login(client, helper_name, DEFAULT_PASSWORD)
    page = client.post(f"/accounts/{target_id}/reset-code").get_data(as_text=True)
    code = page.split('id="reset-code">')[1].split("<")[0].strip()
    data = {"username": target_name, "code": code, "new_password": "Fresh-pass-9", "confirm": "Fresh-pass-9"}
    assert victim.post("/reset", data=data).status_code == 302
    assert login(victim, target_name, "Fresh-pass-9").status_code == 302
    assert victim.get("/enterprise").status_code == 200
    user = _user(app, target_name)
    assert user.locked_until is None and user.failed_login_count == 0


def test_reset_code_expires(app):
    with app.app_context():
        target = enterprise_user()
        admin = UserFactory(role="admin")
        code = accounts.issue_reset_code(target, admin)
        for reset in target_codes(target):
            reset.expires_at = utcnow()
        db.session.commit()
        try:
            accounts.redeem_reset_code(target.username, code, "Fresh-pass-9")
        except accounts.AccountError:
            refused = True
        else:
            refused = False
    assert refused


def target_codes(user: User):
    from portal.models import ResetCode

    return db.session.query(ResetCode).filter_by(user_id=user.id).all()


def test_other_district_official_cannot_issue_reset_codes(app, client):
    with app.app_context():
        target = enterprise_user()  # enterprise in 华容区
        outsider = official("鄂城区")
        db.session.commit()
        outsider_name, target_id, target_name = outsider.username, target.id, target.username
    login(client, outsider_name, DEFAULT_PASSWORD)
    assert target_name not in client.get("/accounts").get_data(as_text=True)
    assert client.post(f"/accounts/{target_id}/reset-code").status_code == 404


def test_forced_password_change_after_cli_created_account(app, client):
    with app.app_context():
        UserFactory(username="forced-user", must_change_password=True)
        db.session.commit()
    login(client, "forced-user", DEFAULT_PASSWORD)
    response = client.get("/enterprise")
    assert "/password" in response.headers["Location"]
    page = client.get("/password").get_data(as_text=True)
    assert "current_password" not in page
    client.post("/password", data={"new_password": "Chosen-pass-7", "confirm": "Chosen-pass-7"})
    assert client.get("/enterprise").status_code == 200


def test_forms_require_a_csrf_token(app):
    from portal import create_app

    strict = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "WTF_CSRF_ENABLED": True},
    )
    response = strict.test_client().post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400
    assert strict.config["WTF_CSRF_TIME_LIMIT"] >= 8 * 3600


def test_language_choice_survives_login(app, client):
    username = _make(app, enterprise_user)
    client.get("/lang/en")
    login(client, username, DEFAULT_PASSWORD)
    assert "My enterprise" in client.get("/enterprise").get_data(as_text=True)
