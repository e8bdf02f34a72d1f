"""A worker killed (kill -9) in the middle of a submission leaves a complete draft; an undisturbed one submits fully.

gunicorn runs one worker of the testing app with PORTAL_TEST_SUBMIT_DELAY, which sleeps inside the submit
transaction after scoring, just before the commit. The database is a separate one (TEST_DATABASE_URL's
server, or a SQLite file), seeded with complete drafts.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import loadkit

DELAY_SECONDS = 4.0
MARKER = "PORTAL_TEST_SUBMIT_DELAY"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Separate database with two complete drafts, and gunicorn (1 worker, the submit pause switched on)."""
    folder = tmp_path_factory.mktemp("crash")
    for url in loadkit.separate_database(folder, "crash"):
        respondents = loadkit.seed(url, 2, complete=True, prefix="crash")
        server = loadkit.start_gunicorn(
            url,
            workers=1,
            app='portal:create_app("testing")',
            env={"PORTAL_TEST_SUBMIT_DELAY": str(DELAY_SECONDS)},
        )
        try:
            yield {"url": url, "server": server, "respondents": respondents, "folder": folder}
        finally:
            server.stop()


def _wait_for_marker(server: loadkit.Server, seen: int, timeout: float = 30.0) -> int:
    """Wait until the server log shows one more submit pause than `seen`; the worker pid that paused."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [line for line in server.log.read_text(errors="replace").splitlines() if MARKER in line]
        if len(lines) > seen:
            return int(lines[-1].split("pid ")[1].split()[0])
        time.sleep(0.05)
    raise AssertionError(f"the submit never reached the pause:\n{server.log_tail()}")


def _paused_count(server: loadkit.Server) -> int:
    return sum(MARKER in line for line in server.log.read_text(errors="replace").splitlines())


def test_worker_killed_during_submit_leaves_a_complete_draft(stack: dict[str, Any]) -> None:
    server, url = stack["server"], stack["url"]
    respondent = stack["respondents"][0]
    before = loadkit.read_assessments(url, [respondent.assessment_id])[respondent.assessment_id]
    assert before["status"] == "draft" and before["answers"]

    client = loadkit.Client(server.port)
    client.login(respondent.username)
    seen = _paused_count(server)
    outcome: dict[str, Any] = {}

    def submit() -> None:
        try:
            outcome["response"] = client.request(
                "POST",
                f"/api/v1/assessments/{respondent.assessment_id}/submit",
                {"pledge": True},
                {"Idempotency-Key": "crash-1"},
            )
        except OSError as error:
            outcome["error"] = error

    thread = threading.Thread(target=submit)
    thread.start()
    worker = _wait_for_marker(server, seen)
    assert worker in server.workers()
    os.kill(worker, signal.SIGKILL)
    thread.join(30)

    assert "response" not in outcome, f"the request should have died with its worker: {outcome}"
    after = loadkit.read_assessments(url, [respondent.assessment_id])[respondent.assessment_id]
    assert after["status"] == "draft"
    assert after["answers"] == before["answers"]
    assert after["version"] == before["version"]
    assert after["result"] is None
    assert after["submitted_at"] is None


def test_undisturbed_submit_is_complete_and_the_reconciler_renders_the_report(stack: dict[str, Any]) -> None:
    server, url = stack["server"], stack["url"]
    respondent = stack["respondents"][1]
    client = loadkit.Client(server.port, timeout=60)
    client.login(respondent.username)

    status, body = client.request(
        "POST",
        f"/api/v1/assessments/{respondent.assessment_id}/submit",
        {"pledge": True},
        {"Idempotency-Key": "crash-2"},
    )
    assert status == 200, body
    assert body["result"]["level"]["gated"] in (1, 2, 3, 4, 5)

    row = loadkit.read_assessments(url, [respondent.assessment_id])[respondent.assessment_id]
    assert row["status"] == "submitted"
    assert row["result"]["overall_score"] == body["result"]["overall_score"]
    assert row["submitted_at"] is not None
    assert row["report_status"] == "pending"

    reports = Path(stack["folder"]) / "reports"
    rendered = loadkit.reconcile(url, reports)
    assert respondent.assessment_id in rendered
    row = loadkit.read_assessments(url, [respondent.assessment_id])[respondent.assessment_id]
    assert row["report_status"] == "ready"
    pdfs = list(reports.glob(f"{respondent.assessment_id}-*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].read_bytes()[:5] == b"%PDF-"


def test_the_killed_submission_can_be_submitted_again(stack: dict[str, Any]) -> None:
    server, url = stack["server"], stack["url"]
    respondent = stack["respondents"][0]
    client = loadkit.Client(server.port, timeout=60)
    client.login(respondent.username)
    status, body = client.request(
        "POST",
        f"/api/v1/assessments/{respondent.assessment_id}/submit",
        {"pledge": True},
        {"Idempotency-Key": "crash-1"},
    )
    assert status == 200, body
    row = loadkit.read_assessments(url, [respondent.assessment_id])[respondent.assessment_id]
    assert row["status"] == "submitted" and row["result"] and row["report_status"] == "pending"
