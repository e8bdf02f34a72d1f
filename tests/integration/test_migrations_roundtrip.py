"""Migrations: upgrade from empty, downgrade one step, upgrade again (same schema), and down to empty."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .scratch_db import flask_cli, scratch_database


def _schema(url: str) -> dict[str, Any]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        schema: dict[str, Any] = {}
        for table in sorted(inspector.get_table_names()):
            schema[table] = {
                "columns": sorted(
                    (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)
                ),
                "foreign_keys": sorted(
                    (fk["referred_table"], tuple(fk["constrained_columns"]))
                    for fk in inspector.get_foreign_keys(table)
                ),
            }
        return schema
    finally:
        engine.dispose()


def _heads(url: str) -> str:
    return flask_cli(url, "db", "current").stdout.strip()


def test_upgrade_downgrade_one_step_and_upgrade_again(database_url, tmp_path):
    with scratch_database(database_url, "migrations", tmp_path) as url:
        flask_cli(url, "db", "upgrade")
        head_schema = _schema(url)
        head = _heads(url)
        assert "(head)" in head and "users" in head_schema and "audit_events" in head_schema

        flask_cli(url, "db", "downgrade")  # Flask-Migrate: one step (-1) by default
        assert "(head)" not in _heads(url)
        assert _schema(url) != head_schema  # the last migration really changed something

        flask_cli(url, "db", "upgrade")
        assert _heads(url) == head
        assert _schema(url) == head_schema

        flask_cli(url, "db", "downgrade", "base")
        assert set(_schema(url)) <= {"alembic_version"}
        flask_cli(url, "db", "upgrade")
        assert _schema(url) == head_schema
