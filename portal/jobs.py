"""The one small jobs module: RQ on Redis when REDIS_URL is set, otherwise a separate process per job.

Never a thread pool. Job status and progress live in the `jobs` table; produced files under
instance/jobs/. `flask --app portal worker` runs an RQ worker, or (without Redis) picks up queued
jobs whose process was lost. Without Redis each job runs in `python -m portal.job_process JOB_ID`,
which imports this module under its own name (never as __main__, whose registry would be empty).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from portal.extensions import db
from portal.models import User, utcnow
from portal.models_officials import Job

QUEUE_NAME = "portal"
# The parent passes these settings to a job process (JSON in this variable) so it sees the same database and folders.
ENV_SETTINGS = "PORTAL_JOB_SETTINGS"
PASSED_SETTINGS = ("SQLALCHEMY_DATABASE_URI", "JOBS_DIR", "REPORTS_DIR")

# kind -> runner(job, progress) returning (file path, download name, total rows)
RUNNERS: dict[str, Callable[[Job, Callable[[int], None]], tuple[Path, str, int]]] = {}
# The one list of modules that register runners; every process that runs jobs imports them (load_runners).
RUNNER_MODULES = ("portal.officials.jobs_runners", "portal.reports.tasks", "portal.services.admin")


def runner(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the function that runs jobs of `kind`."""

    def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
        RUNNERS[kind] = function
        return function

    return decorator


def load_runners() -> None:
    """Import every module that registers a runner (cheap after the first call)."""
    for name in RUNNER_MODULES:
        importlib.import_module(name)


def jobs_dir(app: Flask | None = None) -> Path:
    """Where job output files go (instance/jobs, created on demand)."""
    app = app or current_app
    folder = Path(app.config.get("JOBS_DIR") or Path(app.instance_path) / "jobs")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def enqueue(kind: str, params: dict[str, Any], user: User | None) -> Job:
    """Create a job and start it: RQ when REDIS_URL is set, else a separate process (inline in tests).

    `user` is None for system jobs (e.g. report rendering after a submission); only admins see those.
    """
    created_by_id = user.id if user is not None else None
    job = Job(id=uuid.uuid4().hex, kind=kind, params=params, created_by_id=created_by_id, status="queued")
    db.session.add(job)
    db.session.commit()
    mode = current_app.config.get("JOBS_MODE") or ("rq" if os.environ.get("REDIS_URL") else "process")
    if mode == "inline":
        run_job(job.id)
    elif mode == "rq":
        from redis import Redis
        from rq import Queue

        Queue(QUEUE_NAME, connection=Redis.from_url(os.environ["REDIS_URL"])).enqueue(
            "portal.jobs.rq_entry", job.id, job_timeout=3600
        )
    else:
        start_process(job.id)
    return job


def start_process(job_id: str) -> subprocess.Popen[bytes]:
    """Run the job in `python -m portal.job_process JOB_ID`; its stderr goes to <jobs dir>/JOB_ID.log."""
    settings = {key: str(current_app.config[key]) for key in PASSED_SETTINGS if current_app.config.get(key)}
    env = {**os.environ, ENV_SETTINGS: json.dumps(settings)}
    with open(jobs_dir() / f"{job_id}.log", "ab") as log:
        return subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "portal.job_process", job_id],
            env=env,
            cwd=str(Path(current_app.root_path).parent),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )


def get_job(job_id: str, user: User) -> Job | None:
    """A job the user started (admins see every job), or None."""
    job = db.session.get(Job, job_id)
    if job is None or (job.created_by_id != user.id and user.role != "admin"):
        return None
    return job


def run_job(job_id: str) -> None:
    """Run one job in the current app context, recording progress, result file or error."""
    job = db.session.get(Job, job_id)
    if job is None or job.status not in ("queued", "running"):
        return
    job.status = "running"
    db.session.commit()

    def progress(done: int) -> None:
        job.progress = done
        db.session.commit()

    try:
        load_runners()
        path, name, total = RUNNERS[job.kind](job, progress)
    except Exception:  # noqa: BLE001 - a failed job is recorded, never half-delivered
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.status = "failed"
        job.error = traceback.format_exc(limit=5)
        db.session.commit()
        return
    job.result_path = str(path)
    job.result_name = name
    job.progress = total
    job.total = total
    job.status = "done"
    job.updated_at = utcnow()
    db.session.commit()


def pending_jobs() -> list[str]:
    """Ids of queued jobs (for the worker's reconciliation)."""
    return list(db.session.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.created_at)))


def _app() -> Flask:
    from portal import create_app

    overrides = json.loads(os.environ.get(ENV_SETTINGS) or "{}") or None
    return create_app(os.environ.get("FLASK_CONFIG"), overrides)


def rq_entry(job_id: str) -> None:
    """RQ calls this in the worker process."""
    app = _app()
    with app.app_context():
        run_job(job_id)


def main(argv: list[str]) -> int:
    """Run one job in this separate process (`python -m portal.job_process JOB_ID`)."""
    app = _app()
    with app.app_context():
        run_job(argv[0])
        log = jobs_dir() / f"{argv[0]}.log"
        if log.exists() and log.stat().st_size == 0:
            log.unlink()
    return 0
