"""A SQLite run deselects the PostgreSQL-only tests (no skips) and says so in one summary line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_sqlite_run_deselects_the_production_stack_tests_instead_of_skipping_them():
    env = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/e2e/test_prod_stack.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 5, output  # pytest's "no tests ran": all of them were deselected
    assert "3 deselected" in output and "skipped" not in output
    assert "3 postgresql_only test(s) deselected: TEST_DATABASE_URL is not PostgreSQL" in output
