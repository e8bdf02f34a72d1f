"""Registration with USCC validation, claims of imported enterprises, and district-scoped approval."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Enterprise, Membership, User
from portal.services.demo import demo_uscc
from tests.factories import DEFAULT_PASSWORD, EnterpriseFactory, UserFactory, official

from .conftest import login

VALID_USCC = "91110000600037341L"  # the python-stdnum documentation example


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "uscc": VALID_USCC,
        "name": "鄂州市华新精工机械有限公司",
        "district": "华容区",
        "industry_division": "34",
        "employees": "150",
        "revenue_band": "2000-10000",
        "above_designated_size": "y",
        "contact_name": "李娜",
        "contact_phone": "13912345678",
        "username": "huaxin-admin",
        "password": "Str0ng-pass",
        "confirm": "Str0ng-pass",
    }
    data.update(overrides)
    return data


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Enterprise, User, Membership)
        )


def test_registration_form_is_in_chinese(client):
    page = client.get("/register").get_data(as_text=True)
    assert "统一社会信用代码" in page and "华容区" in page and "C31 黑色金属冶炼和压延加工业" in page


def test_wrong_check_digit_shows_a_clear_message_and_stores_nothing(app, client):
    before = _counts(app)
    response = client.post("/register", data=_form(uscc=VALID_USCC[:-1] + "M"))
    assert response.status_code == 200
    assert "校验位错误" in response.get_data(as_text=True)
    assert _counts(app) == before
    english = client.post("/register?lang=en", data=_form(uscc=VALID_USCC[:-1] + "M"))
    assert "check digit" in english.get_data(as_text=True)


def test_wrong_length_is_explained(client):
    response = client.post("/register", data=_form(uscc="9111000060003734"))
    assert "18" in response.get_data(as_text=True)


def test_registration_creates_a_pending_enterprise_the_applicant_can_see(app, client):
    response = client.post("/register", data=_form(uscc="9111 0000 6000 3734 1l"))
    assert response.status_code == 302
    page = client.get("/enterprise").get_data(as_text=True)
    assert "鄂州市华新精工机械有限公司" in page and "待审核" in page
    with app.app_context():
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == VALID_USCC))
        assert (enterprise.status, enterprise.origin, enterprise.size_class) == (
            "pending",
            "registered",
            "small",
        )
        assert enterprise.above_designated_size is True
        assert enterprise.memberships[0].user.username == "huaxin-admin"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registration"))
        assert (event.username, event.result, event.detail["uscc"]) == ("huaxin-admin", "success", VALID_USCC)


def test_size_class_is_derived_not_asked(app, client):
    client.post("/register", data=_form(employees="1200", revenue_band="ge40000"))
    with app.app_context():
        assert (
            db.session.scalar(select(Enterprise.size_class).where(Enterprise.uscc == VALID_USCC)) == "large"
        )


def test_above_designated_size_needs_the_revenue(app, client):
    before = _counts(app)
    response = client.post("/register", data=_form(revenue_band="300-2000"))
    assert "2000万元" in response.get_data(as_text=True)
    assert _counts(app) == before


def test_a_second_registration_of_the_same_code_is_refused(app, client):
    assert client.post("/register", data=_form()).status_code == 302
    other = app.test_client()
    before = _counts(app)
    response = other.post("/register", data=_form(username="someone-else", name="冒名公司"))
    assert response.status_code == 200
    assert "已注册" in response.get_data(as_text=True)
    assert _counts(app) == before


def test_registering_an_imported_enterprise_claims_it(app, client):
    code = demo_uscc(777, "420704")
    with app.app_context():
        EnterpriseFactory(uscc=code, name="鄂州市导入企业有限公司", district="鄂城区", origin="imported",
                          employees=None, revenue_band=None, size_class=None, contact_name=None, contact_phone=None)  # fmt: skip
        db.session.commit()
    before = _counts(app)
    response = client.post("/register", data=_form(uscc=code, district="鄂城区", name="导入企业"))
    assert response.status_code == 302
    after = _counts(app)
    assert after[0] == before[0]  # no duplicate enterprise
    assert after[1:] == (before[1] + 1, before[2] + 1)
    with app.app_context():
        membership = db.session.scalar(select(Membership).join(Enterprise).where(Enterprise.uscc == code))
        assert membership.status == "pending"
        reviewer = official("鄂城区")
        from portal.services import enterprises

        enterprises.approve(membership, reviewer)
        enterprise = membership.enterprise
        assert (enterprise.employees, enterprise.contact_name) == (150, "李娜")


def _register_and_get_membership(app, client) -> int:
    client.post("/register", data=_form())
    client.post("/logout")
    with app.app_context():
        return db.session.scalar(select(Membership.id).join(Enterprise).where(Enterprise.uscc == VALID_USCC))


def test_district_official_approves_and_the_applicant_can_continue(app, client):
    membership_id = _register_and_get_membership(app, client)
    with app.app_context():
        reviewer = official("华容区")
        db.session.commit()
        reviewer_name = reviewer.username
    staff = app.test_client()
    login(staff, reviewer_name, DEFAULT_PASSWORD)
    assert "鄂州市华新精工机械有限公司" in staff.get("/approvals").get_data(as_text=True)
    assert staff.post(f"/approvals/{membership_id}", data={"approve": "y"}).status_code == 302
    login(client, "huaxin-admin", "Str0ng-pass")
    page = client.get("/enterprise").get_data(as_text=True)
    assert "已通过" in page and 'id="self-assessment"' in page
    with app.app_context():
        assert db.session.scalar(select(Enterprise.status).where(Enterprise.uscc == VALID_USCC)) == "approved"


def test_official_of_another_district_gets_404(app, client):
    membership_id = _register_and_get_membership(app, client)
    with app.app_context():
        outsider = official("鄂城区")
        db.session.commit()
        outsider_name = outsider.username
    staff = app.test_client()
    login(staff, outsider_name, DEFAULT_PASSWORD)
    assert "鄂州市华新精工机械有限公司" not in staff.get("/approvals").get_data(as_text=True)
    assert staff.get(f"/approvals/{membership_id}").status_code == 404
    assert staff.post(f"/approvals/{membership_id}", data={"approve": "y"}).status_code == 404
    with app.app_context():
        assert db.session.get(Membership, membership_id).status == "pending"


def test_city_official_rejects_with_a_reason_the_applicant_sees(app, client):
    membership_id = _register_and_get_membership(app, client)
    with app.app_context():
        reviewer = official(None)
        db.session.commit()
        reviewer_name = reviewer.username
    staff = app.test_client()
    login(staff, reviewer_name, DEFAULT_PASSWORD)
    no_reason = staff.post(f"/approvals/{membership_id}", data={"reject": "y", "reason": ""})
    assert no_reason.status_code == 200
    staff.post(f"/approvals/{membership_id}", data={"reject": "y", "reason": "营业执照信息与名称不符"})
    login(client, "huaxin-admin", "Str0ng-pass")
    page = client.get("/enterprise").get_data(as_text=True)
    assert "已驳回" in page and "营业执照信息与名称不符" in page


def test_enterprise_user_sees_only_their_own_enterprise(app, client):
    with app.app_context():
        mine = EnterpriseFactory()
        theirs = EnterpriseFactory(district="鄂城区")
        user = UserFactory()
        db.session.add(Membership(user=user, enterprise=mine, status="approved"))
        db.session.commit()
        mine_id, theirs_id, username = mine.id, theirs.id, user.username
    login(client, username, DEFAULT_PASSWORD)
    assert client.get(f"/enterprises/{mine_id}").status_code == 200
    assert client.get(f"/enterprises/{theirs_id}").status_code == 404


def test_district_official_sees_own_district_only(app, client):
    with app.app_context():
        huarong = EnterpriseFactory(district="华容区")
        echeng = EnterpriseFactory(district="鄂城区")
        reviewer = official("华容区")
        db.session.commit()
        ids, name = (huarong.id, echeng.id), reviewer.username
    login(client, name, DEFAULT_PASSWORD)
    assert client.get(f"/enterprises/{ids[0]}").status_code == 200
    assert client.get(f"/enterprises/{ids[1]}").status_code == 404
