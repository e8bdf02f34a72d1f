"""Server time to render a 20-question section page of a draft (Flask test client, median of 50).

Usage: python bench/bench_section_page.py [--runs 50] [--db /tmp/bench_section.sqlite]
The shipped questionnaire's longest section has 13 questions, so the benchmark regroups the first
20 questions into one section (same question objects, same templates, same route). Target <= 50 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_MS = 50.0
QUESTIONS = 20


def main() -> int:
    """Run the benchmark and print a table; exit status 0 either way (the table says MET or MISSED)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    db_path = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="bench-section-")) / "bench.sqlite"
    if db_path.exists():
        db_path.unlink()
    os.environ.setdefault("PORTAL_ENV", "testing")

    import flask_migrate

    from portal import create_app
    from portal.extensions import db
    from portal.models import Round
    from portal.services import accounts
    from portal.services import assessments as service
    from questionnaires.model import Section
    from tests.factories import EnterpriseFactory

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}"})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        db.session.add(Round(year=2040, name="2040", opens_on=date(2040, 1, 1), closes_on=date(2040, 12, 31)))
        enterprise = EnterpriseFactory()
        user = accounts.create_user("bench_user", "Bench-passw0rd", "enterprise")
        accounts.add_membership(user, enterprise)
        db.session.commit()
        assessment = service.start_or_continue(user)
        assessment_id = assessment.id
        original = service.questionnaire_of(assessment)

    ids = tuple(question.id for question in original.questions[:QUESTIONS])
    big_section = Section(id="bench", title=original.sections[0].title, question_ids=ids)
    regrouped = dataclasses.replace(original, sections=(big_section, *original.sections))
    service.questionnaire_of = lambda _assessment: regrouped  # type: ignore[assignment]

    client = app.test_client()
    client.post("/login", data={"username": "bench_user", "password": "Bench-passw0rd"})
    url = f"/assessments/{assessment_id}?section=bench"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    assert first.get_data(as_text=True).count('data-question="') == QUESTIONS
    for _ in range(5):
        client.get(url)
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    median = statistics.median(timings)
    p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
    verdict = "MET" if median <= BUDGET_MS else "MISSED"
    print(f"{'benchmark':<36} {'runs':>5} {'median ms':>10} {'p95 ms':>8} {'budget':>7}  result")
    print(
        f"{'section page, 20 questions':<36} {args.runs:>5} {median:>10.1f} {p95:>8.1f} {BUDGET_MS:>7.0f}  {verdict}"
    )
    from bench import report

    report.record(
        __file__,
        "section page, 20 questions",
        size=f"{args.runs} renders, test client, SQLite",
        value=round(median, 1),
        unit="ms",
        goal=f"<= {BUDGET_MS:.0f} ms",
        met=median <= BUDGET_MS,
        note=f"p95 {p95:.1f} ms",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
