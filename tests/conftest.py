"""Shared pytest configuration. Kept app-free: unit tests must run without Flask or a database.

App and database fixtures live in tests/integration/conftest.py. Tests marked `postgresql_only` are
deselected (not skipped) unless TEST_DATABASE_URL names PostgreSQL, with one line in the summary.
"""

from __future__ import annotations

import os

import pytest

POSTGRESQL_ONLY = "postgresql_only"
_DESELECTED_KEY = pytest.StashKey[int]()


def testing_postgresql() -> bool:
    """Whether this run's test database (TEST_DATABASE_URL) is PostgreSQL."""
    return os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the PostgreSQL-only tests on SQLite, so a SQLite run shows no skips for them."""
    if testing_postgresql():
        return
    deselected = [item for item in items if item.get_closest_marker(POSTGRESQL_ONLY)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(POSTGRESQL_ONLY)]
    config.stash[_DESELECTED_KEY] = len(deselected)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """One line saying how many PostgreSQL-only tests this run left out, and why."""
    count = config.stash.get(_DESELECTED_KEY, 0)
    if count:
        terminalreporter.write_line(
            f"{count} {POSTGRESQL_ONLY} test(s) deselected: TEST_DATABASE_URL is not PostgreSQL "
            "(they run in the PostgreSQL pass)"
        )
