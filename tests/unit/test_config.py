"""config.py reads every setting from the environment, and .env.example lists each one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import config

ROOT = Path(__file__).resolve().parents[2]


def test_every_variable_config_reads_is_listed_in_env_example():
    source = (ROOT / "config.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:env_int|env_bool|os\.environ\.get)\(\s*"([A-Z0-9_]+)"', source))
    listed = set(re.findall(r"^# ([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    assert {"ACCOUNT_INACTIVE_DAYS", "EXPORT_INLINE_ROWS", "DATABASE_URL"} <= read
    assert read - listed == set()


@pytest.mark.parametrize(("value", "expected"), [(None, 180), ("", 180), ("365", 365)])
def test_account_inactive_days_is_read_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("ACCOUNT_INACTIVE_DAYS", raising=False)
    else:
        monkeypatch.setenv("ACCOUNT_INACTIVE_DAYS", value)
    assert config.get_config("development").ACCOUNT_INACTIVE_DAYS == expected
