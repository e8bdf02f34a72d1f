"""Benchmark: peer_benchmark() for one assessment against N stored current results (target <= 50 ms).

Run `python bench/bench_benchmark.py [--results 100000] [--calls 200]`. Builds a temporary SQLite database
(migrations), N demo enterprises and one stored current result each (synthetic scores and eight dimension
rows), rebuilds the maintained aggregates once, then times peer_benchmark() for random assessments:
cold (right after a committed change of the aggregates, in a fresh session: nothing is cached in the
process, which is how every call of every web process runs) and warm (the same call repeated).
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 50.0
DIMENSIONS = ("strategy", "equipment", "network", "software", "cloud", "identifier", "security", "outcomes")


def _populate(count: int) -> list[int]:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Enterprise
    from portal.services import demo

    demo.seed_enterprises(count, 2025)
    round_ = demo.seed_rounds()[-1]
    rng = random.Random(1)
    enterprises = db.session.execute(
        select(Enterprise.id, Enterprise.district, Enterprise.industry_division, Enterprise.size_class)
    ).all()
    connection = db.session.connection()
    rows, dimension_rows = [], []
    for assessment_id, (enterprise_id, district, division, size) in enumerate(enterprises, start=1):
        score = round(min(100.0, max(0.0, rng.gauss(35, 15))), 1)
        rows.append(
            (assessment_id, enterprise_id, round_.id, "ezhou-dmi", "2025.1", "submitted", "{}", "{}", 1,
             district, division, size, score, 1, 1, 1, "2025-06-01 00:00:00.000000",
             "2025-06-01 00:00:00.000000")
        )  # fmt: skip
        dimension_rows.extend(
            (assessment_id, dimension, round(min(100.0, max(0.0, rng.gauss(score, 10))), 1))
            for dimension in DIMENSIONS
        )
    connection.exec_driver_sql(
        "INSERT INTO assessments (id, enterprise_id, round_id, questionnaire_id, questionnaire_version, status,"
        " answers, answers_meta, version, district, industry_division, size_class, overall_score,"
        " band_level, gated_level, is_current, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.exec_driver_sql(
        "INSERT INTO assessment_dimension_scores (assessment_id, dimension_id, score) VALUES (?, ?, ?)",
        dimension_rows,
    )
    db.session.commit()
    return [row[0] for row in rows]


def main() -> None:
    """Build the database, time the calls, print the table."""
    import flask_migrate

    from portal import create_app
    from portal.extensions import db
    from portal.models import Assessment
    from portal.services import aggregates, benchmarks

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    options = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'b.db'}"})
        with app.app_context():
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))
            ids = _populate(options.results)
            started = time.perf_counter()
            aggregates.rebuild_aggregates()  # the bulk insert above bypassed the services
            db.session.commit()
            rebuild_s = time.perf_counter() - started
            rng = random.Random(2)
            timings: dict[str, list[float]] = {"cold": [], "warm": []}
            for _ in range(options.calls):
                # A committed change of another current result first (what a submission does to the
                # aggregates), then a fresh session: nothing is cached in the process.
                changed = snapshot = aggregates.snapshot(rng.choice(ids))
                if snapshot is not None:
                    values = dict(snapshot.values, overall_score=round(rng.uniform(0, 100), 1))
                    changed = aggregates.CurrentRow(values, snapshot.dimensions)
                    aggregates.apply_current_change(snapshot, changed)
                    aggregates.apply_current_change(changed, snapshot)  # keep the data as stored
                db.session.commit()
                db.session.remove()
                assessment = db.session.get(Assessment, rng.choice(ids))
                for mode in ("cold", "warm"):
                    started = time.perf_counter()
                    benchmarks.peer_benchmark(assessment)
                    timings[mode].append(1000 * (time.perf_counter() - started))
            db.session.remove()
    label = f"maintained histograms, rebuilt in {rebuild_s:.1f} s"
    print(f"peer_benchmark against {options.results} stored results ({label}), {options.calls} calls")
    print(f"{'mode':<8}{'median ms':>11}{'p95 ms':>9}{'target':>9}  verdict")
    from bench import report

    for mode, values in timings.items():
        median = statistics.median(values)
        p95 = statistics.quantiles(values, n=20)[-1]
        verdict = "MET" if median <= TARGET_MS else "MISSED"
        print(f"{mode:<8}{median:>11.1f}{p95:>9.1f}{TARGET_MS:>9.0f}  {verdict}")
        report.record(
            __file__,
            f"peer benchmark ({mode})",
            size=f"{options.results:,} stored results, SQLite, {options.calls} calls, {label}",
            value=round(median, 1),
            unit="ms",
            goal=f"<= {TARGET_MS:.0f} ms",
            met=median <= TARGET_MS,
            note=f"p95 {p95:.1f} ms, max {max(values):.1f} ms",
        )


if __name__ == "__main__":
    main()
