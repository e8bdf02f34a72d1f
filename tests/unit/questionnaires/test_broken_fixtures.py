"""Every broken fixture fails with one issue naming its file, the marked line and the expected message."""

import re

import pytest

import questionnaires
from questionnaires import DefinitionError

from .conftest import BROKEN

BROKEN_FILES = sorted(BROKEN.glob("*.yaml"))


def expectation(path) -> tuple[int, str]:
    """The marked defect line and the `# expect:` message of a broken fixture."""
    lines = path.read_text(encoding="utf-8").splitlines()
    message = next(re.match(r"# expect: (.*)", line)[1] for line in lines if line.startswith("# expect:"))
    line = next(number for number, text in enumerate(lines, 1) if text.rstrip().endswith("# <- defect"))
    return line, message


def test_there_is_a_broken_fixture_for_each_kind_of_defect():
    names = {path.stem for path in BROKEN_FILES}
    expected = {
        "missing_en_text",
        "duplicate_question_id",
        "unknown_show_if_reference",
        "forward_show_if_reference",
    }
    expected |= {
        "bad_citation",
        "overlapping_bands",
        "unknown_option_reference",
        "unknown_key",
        "bad_yaml_syntax",
    }
    expected |= {"catalogue_bad_citation", "catalogue_unknown_dimension"}
    assert expected <= names


@pytest.mark.parametrize("path", BROKEN_FILES, ids=[path.stem for path in BROKEN_FILES])
def test_broken_fixture_fails_with_file_line_and_message(path, demo):
    line, message = expectation(path)
    with pytest.raises(DefinitionError) as caught:
        if path.stem.startswith("catalogue_"):
            questionnaires.load_catalogue_file(path, demo)
        else:
            questionnaires.load_file(path)
    issues = caught.value.issues
    assert len(issues) == 1, issues
    assert issues[0].file == str(path)
    assert issues[0].line == line
    assert message in issues[0].message
    assert f"{path}:{line}: " in str(caught.value)


def test_all_problems_of_a_file_are_reported_together(tmp_path):
    text = (BROKEN / "unknown_key.yaml").read_text(encoding="utf-8")
    text = text.replace("weight: 1}", "weight: 0}").replace("en: Who leads?", "en: ''")
    path = tmp_path / "two_defects.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        questionnaires.load_file(path)
    messages = sorted(issue.message for issue in caught.value.issues)
    assert len(messages) == 3
    assert "3 problems in the definition" in str(caught.value)
