"""End to end once against the production stack of `make run-prod`: gunicorn (2 workers) + one
`flask --app portal worker` (RQ on Redis) + PostgreSQL, PORTAL_ENV=production.

Marked postgresql_only: collected only when TEST_DATABASE_URL is PostgreSQL (CI's PostgreSQL pass; a SQLite
run deselects them, see tests/conftest.py). There Redis must answer on 127.0.0.1:6379 and Chromium must be
installed: under CI=true either missing fails the tests loudly, elsewhere they skip with a loud message. A seeded enterprise user fills the draft and
submits through the JSON API; in headless Chromium the results page shows the level; the report PDF is
rendered by the RQ worker (the test polls the report status) and then downloads with 200.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import loadkit
from tests.e2e.test_assessment_flow import CHROMIUM, LAUNCH_ARGS, _require_browser

pytestmark = [pytest.mark.e2e, pytest.mark.postgresql_only]

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _require_stack() -> None:
    if not _redis_answers():
        message = f"PRODUCTION-STACK E2E TEST CANNOT RUN: Redis does not answer on {REDIS_HOST}:{REDIS_PORT}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        print(f"\n{'!' * 70}\n{message}\n{'!' * 70}", file=sys.stderr)
        pytest.skip(message)
    _require_browser()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Migrated PostgreSQL database, one seeded enterprise user, gunicorn x2 and one RQ worker."""
    _require_stack()
    folder = tmp_path_factory.mktemp("prodstack")
    redis_url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{1 + os.getpid() % 15}"
    extra = {"REDIS_URL": redis_url, "RATELIMIT_ENABLED": "true"}
    for url in loadkit.separate_database(folder, "prodstack"):
        respondents = loadkit.seed(url, 1, prefix="prodstack")
        worker_log = (folder / "worker.log").open("wb")
        worker = subprocess.Popen(  # noqa: S603 - our own CLI
            [str(loadkit.BIN / "flask"), "--app", "portal", "worker"],
            env=loadkit.server_env(url, **extra),
            cwd=loadkit.ROOT,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        try:
            with loadkit.running_gunicorn(url, workers=2, env=extra) as server:
                yield {"url": url, "server": server, "respondent": respondents[0], "worker": worker}
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(5)
            worker_log.close()


def _enterprise_context(url: str, assessment_id: int) -> dict[str, Any]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        row = (
            connection.execute(
                sa.text(
                    "SELECT e.industry_division, e.size_class, e.district, e.above_designated_size"
                    " FROM enterprises e JOIN assessments a ON a.enterprise_id = e.id WHERE a.id = :id"
                ),
                {"id": assessment_id},
            )
            .mappings()
            .one()
        )
    engine.dispose()
    return {**row, "above_designated_size": bool(row["above_designated_size"])}


@pytest.fixture(scope="module")
def submitted(stack: dict[str, Any]) -> dict[str, Any]:
    """Fill the draft section by section through the API, submit, wait for the worker's PDF."""
    import questionnaires
    import scoring

    server, respondent = stack["server"], stack["respondent"]
    client = loadkit.Client(server.port, timeout=60)
    client.login(respondent.username)
    base = f"/api/v1/assessments/{respondent.assessment_id}"
    status, draft = client.request("GET", base)
    assert status == 200, draft
    questionnaire = questionnaires.load(draft["questionnaire"]["id"], draft["questionnaire"]["version"])
    context = _enterprise_context(stack["url"], respondent.assessment_id)
    answers = scoring.random_answers(questionnaire, random.Random(5), quality=0.6, context=context)
    version = draft["version"]
    for section in questionnaire.sections:
        part = {qid: answers[qid] for qid in section.question_ids if qid in answers}
        if part:
            status, body = client.request("PUT", f"{base}/answers", {"version": version, "answers": part})
            assert status == 200, body
            version = body["version"]
    status, body = client.request("POST", f"{base}/submit", {"pledge": True}, {"Idempotency-Key": "prod-1"})
    assert status == 200, body

    states = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, state = client.request("GET", f"/assessments/{respondent.assessment_id}/report/status")
        assert status == 200, state
        states.append(state["status"])
        if state["status"] in ("ready", "failed"):
            break
        time.sleep(0.5)
    return {"result": body["result"], "states": states, "client": client}


def test_worker_renders_the_report_and_it_downloads(stack: dict[str, Any], submitted: dict[str, Any]) -> None:
    assert submitted["states"][-1] == "ready", (submitted["states"][-5:], stack["server"].log_tail())
    row = loadkit.read_assessments(stack["url"], [stack["respondent"].assessment_id])
    assert row[stack["respondent"].assessment_id]["report_status"] == "ready"
    status, pdf = submitted["client"].request(
        "GET", f"/assessments/{stack['respondent'].assessment_id}/report.pdf"
    )
    assert status == 200
    assert pdf[:5] == b"%PDF-"


def test_results_page_shows_the_level(stack: dict[str, Any], submitted: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    server, respondent = stack["server"], stack["respondent"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN")
            page.set_default_timeout(20_000)
            page.goto(f"{server.url}/login")
            page.fill("#username", respondent.username)
            page.fill("#password", loadkit.PASSWORD)
            page.click("button[type=submit].primary")
            page.wait_for_load_state()
            page.goto(f"{server.url}/assessments/{respondent.assessment_id}")
            level = page.locator("#result-level").inner_text().strip()
            href = page.get_attribute("#pdf-link", "href")
            response = page.request.get(server.url + href)
            status, body = response.status, response.body()
        finally:
            browser.close()
    assert level
    name = submitted["result"]["level"]["name"]
    shown = [str(submitted["result"]["level"]["gated"])] + (
        list(name.values()) if isinstance(name, dict) else [str(name)]
    )
    assert any(text and text in level for text in shown), (level, shown)
    assert status == 200 and body[:5] == b"%PDF-"


def test_processes_stayed_up(stack: dict[str, Any]) -> None:
    assert stack["worker"].poll() is None, Path(stack["server"].log).read_text()[-2000:]
    assert stack["server"].process.poll() is None
    assert len(stack["server"].workers()) == 2
