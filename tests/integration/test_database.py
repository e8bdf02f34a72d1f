"""The database the suite runs on, and agreement between models and migrations."""

from __future__ import annotations

import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from portal.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def test_runs_on_the_requested_dialect(app):
    """SQLite by default, PostgreSQL when TEST_DATABASE_URL says so; .ci/run reads the report file."""
    expected = "postgresql" if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql") else "sqlite"
    with app.app_context():
        dialect = db.session.connection().dialect.name
    assert dialect == expected
    report = os.environ.get("TEST_DIALECT_REPORT")
    if report:
        Path(report).write_text(dialect)


def test_migrations_have_one_head():
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_and_migrations_agree(app):
    """Autogenerate against the migrated database finds nothing left to do."""
    with app.app_context():
        context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrated_schema_has_the_aggregation_index(app):
    from sqlalchemy import inspect

    with app.app_context():
        indexes = {
            ix["name"]: ix["column_names"]
            for ix in inspect(db.session.connection()).get_indexes("assessments")
        }
    assert indexes["ix_assessments_aggregate"] == [
        "round_id",
        "is_current",
        "district",
        "industry_division",
        "size_class",
    ]
