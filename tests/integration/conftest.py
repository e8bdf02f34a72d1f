"""App + real database fixtures: the schema comes from the real Alembic migrations, each test rolls back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

ROOT = Path(__file__).resolve().parents[2]


def _enable_sqlite_savepoints(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _explicit_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """TEST_DATABASE_URL, or a fresh temporary SQLite file."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    """The app on a database built by running every Alembic migration once."""
    import flask_migrate

    from portal import create_app
    from portal.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _enable_sqlite_savepoints(engine)
        else:
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        db.session.remove()
    yield app


@pytest.fixture(autouse=True)
def db_transaction(app: Flask) -> Iterator[None]:
    """Run the test inside one outer transaction; every commit only releases a savepoint."""
    from portal.extensions import db

    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
    original_session = db.session
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint", class_=Session),
        scopefunc=_app_ctx_id,
    )
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original_session
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (no app context is held open between requests)."""
    return app.test_client()


def login(client: FlaskClient, username: str, password: str, remember: bool = False) -> object:
    """Post the login form."""
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)
