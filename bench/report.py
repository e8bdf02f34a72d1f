"""Where every benchmark records its figures: one JSON line per measure in bench/results/<script>.jsonl.

bench/summary.py reads them back and prints the one table of `make bench`.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def record(
    script: str,
    benchmark: str,
    *,
    size: str,
    value: float,
    unit: str,
    goal: str,
    met: bool | None,
    note: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """Append one measure (median `value` in `unit`, MET/MISSED against `goal`) to bench/results/<script>.jsonl."""
    RESULTS.mkdir(exist_ok=True)
    row = {
        "benchmark": benchmark,
        "size": size,
        "value": value,
        "unit": unit,
        "goal": goal,
        "verdict": "reported" if met is None else ("MET" if met else "MISSED"),
        "note": note,
        "load": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
        "at": time.time(),
        **extra,
    }
    stem = Path(script).stem
    with (RESULTS / f"{stem}.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return row
