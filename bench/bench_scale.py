"""Dashboard at scale: 1M current assessments on PostgreSQL, cold after a new submission (goal <= 1 s), vs hand SQL.

Usage: python bench/bench_scale.py [--assessments 1000000] [--database-url URL] [--reuse] [--runs 5]
Creates (drops first) the database (default bench_scale), migrates it with `flask db upgrade`, then
bulk-inserts synthetic data server-side (INSERT ... SELECT FROM generate_series: N enterprises, one
scored current assessment each in the open round, eight dimension scores each), ANALYZE, and times the
dashboard page and /api/v1/stats with bench/bench_dashboard.py (same code path as the 100k SQLite
figure). Beside it, the same headline aggregates written by hand in SQL. --reuse keeps a database that
already holds the data. Records into bench/results/ for `make bench`'s table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadkit, report  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale"
GOAL_MS = 1000.0
DIMENSIONS = ("strategy", "equipment", "network", "software", "cloud", "identifier", "security", "outcomes")
DISTRICTS = ("鄂城区", "华容区", "梁子湖区", "葛店经开区", "临空经济区")

ENTERPRISES_SQL = """
INSERT INTO enterprises (uscc, name, district, industry_division, employees, revenue_band, size_class,
    above_designated_size, status, origin, approved_at, created_at, updated_at)
SELECT '9142070' || lpad(i::text, 11, '0'),
       '鄂州市规模测试企业' || i,
       (ARRAY['鄂城区','华容区','梁子湖区','葛店经开区','临空经济区'])[1 + i % 5],
       (13 + i % 31)::text,
       20 + i % 900,
       (ARRAY['lt300','300-2000','2000-10000','10000-40000','ge40000'])[1 + i % 5],
       (ARRAY['micro','small','medium','large'])[1 + i % 4],
       i % 3 = 0, 'approved', 'imported', now(), now(), now()
FROM generate_series(1, :n) AS i
"""

ASSESSMENTS_SQL = """
INSERT INTO assessments (enterprise_id, round_id, questionnaire_id, questionnaire_version, status, answers,
    answers_meta, version, submitted_at, district, industry_division, size_class, above_designated_size,
    overall_score, band_level, gated_level, cloud_enterprise, cloud_layer, integration_demo_candidate,
    smart_factory_candidate, fiveg_factory_candidate, identifier_adopter, mlps_filed, mlps_passed, nc_rate,
    uses_erp, uses_mes, uses_plm, uses_scm, is_current, report_status, created_at, updated_at)
SELECT e.id, :round_id, 'ezhou-dmi', '2025.1', CASE WHEN random() < 0.1 THEN 'verified' ELSE 'submitted' END,
       '{}', '{}', 1, now(), e.district, e.industry_division, e.size_class, e.above_designated_size,
       s.score, s.level, LEAST(s.level, 1 + (e.id % 5)), random() < 0.4,
       (ARRAY['none','iaas','saas','core','equipment'])[1 + e.id % 5], random() < 0.05, random() < 0.03,
       random() < 0.02, random() < 0.1, random() < 0.3, random() < 0.15,
       CASE WHEN random() < 0.8 THEN random() * 100 END,
       random() < 0.5, random() < 0.2, random() < 0.1, random() < 0.15, true, 'done', now(), now()
FROM enterprises e
CROSS JOIN LATERAL (
    SELECT round(LEAST(100, GREATEST(0, 38 + 32 * (random() + random() + random() - 1.5) + 0 * e.id))::numeric, 1)::float
        AS score
) raw
CROSS JOIN LATERAL (
    SELECT raw.score AS score, LEAST(5, 1 + floor(raw.score / 20))::int AS level
) s
"""

DIMENSIONS_SQL = """
INSERT INTO assessment_dimension_scores (assessment_id, dimension_id, score)
SELECT a.id, d, round((random() * 100)::numeric, 1)::float
FROM assessments a CROSS JOIN unnest(CAST(:dimensions AS text[])) AS d
"""

HAND_SQL = """
SELECT count(*), avg(overall_score),
       count(*) FILTER (WHERE gated_level = 1), count(*) FILTER (WHERE gated_level = 2),
       count(*) FILTER (WHERE gated_level = 3), count(*) FILTER (WHERE gated_level = 4),
       count(*) FILTER (WHERE gated_level = 5), count(*) FILTER (WHERE cloud_enterprise)
