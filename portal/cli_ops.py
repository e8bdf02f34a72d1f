"""Operations commands: backup, restore, prune-audit."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.extensions import db


def register(app: Flask) -> None:
    """Attach the operations commands to the app."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(prune_audit_command)


def _database_url() -> str:
    return str(current_app.config["SQLALCHEMY_DATABASE_URI"])


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Back up the DATABASE_URL database to FILE (SQLite copy or pg_dump custom archive)."""
    from portal.services import audit, backup

    url = _database_url()
    audit.record("backup", username="system", object_type="database", detail={"file": str(file)})
    db.session.commit()
    db.session.remove()
    try:
        path = backup.backup(url, file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup of the {backup.dialect_of(url)} database written to {path}")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the DATABASE_URL database's contents with the backup in FILE."""
    from portal.services import audit, backup

    url = _database_url()
    if not yes:
        click.confirm(
            f"Replace every table of the {backup.dialect_of(url)} database with {file}?", abort=True
        )
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold locks or stale pages during the restore
    try:
        backup.restore(url, file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    db.engine.dispose()
    audit.record("restore", username="system", object_type="database", detail={"file": str(file)})
    db.session.commit()
    click.echo(f"Database restored from {file}")


@click.command("prune-audit")
@with_appcontext
@click.option(
    "--days", type=int, default=None, help="Keep this many days (default AUDIT_RETENTION_DAYS, min 180)."
)
def prune_audit_command(days: int | None) -> None:
    """Delete audit events older than the retention period (AUDIT_RETENTION_DAYS, default 180)."""
    from portal.auditlog import service

    keep = days if days is not None else int(current_app.config["AUDIT_RETENTION_DAYS"])
    try:
        deleted = service.prune(keep)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Deleted {deleted} audit events older than {keep} days.")
