"""Flask commands for stored results and enterprise data: rescore, rebuild-aggregates, import-enterprises."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    """Attach the data commands to the app."""
    app.cli.add_command(rescore_command)
    app.cli.add_command(import_enterprises_command)
    app.cli.add_command(rebuild_aggregates_command)


@click.command("rescore")
@with_appcontext
@click.option("--questionnaire", "questionnaire_id", help="Only assessments of this questionnaire id.")
@click.option("--version", help="Only assessments of this questionnaire version.")
@click.option("--dry-run", is_flag=True, help="Compute and report, change nothing.")
@click.option("--workers", type=click.IntRange(min=1), help="Scoring processes (default: up to 2).")
def rescore_command(
    questionnaire_id: str | None, version: str | None, dry_run: bool, workers: int | None
) -> None:
    """Re-score stored submitted/verified results with their stored answers and context.

    Changed results are updated; a VERIFIED result is never changed: its difference is reported instead.
    """
    from tqdm import tqdm

    from portal.services import results

    started = time.perf_counter()
    with tqdm(unit="assessment", disable=None, file=sys.stderr) as bar:
        report = results.rescore(
            questionnaire_id=questionnaire_id,
            version=version,
            dry_run=dry_run,
            workers=workers,
            progress=bar.update,
        )
    for entry in report.verified_differences:
        click.echo(
            f"  verified assessment {entry['id']}: stored {entry['stored_score']} (level "
            f"{entry['stored_level']}), engine now {entry['new_score']} (level {entry['new_level']})"
        )
    for assessment_id, error in report.failures[:20]:
        click.echo(f"  assessment {assessment_id} could not be scored: {error}")
    click.echo(f"{report.summary()} ({time.perf_counter() - started:.1f} s)")


@click.command("import-enterprises")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report, import nothing.")
def import_enterprises_command(file: Path, dry_run: bool) -> None:
    """Import or update enterprises from a CSV or XLSX file (UTF-8; English or Chinese header).

    Columns: uscc/统一社会信用代码, name/企业名称, district/所属区, industry/行业代码 ("31" or "C31"),
    size_class/企业规模, above_designated_size/是否规上, employees/从业人数. Rows are matched by USCC
    (idempotent). Good rows are imported and bad rows are reported with row number and reason; a malformed
    file (unreadable, or a required column missing) imports nothing (exit 1). Exit 3 when some rows
    were rejected, 0 when every row was imported.
    """
    from portal.extensions import db
    from portal.services import imports

    try:
        report = imports.import_enterprises_file(file, dry_run=dry_run)
    except imports.ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing imported: {error}") from error
    for rejected in report.rejected:
        click.echo(f"  row {rejected.row}: {rejected.reason}")
    click.echo(report.summary())
    if report.rejected:
        sys.exit(3)


@click.command("rebuild-aggregates")
@with_appcontext
@click.option("--round", "year", type=int, help="Only the round of this year.")
def rebuild_aggregates_command(year: int | None) -> None:
    """Recompute the maintained aggregates (peer histograms, dashboard totals) from the stored results."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.models import Round
    from portal.services import aggregates

    started = time.perf_counter()
    round_id = None
    if year is not None:
        round_id = db.session.scalar(sa.select(Round.id).where(Round.year == year))
        if round_id is None:
            raise click.ClickException(f"no round {year}")
    aggregates.rebuild_aggregates(round_id)
    db.session.commit()
    click.echo(f"aggregates rebuilt ({time.perf_counter() - started:.1f} s)")
