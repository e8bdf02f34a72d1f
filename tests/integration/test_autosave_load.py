"""Short autosave load test: a real gunicorn (2 workers) on 127.0.0.1, 10 respondents for about 5 seconds.

Three drafts are open in two tabs, so some saves are refused with 409 (intended); the tab reloads and
retries like the page. Afterwards every acknowledged answer must be stored exactly as acknowledged.
The full version (100 respondents, 60 s, plus throughput and latency) is `python bench/load_autosave.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bench import loadkit

RESPONDENTS = 10
SECONDS = 5.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A separate migrated database with seeded drafts and gunicorn on it."""
    folder = tmp_path_factory.mktemp("autosave")
    for url in loadkit.separate_database(folder, "autosave"):
        respondents = loadkit.seed(url, RESPONDENTS, prefix="auto")
        with loadkit.running_gunicorn(url, workers=2, worker_class="gthread", threads=2) as running:
            yield {"url": url, "server": running, "respondents": respondents}


def test_every_acknowledged_answer_is_stored_as_acknowledged(server: dict[str, Any]) -> None:
    port = server["server"].port
    respondents = server["respondents"]
    pool = loadkit.answer_pool(port, respondents[0], sets=10)
    tally, ledger = loadkit.respondents_autosaving(
        port,
        respondents,
        pool,
        SECONDS,
        two_tab_share=0.3,
        think=(0.0, 0.05),
        questions_per_respondent=4,
        max_requests=3000,
    )
    assert tally.problems == [], server["server"].log_tail()
    assert set(tally.statuses) <= {200, 409}
    assert tally.statuses.get(200, 0) >= RESPONDENTS
    assert len(ledger.acked) >= RESPONDENTS
    assert ledger.verify(server["url"]) == []


def test_a_stale_tab_gets_409_with_the_latest_answers_and_loses_nothing(server: dict[str, Any]) -> None:
    port = server["server"].port
    respondent = server["respondents"][0]
    first = loadkit.Client(port)
    first.login(respondent.username)
    second = first.fork()
    tab_a = loadkit.Tab(first, respondent.assessment_id)
    tab_b = loadkit.Tab(second, respondent.assessment_id)
    tab_a.reload()
    tab_b.reload()

    status, _, _ = tab_a.save({"equipment_total": 321})
    assert status == 200
    status, body, _ = tab_b.save({"equipment_total": 123})
    assert status == 409
    assert body["answers"]["equipment_total"] == 321
    assert body["version"] == tab_a.version
    tab_b.reload()
    status, body, _ = tab_b.save({"equipment_total": 123})
    assert status == 200

    stored = loadkit.read_assessments(server["url"], [respondent.assessment_id])[respondent.assessment_id]
    assert stored["answers"]["equipment_total"] == 123
    assert stored["version"] == body["version"]
