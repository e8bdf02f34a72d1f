"""Autosave load test against gunicorn + PostgreSQL on 127.0.0.1 (bounded: every phase stops by itself).

Usage: python bench/load_autosave.py [--database-url URL] [--respondents 100] [--clients 16]
       [--closed-seconds 20] [--open-rate 100] [--open-seconds 20] [--soak-seconds 60]
       [--workers 2] [--worker-class gthread] [--threads 4] [--engine-options JSON]

Creates (drops first) the PostgreSQL database the URL names (default bench_autosave), migrates it with
`flask db upgrade`, seeds the respondents (enterprise, user, draft each) through the service functions,
starts gunicorn (rate limits off), logs every respondent in through POST /api/v1/session, then:
  a) closed loop: --clients clients save one answer after another: requests/s (goal >= 300), p50/p95;
  b) open loop: --open-rate saves per second arrive on schedule: p95 from the scheduled time (goal <= 50 ms);
  c) nothing lost: every respondent autosaves random valid answers for --soak-seconds, 20 % of the drafts
     open in two tabs (intended 409s, handled like the page: reload and retry); afterwards every
     acknowledged answer must be in the database as last acknowledged (goal: 0 errors, 0 lost).
Prints the figures with MET/MISSED and records them in bench/results/load_autosave.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadkit, report  # noqa: E402

RPS_GOAL = 300.0
P95_GOAL_MS = 50.0
SETTLE_SECONDS = 3.0
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_autosave"


def main() -> int:
    """Run the three phases; exit status 1 when something was lost or failed unexpectedly."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_AUTOSAVE_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--respondents", type=int, default=100)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--closed-seconds", type=float, default=20)
    parser.add_argument("--open-rate", type=float, default=100)
    parser.add_argument("--open-seconds", type=float, default=20)
    parser.add_argument("--soak-seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--engine-options",
        default="",
        help="JSON overriding SQLALCHEMY_ENGINE_OPTIONS of the server, e.g. '{\"pool_pre_ping\": false}'",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = args.database_url
    if not loadkit.is_postgres(url):
        parser.error("the load test runs against PostgreSQL (a postgresql+psycopg:// URL)")
    respondents_needed = max(args.respondents, args.clients, 32)

    started = time.perf_counter()
    loadkit.migrate(url)
    respondents = loadkit.seed(url, respondents_needed)
    print(
        f"database {url.rsplit('/', 1)[-1]}: migrated and seeded {len(respondents)} respondents "
        f"in {time.perf_counter() - started:.1f} s"
    )
    server_label = f"gunicorn {args.workers} x {args.worker_class}" + (
        f" ({args.threads} threads)" if args.worker_class == "gthread" else ""
    )
    app, variant = "portal:create_app()", ""
    if args.engine_options:
        options = json.loads(args.engine_options)
        app = f"portal:create_app(None, {{'SQLALCHEMY_ENGINE_OPTIONS': {options!r}}})"
        server_label += f", engine options {json.dumps(options)}"
        variant = f" ({', '.join(f'{k}={v}' for k, v in options.items())})"
    lost: list[str] = []
    with loadkit.running_gunicorn(
        url, workers=args.workers, worker_class=args.worker_class, threads=args.threads, app=app
    ) as server:
        pool = loadkit.answer_pool(server.port, respondents[0])
        clients = loadkit.login_all(server.port, respondents)
        print(f"{server_label} on {server.url}; {len(clients)} respondents logged in; {len(pool)} questions")
        print(f"load average before: {loadkit.load_average():.2f} on {os.cpu_count()} cores")

        closed = loadkit.closed_loop(
            clients[: args.clients], respondents[: args.clients], pool, args.closed_seconds
        ).summary()
        closed["load"] = round(loadkit.load_average(), 2)
        time.sleep(SETTLE_SECONDS)  # let the closed loop's backlog (autovacuum, WAL) settle first
        opened = loadkit.open_loop(
            clients[32 : 32 + 32] if len(clients) >= 64 else clients[:32],
            respondents[32 : 32 + 32] if len(respondents) >= 64 else respondents[:32],
            pool,
            args.open_rate,
            args.open_seconds,
        ).summary()
        opened["load"] = round(loadkit.load_average(), 2)
        time.sleep(SETTLE_SECONDS)
        tally, ledger = loadkit.respondents_autosaving(
            server.port,
            respondents[: args.respondents],
            pool,
            args.soak_seconds,
            clients=clients[: args.respondents],
        )
        soak = tally.summary()
        soak["load"] = round(loadkit.load_average(), 2)
        lost = ledger.verify(url)
        for client in clients:
            client.close()
    if not args.keep:
        loadkit.drop_postgres(url)

    closed_ok = closed["rps"] >= RPS_GOAL
    open_ok = opened["p95_ms"] <= P95_GOAL_MS
    soak_ok = not tally.problems and not lost
    rows = [
        (
            f"a) closed loop, {args.clients} clients, {closed['seconds']:.0f} s",
            f"{closed['rps']:.0f} req/s",
            f">= {RPS_GOAL:.0f} req/s",
            closed_ok,
            closed["load"],
        ),
        ("   latency p50 / p95", f"{closed['p50_ms']:.1f} / {closed['p95_ms']:.1f} ms", "", None, None),
        (
            f"b) open loop, {args.open_rate:.0f} req/s, {opened['seconds']:.0f} s",
            f"p95 {opened['p95_ms']:.1f} ms",
            f"<= {P95_GOAL_MS:.0f} ms",
            open_ok,
            opened["load"],
        ),
        ("   p50, requests", f"{opened['p50_ms']:.1f} ms, {opened['requests']}", "", None, None),
        (
            f"c) {args.respondents} respondents, {soak['seconds']:.0f} s, 2 tabs on ~20 %",
            f"{len(tally.problems)} errors, {len(lost)} lost",
            "0 errors, 0 lost",
            soak_ok,
            soak["load"],
        ),
        (
            "   saves / intended 409s / answers checked",
            f"{soak['requests']} / {soak['intended_409']} / {len(ledger.acked)}",
            f"({soak['rps']:.0f} req/s, p95 {soak['p95_ms']:.1f} ms)",
            None,
            None,
        ),
    ]
    print()
    print(f"{'phase':<48}{'figure':>24}  {'goal':<18}{'verdict':<9}load")
    for label, figure, goal, ok, load in rows:
        verdict = "" if ok is None else ("MET" if ok else "MISSED")
        tail = "" if load is None else f"{load:.1f}"
        print(f"{label:<48}{figure:>24}  {goal:<18}{verdict:<9}{tail}")
    for line in (tally.problems + lost)[:10]:
        print(f"   ! {line}")

    script = __file__
    report.record(
        script, "autosave closed loop" + variant, size=f"{args.clients} clients, {args.closed_seconds:.0f} s, {server_label}",
        value=closed["rps"], unit="req/s", goal=f">= {RPS_GOAL:.0f} req/s", met=closed_ok,
        note=f"p50 {closed['p50_ms']} ms, p95 {closed['p95_ms']} ms", details=closed,
    )  # fmt: skip
    report.record(
        script, "autosave open loop p95" + variant, size=f"{args.open_rate:.0f} req/s, {args.open_seconds:.0f} s",
        value=opened["p95_ms"], unit="ms", goal=f"<= {P95_GOAL_MS:.0f} ms", met=open_ok,
        note=f"p50 {opened['p50_ms']} ms", details=opened,
    )  # fmt: skip
    report.record(
        script, "autosave nothing lost" + variant, size=f"{args.respondents} respondents, {args.soak_seconds:.0f} s",
        value=len(tally.problems) + len(lost), unit="errors+lost", goal="0", met=soak_ok,
        note=f"{soak['requests']} saves, {soak['intended_409']} intended 409s, {len(ledger.acked)} answers checked",
        details=soak,
    )  # fmt: skip
    return 0 if soak_ok else 1


if __name__ == "__main__":
    sys.exit(main())