FROM assessments WHERE round_id = :round_id AND is_current AND status IN ('submitted', 'verified');
SELECT district, count(*), avg(overall_score) FROM assessments
WHERE round_id = :round_id AND is_current GROUP BY district;
SELECT industry_division, gated_level, count(*) FROM assessments
WHERE round_id = :round_id AND is_current GROUP BY industry_division, gated_level;
"""


def seed(url: str, count: int) -> None:
    """Rounds through the app's own seeding, then the bulk rows in SQL on the server."""
    import sqlalchemy as sa

    from portal import create_app
    from portal.extensions import db
    from portal.services import demo

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        round_id = demo.seed_rounds()[-1].id
        db.session.remove()
        db.engine.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for label, statement, params in (
            ("enterprises", ENTERPRISES_SQL, {"n": count}),
            ("assessments", ASSESSMENTS_SQL, {"round_id": round_id}),
            ("dimension scores", DIMENSIONS_SQL, {"dimensions": list(DIMENSIONS)}),
        ):
            started = time.perf_counter()
            connection.execute(sa.text(statement), params)
            print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


def count_assessments(url: str) -> int:
    """Rows in assessments (0 when the database or table is missing)."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            return int(connection.execute(sa.text("SELECT count(*) FROM assessments")).scalar() or 0)
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def hand_sql(url: str, runs: int) -> float:
    """Median milliseconds of the headline aggregates written by hand (three queries)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    timings = []
    with engine.connect() as connection:
        round_id = connection.execute(sa.text("SELECT max(round_id) FROM assessments")).scalar()
        for _ in range(runs + 1):
            started = time.perf_counter()
            for statement in HAND_SQL.split(";"):
                if statement.strip():
                    connection.execute(sa.text(statement), {"round_id": round_id}).all()
            timings.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return statistics.median(timings[1:])


def main() -> int:
    """Seed (unless reusable), time the dashboard and the hand SQL, print and record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_SCALE_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds the data")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = args.database_url
    if not loadkit.is_postgres(url):
        parser.error("bench_scale runs on PostgreSQL")
    if args.reuse and count_assessments(url) >= args.assessments:
        print(f"reusing {url.rsplit('/', 1)[-1]} ({count_assessments(url):,} assessments)")
    else:
        started = time.perf_counter()
        loadkit.migrate(url)
        print(f"seeding {args.assessments:,} enterprises and assessments on PostgreSQL ...", flush=True)
        seed(url, args.assessments)
        print(f"seeded in {time.perf_counter() - started:.0f} s (load average {os.getloadavg()[0]:.1f})")
    env = {**os.environ, "BENCH_DATABASE_URL": url}
    dashboard = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_dashboard.py"),
            "--enterprises",
            str(args.assessments),
            "--runs",
            str(args.runs),
            "--budget-ms",
            str(GOAL_MS),
        ],
        env=env,
        cwd=ROOT,
        check=False,
    )
    by_hand = hand_sql(url, args.runs)
    print(f"hand SQL (3 headline aggregates): median {by_hand:.0f} ms")
    report.record(
        __file__,
        "dashboard hand SQL, PostgreSQL",
        size=f"{args.assessments:,} assessments, 3 aggregate queries",
        value=round(by_hand, 1),
        unit="ms",
        goal="(reference)",
        met=None,
    )
    return dashboard.returncode


if __name__ == "__main__":
    sys.exit(main())
