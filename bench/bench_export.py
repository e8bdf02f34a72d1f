"""XLSX export of 100k rows (the background job's code path, write-only, streamed): time and peak memory.

Usage: python bench/bench_export.py [--db /tmp/bench_dashboard.sqlite]  (seed it first with bench_dashboard.py)
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUDGET_S = 60.0


def main() -> int:
    """Export every assessed enterprise of the newest round as XLSX and print time, rows, MET/MISSED."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/bench_dashboard.sqlite")
    parser.add_argument("--out", default="/tmp/bench_export.xlsx")
    args = parser.parse_args()
    from portal import create_app
    from portal.models import User
    from portal.services import exports, stats

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.db}"})
    with app.app_context():
        user = User(role="official", scope="city")
        filters = stats.effective_filters(user, {})
        query = stats.list_query_from_args(filters, {"status": "assessed"})
        started = time.perf_counter()
        count = exports.write_xlsx(Path(args.out), user, query)
        elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = "MET" if elapsed <= BUDGET_S else "MISSED"
    from bench import report

    report.record(
        __file__,
        "XLSX export",
        size=f"{count:,} rows",
        value=round(elapsed, 1),
        unit="s",
        goal=f"<= {BUDGET_S:.0f} s",
        met=elapsed <= BUDGET_S,
        note=f"peak RSS {peak_mb:.0f} MB",
    )
    print(
        f"xlsx rows={count} seconds={elapsed:.1f} peak_rss_mb={peak_mb:.0f} budget {BUDGET_S:.0f} s {verdict}"
    )
    return 0 if verdict == "MET" else 1


if __name__ == "__main__":
    sys.exit(main())
