"""`flask --app portal worker`: an RQ worker when REDIS_URL is set, otherwise a queued-job runner.

Both modes also reconcile report PDFs (render what a lost job or a crash left missing) at start and
every REPORTS_RECONCILE_SECONDS (default 300).
"""

from __future__ import annotations

import os
import threading
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

DEFAULT_RECONCILE_SECONDS = 300


def register(app: Flask) -> None:
    """Attach the worker command."""
    app.cli.add_command(worker_command)


def reconcile_interval() -> float:
    """Seconds between two report reconcile passes (config REPORTS_RECONCILE_SECONDS)."""
    value = current_app.config.get("REPORTS_RECONCILE_SECONDS")
    return float(DEFAULT_RECONCILE_SECONDS if value is None else value)


def reconcile_once(limit: int | None = None) -> int:
    """Render missing report PDFs (up to `limit`); returns how many were checked; never raises."""
    from portal.extensions import db
    from portal.reports.tasks import reconcile_reports

    try:
        report = reconcile_reports(limit=limit)
    except Exception:  # noqa: BLE001 - a failing pass must not stop the worker; the next pass retries
        current_app.logger.exception("report reconcile pass failed")
        db.session.rollback()
        return 0
    finally:
        db.session.remove()
    if report.checked:
        click.echo(
            f"reconciled reports: {len(report.rendered)} rendered, {len(report.failed)} failed, "
            f"{len(report.busy)} busy"
        )
    return report.checked


def _reconcile_forever(app: Flask, interval: float, stop: threading.Event) -> None:
    """Background loop of the RQ mode: one reconcile pass every `interval` seconds."""
    while not stop.wait(interval):
        with app.app_context():
            reconcile_once()


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Reconcile reports, run the queued jobs once and exit.")
def worker_command(once: bool) -> None:
    """Run background jobs (exports, bulk downloads, report PDFs) and reconcile missing reports."""
    from portal import jobs
    from portal.extensions import db

    interval = reconcile_interval()
    if os.environ.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue, Worker

        reconcile_once()
        stop = threading.Event()
        if not once:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            threading.Thread(
                target=_reconcile_forever, args=(app, interval, stop), name="reconcile", daemon=True
            ).start()
        connection = Redis.from_url(os.environ["REDIS_URL"])
        try:
            Worker([Queue(jobs.QUEUE_NAME, connection=connection)], connection=connection).work(burst=once)
        finally:
            stop.set()
        return
    next_reconcile = 0.0
    while True:
        if time.monotonic() >= next_reconcile:
            reconcile_once()
            next_reconcile = time.monotonic() + interval
        for job_id in jobs.pending_jobs():
            click.echo(f"running job {job_id}")
            jobs.run_job(job_id)
        db.session.remove()
        if once:
            return
        time.sleep(2)
