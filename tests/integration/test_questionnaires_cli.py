"""`flask --app portal questionnaires validate`: passes on the shipped files, fails clearly on broken ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "questionnaires"
BROKEN_FILES = sorted((FIXTURES / "broken").glob("*.yaml"))
DEMO_QUESTIONNAIRE = FIXTURES / "valid" / "demo" / "1.10.yaml"


def _expected(path: Path) -> tuple[int, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    message = next(re.match(r"# expect: (.*)", line)[1] for line in lines if line.startswith("# expect:"))
    line = next(number for number, text in enumerate(lines, 1) if text.rstrip().endswith("# <- defect"))
    return line, message


def test_shipped_questionnaires_and_catalogues_validate(app):
    result = app.test_cli_runner().invoke(args=["questionnaires", "validate"])
    assert result.exit_code == 0, result.output
    assert "OK:" in result.output


def test_a_valid_fixture_folder_validates(app):
    result = app.test_cli_runner().invoke(
        args=["questionnaires", "validate", "--root", str(FIXTURES / "valid")]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("path", BROKEN_FILES, ids=[path.stem for path in BROKEN_FILES])
def test_each_broken_file_fails_with_file_line_and_reason(app, path):
    line, message = _expected(path)
    args = ["questionnaires", "validate", str(path)]
    if path.stem.startswith("catalogue_"):
        args[2:2] = ["--against", str(DEMO_QUESTIONNAIRE)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert f"{path}:{line}: " in result.output
    assert message in result.output
    assert "1 problem(s) found." in result.output
