"""`flask render-report` (one report afresh, never from the cache) and `flask reconcile-reports`.

Cron example (without a worker loop that reconciles), every 5 minutes:
    */5 * * * *  cd /srv/portal && .venv/bin/flask --app portal reconcile-reports
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.extensions import db


def register(app: Flask) -> None:
    """Attach the report commands."""
    app.cli.add_command(render_report_command)
    app.cli.add_command(reconcile_reports_command)


@click.command("render-report")
@click.argument("assessment_id", type=int)
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@with_appcontext
def render_report_command(assessment_id: int, output: Path, lang: str) -> None:
    """Render the report of ASSESSMENT_ID afresh (never from the cache) into FILE."""
    from portal.models import Assessment
    from portal.reports import service

    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.status not in service.REPORTED_STATUSES or not assessment.result:
        raise click.ClickException(f"assessment {assessment_id} is not submitted or has no result")
    started = time.perf_counter()
    pdf = service.render(assessment, lang)
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    temporary.write_bytes(pdf)
    os.replace(temporary, output)
    click.echo(f"wrote {output} ({len(pdf) / 1024:.0f} kB, {time.perf_counter() - started:.2f} s)")


@click.command("reconcile-reports")
@click.option("--limit", type=int, default=None, help="Render at most this many reports.")
@click.option("--every", type=int, default=0, help="Repeat every N seconds (0: one pass, for cron).")
@with_appcontext
def reconcile_reports_command(limit: int | None, every: int) -> None:
    """Render every submitted/verified report that has no current cached PDF."""
    from portal.reports.tasks import reconcile_reports

    while True:
        report = reconcile_reports(limit, echo=click.echo)
        click.echo(report.summary())
        db.session.remove()
        if every <= 0:
            return
        time.sleep(every)
