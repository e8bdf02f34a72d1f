"""Health check and the public CLI commands."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Enterprise, Membership, Round, User
from portal.services import accounts
from tests.factories import EnterpriseFactory


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path, monkeypatch):
    from portal import create_app

    # Use a real session of the broken app, not the test transaction's connection.
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))

    broken = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and "OperationalError" in body["database"]


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_create_user_official_needs_exactly_one_scope(app):
    assert _cli(app, "create-user", "x1", "--role", "official").exit_code != 0
    assert (
        _cli(app, "create-user", "x2", "--role", "official", "--district", "华容区", "--city-wide").exit_code
        != 0
    )
    result = _cli(
        app,
        "create-user",
        "hr-official",
        "--role",
        "official",
        "--district",
        "华容区",
        "--password",
        "Secret-123",
    )
    assert result.exit_code == 0, result.output
    city = _cli(
        app, "create-user", "city-official", "--role", "official", "--city-wide", "--password", "Secret-123"
    )
    assert city.exit_code == 0, city.output
    with app.app_context():
        district_user = accounts.find_user("hr-official")
        assert (district_user.scope, district_user.district) == ("district", "华容区")
        assert accounts.find_user("city-official").scope == "city"
        assert accounts.verify_password(district_user.password_hash, "Secret-123")


def test_create_enterprise_user_is_approved_member(app):
    with app.app_context():
        enterprise = EnterpriseFactory()
        db.session.commit()
        code = enterprise.uscc
    result = _cli(app, "create-user", "ent-user", "--role", "enterprise", "--enterprise", code)
    assert result.exit_code == 0, result.output
    assert "must be changed" in result.output
    with app.app_context():
        user = accounts.find_user("ent-user")
        assert user.must_change_password
        assert [(m.enterprise.uscc, m.status) for m in user.memberships] == [(code, "approved")]


def test_create_user_refuses_unknown_district_and_duplicates(app):
    assert _cli(app, "create-user", "y", "--role", "official", "--district", "武昌区").exit_code != 0
    assert _cli(app, "create-user", "dup", "--role", "admin", "--password", "Secret-123").exit_code == 0
    again = _cli(app, "create-user", "dup", "--role", "admin", "--password", "Secret-123")
    assert again.exit_code != 0 and "taken" in again.output


def _population(app) -> tuple[int, int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Enterprise, User, Membership, Round)
        )


def test_seed_demo_is_deterministic_and_idempotent(app):
    first = _cli(app, "seed-demo", "--enterprises", "120", "--seed", "7")
    assert first.exit_code == 0, first.output
    assert "demo-district" in first.output
    counts = _population(app)
    assert counts == (120, 4, 1, 2)
    second = _cli(app, "seed-demo", "--enterprises", "120", "--seed", "7")
    assert second.exit_code == 0 and "0 created" in second.output
    assert _population(app) == counts
    with app.app_context():
        rows = db.session.execute(select(Enterprise.uscc, Enterprise.district, Enterprise.size_class,
                                         Enterprise.above_designated_size, Enterprise.revenue_band)).all()  # fmt: skip
        demo_district = accounts.find_user("demo-district")
        assert (demo_district.scope, demo_district.district) == ("district", "华容区")
    from stdnum.cn import uscc

    from portal import reference

    assert all(uscc.is_valid(row.uscc) for row in rows)
    assert {row.district for row in rows} == set(reference.DISTRICT_VALUES)
    assert {row.size_class for row in rows} == set(reference.SIZE_CLASSES)
    assert all(
        row.above_designated_size == reference.band_is_above_designated_size(row.revenue_band) for row in rows
    )
