"""Database backup and restore: SQLite online backup API, pg_dump/pg_restore (custom format) for PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """A backup or restore that could not be done (message says why)."""


def dialect_of(database_url: str) -> str:
    """'sqlite' or 'postgresql' (anything else is refused)."""
    name = make_url(database_url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return url.database


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes in the environment, not argv."""
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    sslmode = url.query.get("sslmode")
    if isinstance(sslmode, str):
        env["PGSSLMODE"] = sslmode
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (apt-get install postgresql-client).")
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(f"{tool} failed: {completed.stderr.strip()[-2000:]}")


def backup(database_url: str, target: str | Path) -> Path:
    """Write a consistent copy of the database to `target` (SQLite file or pg_dump custom archive)."""
    url = make_url(database_url)
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if dialect_of(database_url) == "sqlite":
        source_path = _sqlite_path(url)
        if not Path(source_path).exists():
            raise BackupError(f"No SQLite database at {source_path}.")
        partial.unlink(missing_ok=True)
        source = sqlite3.connect(source_path)
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)  # online backup API: consistent even while the app writes
        finally:
            destination.close()
            source.close()
    else:
        args, env = _libpq(url)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial), *args],
            env,
        )
    partial.replace(target)
    return target


def restore(database_url: str, source: str | Path) -> None:
    """Replace the database's contents with the backup in `source` (made by `backup`)."""
    url = make_url(database_url)
    source = Path(source).resolve()
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    if dialect_of(database_url) == "sqlite":
        with open(source, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{source} is not a SQLite backup.")
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            backup_db.backup(target)
        finally:
            target.close()
            backup_db.close()
    else:
        with open(source, "rb") as handle:
            if handle.read(5) != b"PGDMP":
                raise BackupError(f"{source} is not a pg_dump custom-format archive.")
        args, env = _libpq(url)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(source),
            ],
            env,
        )
