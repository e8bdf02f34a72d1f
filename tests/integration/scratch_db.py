"""Separate scratch databases (same dialect as the test database) for tests that need committed data."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def scratch_database(database_url: str, suffix: str, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database next to `database_url` (PostgreSQL: <name>_<suffix>; SQLite: a temp file)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / f'{suffix}.db'}"
        return
    name = f"{url.database}_{suffix}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def flask_cli(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `flask --app portal ARGS` against `database_url` in a subprocess (as an operator would)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORTAL_ENV": "development",
        "RATELIMIT_ENABLED": "false",
    }
    env.pop("TEST_DATABASE_URL", None)
    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "portal", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check and completed.returncode != 0:
        raise AssertionError(f"flask {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed


def snapshot(database_url: str, skip: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (sorted), keyed by table name."""
    engine = sa.create_engine(database_url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        tables: dict[str, list[tuple[Any, ...]]] = {}
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                if table.name in skip:
                    continue
                rows = connection.execute(sa.select(table)).all()
                tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
        return tables
    finally:
        engine.dispose()
