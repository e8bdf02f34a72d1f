"""Dashboard and /api/v1/stats server time on SQLite with 100k enterprises, cold after one new submission.

Usage: python bench/bench_dashboard.py [--enterprises 100000] [--db /tmp/bench_dashboard.sqlite] [--runs 7]
Seeds with `seed-demo` when it produces scored assessments, otherwise bulk-inserts synthetic ones.
Prints the median server time of the dashboard page and of the API, and MET/MISSED against 300 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_MS = 300.0
DIMENSIONS = ("strategy", "equipment", "network", "software", "cloud", "identifier", "security", "outcomes")
CLOUD = (None, "none", "iaas", "saas", "core", "equipment")


def _synthetic_assessments(round_ids: list[tuple[int, float]], seed: int) -> int:
    """Bulk-insert scored-looking current assessments plus dimension rows (when seed-demo made none)."""
    from sqlalchemy import insert, select

    from portal.extensions import db
    from portal.models import Assessment, AssessmentDimensionScore, Enterprise, utcnow

    rng = random.Random(seed)
    enterprises = db.session.execute(
        select(
            Enterprise.id,
            Enterprise.district,
            Enterprise.industry_division,
            Enterprise.size_class,
            Enterprise.above_designated_size,
        )
    ).all()
    now = utcnow()
    created = 0
    for round_id, share in round_ids:
        batch: list[dict] = []
        dims: list[dict] = []
        next_id = (db.session.scalar(select(db.func.max(Assessment.id))) or 0) + 1
        for eid, district, division, size, above in enterprises:
            if rng.random() > share:
                continue
            score = max(0.0, min(100.0, rng.gauss(38, 16)))
            level = 1 if score < 20 else 2 if score < 40 else 3 if score < 60 else 4 if score < 80 else 5
            level = min(level, rng.choice((1, 1, 2, 2, 3, 5)))
            status = "verified" if rng.random() < 0.1 else "submitted"
            batch.append(
                {
                    "id": next_id,
                    "enterprise_id": eid,
                    "round_id": round_id,
                    "questionnaire_id": "ezhou-dmi",
                    "questionnaire_version": "2025.1",
                    "status": status,
                    "answers": {},
                    "answers_meta": {},
                    "version": 1,
                    "submitted_at": now,
                    "verified_at": now if status == "verified" else None,
                    "district": district,
                    "industry_division": division,
                    "size_class": size,
                    "above_designated_size": above,
                    "overall_score": round(score, 1),
                    "band_level": level,
                    "gated_level": level,
                    "cloud_enterprise": rng.random() < 0.4,
                    "cloud_layer": rng.choice(CLOUD),
                    "integration_demo_candidate": rng.random() < 0.05,
                    "smart_factory_candidate": rng.random() < 0.03,
                    "fiveg_factory_candidate": rng.random() < 0.02,
                    "identifier_adopter": rng.random() < 0.1,
                    "mlps_filed": rng.random() < 0.3,
                    "mlps_passed": rng.random() < 0.15,
                    "nc_rate": rng.random() * 100 if rng.random() < 0.8 else None,
                    "uses_erp": rng.random() < 0.5,
                    "uses_mes": rng.random() < 0.2,
                    "uses_plm": rng.random() < 0.1,
                    "uses_scm": rng.random() < 0.15,
                    "is_current": True,
                    "report_status": "done",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            dims.extend(
                {"assessment_id": next_id, "dimension_id": d, "score": round(rng.uniform(0, 100), 1)}
                for d in DIMENSIONS
            )
            next_id += 1
            if len(batch) >= 5000:
                db.session.execute(insert(Assessment), batch)
                db.session.execute(insert(AssessmentDimensionScore), dims)
                created += len(batch)
                batch, dims = [], []
        if batch:
            db.session.execute(insert(Assessment), batch)
            db.session.execute(insert(AssessmentDimensionScore), dims)
            created += len(batch)
        db.session.commit()
    return created


def seed(enterprises: int) -> None:
    """Seed the bench database (idempotent)."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Assessment
    from portal.services import demo

    if (db.session.scalar(select(func.count()).select_from(Assessment)) or 0) > 0:
        return
    started = time.perf_counter()
    summary = demo.seed_demo(enterprises)
    if summary.assessments_created == 0:
        rounds = {r.year: r.id for r in demo.seed_rounds()}
        made = _synthetic_assessments([(rounds[2024], 0.5), (rounds[2025], 1.0)], seed=7)
        print(f"seeded {enterprises} enterprises + {made} synthetic assessments", end="")
    else:
        print(f"seed-demo: {summary.assessments_created} assessments", end="")
    print(f" in {time.perf_counter() - started:.1f} s")


def one_more_submission() -> None:
    """Flip one assessment of the newest round back to draft and submit it again (a new submission)."""
    from sqlalchemy import select, update

    from portal.extensions import db
    from portal.models import Assessment, Round
    from portal.services import aggregates, results

    newest = db.session.scalar(select(Round.id).order_by(Round.year.desc()).limit(1))
    assessment = db.session.scalar(
        select(Assessment)
        .where(Assessment.round_id == newest, Assessment.status == "submitted")
        .order_by(Assessment.id.desc())
        .limit(1)
    )
    assessment_id, enterprise_id = assessment.id, assessment.enterprise_id
    aggregates.remember(assessment)  # as the services do before a change (the aggregates stay exact)
    db.session.execute(update(Assessment).where(Assessment.id == assessment_id).values(status="draft"))
    results.refresh_current(enterprise_id, newest)
    db.session.commit()
    db.session.execute(update(Assessment).where(Assessment.id == assessment_id).values(status="submitted"))
    results.refresh_current(enterprise_id, newest)
    db.session.commit()


def main() -> int:
    """Seed, then time the dashboard page and the API, each cold right after a new submission."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/bench_dashboard.sqlite")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--budget-ms", type=float, default=BUDGET_MS, help="goal (bench_scale.py: 1000 at 1M)"
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{args.db}"
    os.environ["DATABASE_URL"] = url

    import flask_migrate

    from portal import create_app
    from portal.extensions import db
    from portal.services import accounts

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        seed(args.enterprises)
        if accounts.find_user("bench-city") is None:
            accounts.create_user("bench-city", "Bench@2025x", "official", scope="city", check_policy=False)
            db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "bench-city", "password": "Bench@2025x"})
    timings: dict[str, list[float]] = {"/officials/": [], "/api/v1/stats": []}
    started = time.perf_counter()
    client.get("/api/v1/stats")
    print(
        f"first request after process start (no process cache: the aggregates live in the database): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    for _ in range(args.runs):
        for path in timings:
            with app.app_context():
                one_more_submission()
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                print(f"{path}: HTTP {response.status_code}")
                return 1
            timings[path].append(elapsed)
    print(f"{'path':<16} {'median ms':>10} {'max ms':>8}  budget {args.budget_ms:.0f} ms")
    missed = False
    from bench import report

    dialect = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    for path, values in timings.items():
        median = statistics.median(values)
        verdict = "MET" if median <= args.budget_ms else "MISSED"
        missed |= verdict == "MISSED"
        print(f"{path:<16} {median:>10.1f} {max(values):>8.1f}  {verdict}")
        report.record(
            __file__,
            f"dashboard {path}, {dialect}",
            size=f"{args.enterprises:,} enterprises, cold after a new submission, {args.runs} runs",
            value=round(median, 1),
            unit="ms",
            goal=f"<= {args.budget_ms:.0f} ms",
            met=median <= args.budget_ms,
            note=f"max {max(values):.0f} ms",
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
