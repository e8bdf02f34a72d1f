"""`flask --app portal worker`: an RQ worker when REDIS_URL is set, otherwise a queued-job runner."""

from __future__ import annotations

import os
import time

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    """Attach the worker command."""
    app.cli.add_command(worker_command)


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Run the queued jobs once and exit (no Redis).")
def worker_command(once: bool) -> None:
    """Run background jobs (exports, bulk downloads)."""
    from portal import jobs
    from portal.extensions import db

    if os.environ.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue, Worker

        connection = Redis.from_url(os.environ["REDIS_URL"])
        Worker([Queue(jobs.QUEUE_NAME, connection=connection)], connection=connection).work()
        return
    import portal.officials.jobs_runners  # noqa: F401

    while True:
        for job_id in jobs.pending_jobs():
            click.echo(f"running job {job_id}")
            jobs.run_job(job_id)
        db.session.remove()
        if once:
            return
        time.sleep(2)
