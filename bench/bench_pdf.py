"""PDF report benchmark: p50 of 7 full renders (data -> bytes) with the bundled fonts, beside the system-font path.

Usage: python bench/bench_pdf.py [--runs 7]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 0.8
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


def main() -> None:
    """Run both measurements and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
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
    print(f"bulk estimate: 700 reports with 2 processes ~ {700 * p50 / 2 / 60:.1f} min (target <= 10 min)")


if __name__ == "__main__":
    main()
