"""The one table of `make bench`: the latest figure of every benchmark recorded in bench/results/*.jsonl.

Usage: python bench/summary.py [--since UNIX_TIME] [--markdown]
--since marks figures recorded before that time as stale (not measured in this run).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ORDER = (
    "scoring rate",
    "PDF report",
    "PDF bulk",
    "cached PDF download",
    "section page",
    "autosave",
    "dashboard",
    "XLSX export",
    "seed-demo",
    "rescore",
    "peer benchmark",
)


def latest() -> list[dict]:
    """The newest row per benchmark name, in the order of ORDER."""
    rows: dict[str, dict] = {}
    for path in sorted(RESULTS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            known = rows.get(row["benchmark"])
            if known is None or row["at"] >= known["at"]:
                rows[row["benchmark"]] = row

    def rank(row: dict) -> tuple[int, str]:
        name = row["benchmark"]
        for index, prefix in enumerate(ORDER):
            if name.startswith(prefix):
                return index, name
        return len(ORDER), name

    return sorted(rows.values(), key=rank)


def _figure(row: dict) -> str:
    value = row["value"]
    if isinstance(value, float) and value >= 100:
        text = f"{value:,.0f}"
    elif isinstance(value, float):
        text = f"{value:.3g}" if value < 10 else f"{value:.1f}"
    else:
        text = f"{value:,}"
    return f"{text} {row['unit']}"


def main() -> int:
    """Print the table; exit status 1 when a figure of this run MISSED its goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", type=float, default=None)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    rows = latest()
    if not rows:
        print("No benchmark results in bench/results/ yet: run `make bench`.")
        return 0
    header = ("benchmark", "data size", "median", "goal", "verdict", "load", "note")
    table = []
    missed = 0
    for row in rows:
        stale = args.since is not None and row["at"] < args.since
        verdict = row["verdict"] + (" (stale)" if stale else "")
        missed += row["verdict"] == "MISSED" and not stale
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row["at"]))
        note = row.get("note", "")
        if stale:
            note = f"recorded {when}; {note}".rstrip("; ")
        table.append(
            (row["benchmark"], row["size"], _figure(row), row["goal"], verdict, f"{row['load']:.1f}", note)
        )
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in table:
            print("| " + " | ".join(str(cell).replace("|", "/") for cell in line) + " |")
    else:
        widths = [max(len(str(line[i])) for line in [header, *table]) for i in range(len(header) - 1)]
        print()
        print("  ".join(f"{cell:<{widths[i]}}" for i, cell in enumerate(header[:-1])) + "  " + header[-1])
        print("  ".join("-" * width for width in widths) + "  " + "-" * 4)
        for line in table:
            print(
                "  ".join(f"{str(cell):<{widths[i]}}" for i, cell in enumerate(line[:-1])) + "  " + line[-1]
            )
        print(
            f"\nmachine: {os.cpu_count()} cores; load = 1-minute load average when the figure was taken "
            f"(other work on the machine inflates wall-clock figures)"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
