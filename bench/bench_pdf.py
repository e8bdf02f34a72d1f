"""PDF report benchmark: p50 of 7 full renders (data -> bytes) with the bundled fonts, beside the system-font path.

Usage: python bench/bench_pdf.py [--runs 7] [--downloads 50] [--bulk 20]
Also measured: a cached download through the app (test client, median of --downloads, target <= 20 ms)
on a temporary migrated SQLite database, and a real bulk run of --bulk reports in 2 worker processes
(each renders one document at a time) extrapolated to 700 reports (target <= 10 min).
The baseline renders the same HTML in a child process whose fontconfig is the system one and whose
font family is the system "Noto Sans CJK SC" (the path WeasyPrint takes without bundled fonts).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 0.8
TARGET_DOWNLOAD_MS = 20.0
TARGET_BULK_MINUTES = 10.0
BULK_WORKERS = 2
SYSTEM_FONTCONFIG = "/etc/fonts/fonts.conf"
SYSTEM_FAMILY = "Noto Sans CJK SC"


def _timed(function, runs: int) -> tuple[list[float], list[float], object]:
    """Wall-clock and CPU seconds of `runs` calls (CPU time shows what other load on the machine hides)."""
    times, cpu, value = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = function()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return times, cpu, value


def bundled(runs: int) -> dict:
    """Render the sample report `runs` times from data (context building included)."""
    import portal.reports as reports
    from portal.reports.context import build_report_context
    from tests.unit.reports.sample import sample_inputs

    inputs = sample_inputs()
    reports.render_report_pdf(build_report_context(**inputs))  # warm-up: font loading, template compile

    def once() -> bytes:
        return reports.render_report_pdf(build_report_context(**inputs))

    times, cpu, pdf = _timed(once, runs)
    import io

    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    html = reports.render_report_html(build_report_context(**inputs), font_family=SYSTEM_FAMILY)
    return {
        "times": times,
        "cpu": cpu,
        "pages": pages,
        "bytes": len(pdf),
        "harfbuzz_subset": reports.harfbuzz_subset_available(),
        "html": html,
    }


def system(runs: int, html_file: str) -> dict:
    """Child process: render the given HTML with the system fonts (same fetcher and options)."""
    import portal.reports as reports

    html = Path(html_file).read_text(encoding="utf-8")
    override = f"<style>html {{ font-family: '{SYSTEM_FAMILY}', sans-serif; }}</style></head>"
    html = html.replace("</head>", override, 1)
    reports.render_report_pdf({}, "zh", html=html)
    times, cpu, pdf = _timed(lambda: reports.render_report_pdf({}, "zh", html=html), runs)
    return {"times": times, "cpu": cpu, "bytes": len(pdf)}


def cached_download(downloads: int) -> dict:
    """Median time of a cached report download through the app (login, scope query, send_file)."""
    import random
    import tempfile

    import flask_migrate

    import questionnaires
    import scoring
    from portal import create_app
    from portal.extensions import db
    from portal.models import Assessment, Enterprise, Membership, Round
    from portal.services import accounts, assessments, results

    folder = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "REPORTS_DIR": str(folder / "reports"),
        },
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        round_ = Round(year=2025, name="2025", opens_on=date(2025, 1, 1), closes_on=date(2025, 12, 31))
        enterprise = Enterprise(
            uscc="91420703MA4F2K3X7Q",
            name="鄂州市基准测试精密机械有限公司",
            district="华容区",
            industry_division="34",
            size_class="medium",
            status="approved",
        )
        user = accounts.create_user("bench-owner", "Bench@2025x", "enterprise")
        db.session.add_all(
            [round_, enterprise, Membership(user=user, enterprise=enterprise, status="approved")]
        )
        db.session.flush()
        questionnaire_id, version, catalogue_version = results.published_versions()
        questionnaire = questionnaires.load(questionnaire_id, version)
        assessment = Assessment(
            enterprise=enterprise,
            round=round_,
            questionnaire_id=questionnaire_id,
            questionnaire_version=version,
            catalogue_version=catalogue_version,
            status="draft",
            answers=scoring.random_answers(
                questionnaire, random.Random(3), quality=0.55, context=results.scoring_context(enterprise)
            ),
        )
        db.session.add(assessment)
        db.session.commit()
        assessments.submit(assessment, user)
        url = f"/assessments/{assessment.id}/report.pdf"
    client = app.test_client()
    client.post("/login", data={"username": "bench-owner", "password": "Bench@2025x"})
    start = time.perf_counter()
    first = client.get(url)
    render_seconds = time.perf_counter() - start
    assert first.status_code == 200 and first.data[:5] == b"%PDF-", first.status_code
    times = []
    for _ in range(downloads):
        start = time.perf_counter()
        response = client.get(url)
        body = response.data
        times.append(time.perf_counter() - start)
        assert body == first.data
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    return {"first": render_seconds, "times": times, "bytes": len(first.data)}


def _bulk_worker(count: int) -> tuple[float, float]:
    """One worker process: (start-up + warm-up seconds, seconds for `count` renders one after another)."""
    started = time.perf_counter()
    import portal.reports as reports
    from portal.reports.context import build_report_context
    from tests.unit.reports.sample import sample_inputs

    inputs = sample_inputs()
    reports.render_report_pdf(build_report_context(**inputs))  # warm-up, as a job worker after its first job
    warm = time.perf_counter()
    for _ in range(count):
        reports.render_report_pdf(build_report_context(**inputs))
    return warm - started, time.perf_counter() - warm


def bulk(total: int) -> dict:
    """Render `total` reports in BULK_WORKERS spawned processes; per-report throughput and start-up cost."""
    import multiprocessing

    shares = [total // BULK_WORKERS + (1 if i < total % BULK_WORKERS else 0) for i in range(BULK_WORKERS)]
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(BULK_WORKERS) as pool:
        outcomes = pool.map(_bulk_worker, shares)
    per_report = max(seconds / share for (_, seconds), share in zip(outcomes, shares, strict=True))
    startup = max(warm for warm, _ in outcomes)
    return {
        "total": total,
        "seconds": time.perf_counter() - start,
        "per_report": per_report,
        "startup": startup,
        "estimate_700": startup + per_report * 700 / BULK_WORKERS,
    }


def main() -> None:
    """Run both measurements and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--downloads", type=int, default=50)
    parser.add_argument("--bulk", type=int, default=20)
    parser.add_argument("--system-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.system_child:
        print(json.dumps(system(args.runs, args.system_child)))
        return

    result = bundled(args.runs)
    html_file = Path("/tmp") / f"bench_pdf_{os.getpid()}.html"
    html_file.write_text(result.pop("html"), encoding="utf-8")
    env = {**os.environ, "PORTAL_REPORTS_FONTCONFIG": SYSTEM_FONTCONFIG}
    child = subprocess.run(
        [sys.executable, __file__, "--runs", str(args.runs), "--system-child", str(html_file)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    html_file.unlink(missing_ok=True)
    baseline = json.loads(child.stdout.strip().splitlines()[-1])

    p50 = statistics.median(result["times"])
    status = "MET" if p50 <= TARGET_SECONDS else "MISSED"
    print(
        f"PDF report benchmark ({args.runs} renders, {result['pages']} pages, harfbuzz-subset: {result['harfbuzz_subset']})"
    )
    print(
        f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other work inflates wall-clock times)"
    )
    print(f"{'path':<40} {'p50 s':>7} {'min s':>7} {'max s':>7} {'cpu p50':>8} {'PDF kB':>7}  target")
    for name, data, note in (
        ("bundled PortalSans (data -> bytes)", result, f"<= {TARGET_SECONDS} s {status}"),
        ("system Noto Sans CJK SC (same HTML)", baseline, "baseline"),
    ):
        print(
            f"{name:<40} {statistics.median(data['times']):>7.3f} {min(data['times']):>7.3f} "
            f"{max(data['times']):>7.3f} {statistics.median(data['cpu']):>8.3f} {data['bytes'] / 1024:>7.0f}  {note}"
        )
    print(
        f"bulk estimate from p50: 700 reports with 2 processes ~ {700 * p50 / 2 / 60:.1f} min (target <= 10 min)"
    )
    from bench import report

    baseline_p50 = statistics.median(baseline["times"])
    report.record(
        __file__,
        "PDF report p50 (bundled fonts)",
        size=f"{args.runs} renders, {result['pages']} pages",
        value=round(p50, 3),
        unit="s",
        goal=f"<= {TARGET_SECONDS} s",
        met=p50 <= TARGET_SECONDS,
        note=f"system-font baseline p50 {baseline_p50:.3f} s ({baseline_p50 / p50:.1f}x); "
        f"CPU p50 {statistics.median(result['cpu']):.3f} s",
    )

    download = cached_download(args.downloads)
    median_ms = 1000 * statistics.median(download["times"])
    status = "MET" if median_ms <= TARGET_DOWNLOAD_MS else "MISSED"
    print(
        f"cached download (test client, {args.downloads} runs): median {median_ms:.1f} ms, "
        f"max {1000 * max(download['times']):.1f} ms (target <= {TARGET_DOWNLOAD_MS:.0f} ms {status}); "
        f"first download rendered in {download['first']:.2f} s"
    )
    report.record(
        __file__,
        "cached PDF download",
        size=f"{args.downloads} downloads, test client",
        value=round(median_ms, 1),
        unit="ms",
        goal=f"<= {TARGET_DOWNLOAD_MS:.0f} ms",
        met=median_ms <= TARGET_DOWNLOAD_MS,
    )
    if args.bulk > 0:
        run = bulk(args.bulk)
        minutes = run["estimate_700"] / 60
        status = "MET" if minutes <= TARGET_BULK_MINUTES else "MISSED"
        print(
            f"bulk: {run['total']} reports in {BULK_WORKERS} processes: {run['seconds']:.1f} s wall "
            f"({run['startup']:.1f} s start-up, {run['per_report']:.2f} s per report per process) "
            f"-> 700 reports ~ {minutes:.1f} min (target <= {TARGET_BULK_MINUTES:.0f} min {status})"
        )
        report.record(
            __file__,
            "PDF bulk, 700 reports (estimate)",
            size=f"{run['total']} rendered in {BULK_WORKERS} processes, extrapolated",
            value=round(minutes, 1),
            unit="min",
            goal=f"<= {TARGET_BULK_MINUTES:.0f} min",
            met=minutes <= TARGET_BULK_MINUTES,
        )


if __name__ == "__main__":
    main()
