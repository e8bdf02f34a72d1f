"""Rounds (open/close/freeze), inactive accounts, member removal, targets and imports from the admin pages."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
from sqlalchemy import select

from portal.extensions import db
from portal.models import Assessment, AuditEvent, Enterprise, Membership, Round, User, utcnow
from portal.models_officials import PlanTarget, RecognisedEnterprise
from portal.services import accounts, admin, assessments
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    MembershipFactory,
    RoundFactory,
    UserFactory,
    enterprise_user,
    official,
)

from .conftest import login


def _login_new(app, client, factory, *args, **kwargs) -> str:
    with app.app_context():
        user = factory(*args, **kwargs)
        db.session.commit()
        username = user.username
    login(client, username, DEFAULT_PASSWORD)
    return username


def _close_all_rounds() -> None:
    for round_ in db.session.scalars(select(Round).where(Round.status == "open")):
        round_.status = "closed"


def test_outside_an_open_round_enterprises_read_results_but_cannot_start_and_a_closed_round_is_frozen(
    app, client
):
    admin_client = app.test_client()
    _login_new(app, admin_client, UserFactory, role="admin")
    with app.app_context():
        _close_all_rounds()
        round_ = RoundFactory(year=2061)
        user = enterprise_user()
        db.session.commit()
        draft = assessments.start_or_continue(user)
        draft_id, round_id, username = draft.id, round_.id, user.username

    # A second round cannot be opened while one is open.
    admin_client.post(
        "/admin/rounds", data={"year": "2062", "opens_on": "2062-01-01", "closes_on": "2062-12-31"}
    )
    with app.app_context():
        second = db.session.scalar(select(Round).where(Round.year == 2062))
        assert second.status == "closed"
        second_id = second.id
    page = admin_client.post(f"/admin/rounds/{second_id}/open", follow_redirects=True).get_data(as_text=True)
    assert "请先关闭" in page
    # Reversed dates are refused.
    admin_client.post(
        f"/admin/rounds/{second_id}/dates", data={"opens_on": "2062-12-01", "closes_on": "2062-01-01"}
    )
    with app.app_context():
        assert db.session.get(Round, second_id).opens_on.isoformat() == "2062-01-01"

    admin_client.post(f"/admin/rounds/{round_id}/close")
    login(client, username, DEFAULT_PASSWORD)
    response = client.post("/assessments/start", follow_redirects=True)
    assert "目前没有开放的评估轮次" in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(db.func.count()).select_from(Assessment).where(Assessment.round_id == second_id)
            )
            == 0
        )
        frozen = db.session.get(Assessment, draft_id)
        first = assessments.questionnaire_of(frozen).questions[0]
        value = first.options[0].value if first.options else 1
        try:
            assessments.save_answers(frozen, frozen.version, {first.id: value})
            refused = False
        except assessments.AssessmentError as error:
            refused = error.status == 409
        assert refused
        try:
            assessments.submit(
                frozen, db.session.get(User, frozen.enterprise.memberships[0].user_id), pledge=True
            )
            submitted = True
        except assessments.AssessmentError:
            submitted = False
        assert not submitted
        assert db.session.get(Assessment, draft_id).status == "draft"
    assert response.status_code == 200
    # The history page (results) still opens.
    assert client.get("/assessments").status_code == 200
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"admin.round_create", "admin.round_close"} <= actions


def test_inactive_accounts_are_disabled_by_command_and_button_but_the_last_admin_stays(app, client):
    with app.app_context():
        old = utcnow() - timedelta(days=200)
        stale = UserFactory(role="enterprise", last_login_at=old, created_at=old)
        recent = UserFactory(role="enterprise", last_login_at=utcnow() - timedelta(days=10))
        never = UserFactory(role="official", scope="city", created_at=old)
        for user in db.session.scalars(select(User).where(User.role == "admin")):
            user.active = False
        lone_admin = UserFactory(role="admin", last_login_at=old, created_at=old)
        db.session.commit()
        names = stale.username, recent.username, never.username, lone_admin.username
    result = app.test_cli_runner().invoke(args=["disable-inactive"])
    assert result.exit_code == 0, result.output
    assert "Disabled 2 inactive account(s)" in result.output
    with app.app_context():
        state = {name: accounts.find_user(name).active for name in names}
    assert state == {names[0]: False, names[1]: True, names[2]: False, names[3]: True}

    # Re-enabled by an admin: not disabled again the next day although the last login is old.
    login(client, names[3], DEFAULT_PASSWORD)
    with app.app_context():
        stale_id = accounts.find_user(names[0]).id
    client.post(f"/admin/users/{stale_id}/enable")
    client.post("/admin/users/disable-inactive")
    with app.app_context():
        assert accounts.find_user(names[0]).active
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "admin.user_disable_inactive")
        ).all()
        assert len(events) == 2


def test_colleagues_remove_each_other_officials_in_scope_too(app, client):
    with app.app_context():
        firm = EnterpriseFactory(district="华容区")
        alice = enterprise_user(firm)
        bob = enterprise_user(firm)
        carol = enterprise_user(firm)
        outsider = enterprise_user()
        far_official = official("鄂城区")
        near_official = official("华容区")
        db.session.commit()
        bob_m = db.session.scalar(select(Membership).where(Membership.user_id == bob.id))
        carol_m = db.session.scalar(select(Membership).where(Membership.user_id == carol.id))
        alice_m = db.session.scalar(select(Membership).where(Membership.user_id == alice.id))
        ids = bob_m.id, carol_m.id, alice_m.id, firm.id
        names = alice.username, outsider.username, far_official.username, near_official.username

    login(client, names[0], DEFAULT_PASSWORD)
    page = client.get("/enterprise/colleagues").get_data(as_text=True)
    assert "同事" in page and f"/memberships/{ids[0]}/remove" in page
    assert f"/memberships/{ids[2]}/remove" not in page  # not yourself
    client.post(f"/memberships/{ids[0]}/remove")
    assert client.post(f"/memberships/{ids[2]}/remove").status_code == 404

    for name in names[1:3]:
        other = app.test_client()
        login(other, name, DEFAULT_PASSWORD)
        assert other.post(f"/memberships/{ids[1]}/remove").status_code in (403, 404)
    near = app.test_client()
    login(near, names[3], DEFAULT_PASSWORD)
    assert "移除" in near.get(f"/enterprises/{ids[3]}/members").get_data(as_text=True)
    near.post(f"/memberships/{ids[1]}/remove")
    with app.app_context():
        remaining = set(db.session.scalars(select(Membership.id).where(Membership.enterprise_id == ids[3])))
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "membership.remove")).all()
    assert remaining == {ids[2]}
    assert [e.username for e in events] == [names[0], names[3]]


def test_targets_edit_with_fixed_rules_and_recognised_list_import_csv_and_xlsx(app, client):
    _login_new(app, client, UserFactory, role="admin")
    with app.app_context():
        target = db.session.scalar(select(PlanTarget).where(PlanTarget.recognised_list.is_not(None)).limit(1))
        key, list_id, value = target.key, target.recognised_list, target.value
        first, second = EnterpriseFactory(), EnterpriseFactory()
        db.session.commit()
        codes = first.uscc, second.uscc
    page = client.get(f"/admin/targets/{key}").get_data(as_text=True)
    assert "统计口径" in page
    client.post(f"/admin/targets/{key}", data={"value": "9", "rule": "made-up rule"})
    with app.app_context():
        assert db.session.scalar(select(PlanTarget.value).where(PlanTarget.key == key)) == value

    csv_data = f"统一社会信用代码,年度\n{codes[0]},2024\n".encode()
    client.post(
        "/admin/targets/recognised", data={"list_id": list_id, "file": (io.BytesIO(csv_data), "list.csv")}
    )
    book = openpyxl.Workbook()
    book.active.append(["uscc", "year"])
    book.active.append([codes[1], 2025])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    client.post("/admin/targets/recognised", data={"list_id": list_id, "file": (buffer, "list.xlsx")})
    bad = f"uscc\n{codes[0]}\n91420700MA4XXXXXX0\n".encode()
    page = client.post(
        "/admin/targets/recognised",
        data={"list_id": list_id, "file": (io.BytesIO(bad), "bad.csv")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "未导入任何记录" in page
    with app.app_context():
        listed = set(
            db.session.scalars(
                select(Enterprise.uscc)
                .join(RecognisedEnterprise, RecognisedEnterprise.enterprise_id == Enterprise.id)
                .where(RecognisedEnterprise.list_id == list_id)
            )
        )
    assert set(codes) <= listed


def test_enterprise_import_page_reports_rejected_rows(app, client):
    username = _login_new(app, client, UserFactory, role="admin")
    with app.app_context():
        code = EnterpriseFactory.build().uscc
    data = (
        "uscc,name,district,industry,size_class,above_designated_size,employees\n"
        f"{code},鄂州市导入测试有限公司,华容区,C34,small,是,80\n"
        "123,坏代码公司,华容区,34,small,否,10\n"
    ).encode()
    page = client.post("/admin/import", data={"file": (io.BytesIO(data), "list.csv")}).get_data(as_text=True)
    assert "新增 1 家" in page and "拒绝 1 行" in page
    assert "<td>3</td>" in page
    with app.app_context():
        assert db.session.scalar(select(Enterprise).where(Enterprise.uscc == code)).origin == "imported"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.enterprise_import"))
        assert event.username == username and event.detail["rejected"] == 1


def test_admin_service_refuses_removing_a_member_without_rights(app):
    with app.app_context():
        firm = EnterpriseFactory()
        pending = MembershipFactory(enterprise=firm, status="pending")
        stranger = enterprise_user()
        db.session.commit()
        assert not admin.can_remove_member(stranger, pending)


def test_seed_demo_refuses_in_production_configuration(app, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--enterprises", "0"])
    assert result.exit_code != 0 and "production" in result.output
    with app.app_context():
        assert accounts.find_user("demo-admin") is None


def test_the_inactivity_limit_comes_from_account_inactive_days_in_the_environment(app, monkeypatch):
    from portal import create_app

    assert app.config["ACCOUNT_INACTIVE_DAYS"] == 180
    monkeypatch.setenv("ACCOUNT_INACTIVE_DAYS", "30")
    configured = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert configured.config["ACCOUNT_INACTIVE_DAYS"] == 30
    with configured.app_context():
        idle = UserFactory(role="enterprise", last_login_at=utcnow() - timedelta(days=45))
        active = UserFactory(role="enterprise", last_login_at=utcnow() - timedelta(days=10))
        db.session.commit()
        names = idle.username, active.username
    result = configured.test_cli_runner().invoke(args=["disable-inactive"])
    assert result.exit_code == 0, result.output
    with configured.app_context():
        assert [accounts.find_user(name).active for name in names] == [False, True]
