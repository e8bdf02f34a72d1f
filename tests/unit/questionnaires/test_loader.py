"""Loading the demo fixture: discovery, versions, defaults, caching, catalogue, API dict, traceability."""

import json
import os
import shutil

import pytest

import questionnaires
from questionnaires import DefinitionError, QuestionnaireNotFound
from questionnaires.model import MULTI, SCENE

from .conftest import VALID_ROOT


def line_of(path, needle: str, after: str = "") -> int:
    """1-based number of the first line of `path` containing `needle` below the line holding `after`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(number for number, line in enumerate(lines, 1) if after in line)
    return next(number for number, line in enumerate(lines, 1) if number > start and needle in line)


def test_versions_are_ordered_numerically():
    assert questionnaires.versions("demo", root=VALID_ROOT) == ["1.9", "1.10"]
    assert questionnaires.available(root=VALID_ROOT) == [("demo", "1.9"), ("demo", "1.10")]
    assert questionnaires.current("demo", root=VALID_ROOT).version == "1.10"


def test_load_builds_sections_questions_and_dimensions(demo):
    assert [s.id for s in demo.sections] == ["basics", "equipment", "operations"]
    assert demo.sections[1].question_ids == (
        "equipment_total",
        "equipment_digital",
        "equipment_networked",
        "connectivity_scene",
    )
    assert demo.question("equipment_digital").section == "equipment"
    assert [d.id for d in demo.dimensions] == ["strategy", "equipment", "operations"]
    assert len(demo.dimension("equipment").level_descriptions) == 5
    assert [level.level for level in demo.levels] == [1, 2, 3, 4, 5]
    assert demo.levels[2].gates[0].id == "erp_mes_integrated"
    assert demo.question("has_plan").line == line_of(
        VALID_ROOT / "demo" / "1.10.yaml", "id: has_plan", after="sections:"
    )
    assert demo.question("has_plan").source.plan_clauses == ("3.4.2",)


def test_defaults_are_filled_in(demo):
    budget = demo.question("plan_budget_share")
    assert (budget.min, budget.max) == (0, 100)
    assert demo.question("remarks").max_length == 200
    assert demo.question("remarks").required is False
    assert demo.question("equipment_total").required is True
    scene = demo.question("connectivity_scene")
    assert scene.type == SCENE
    assert [o.value for o in scene.options] == ["none", "tools", "system", "integrated", "model"]
    assert [o.fraction for o in scene.options] == [0, 0.25, 0.5, 0.75, 1]
    assert scene.options[1].label.zh == "IT工具(如表格)"
    assert scene.options[4].label.en
    governance = demo.question("governance")
    assert [o.fraction for o in governance.options] == [0, 0.5, 1]
    systems = demo.question("systems")
    assert systems.type == MULTI and systems.option("none").exclusive


def test_conditions_are_plain_data(demo):
    show_if = demo.question("planning_scene").show_if
    assert type(show_if) is dict and type(show_if["any"]) is list and type(show_if["any"][0]) is dict


def test_loading_is_cached_and_reloaded_when_the_file_changes(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(VALID_ROOT, root)
    first = questionnaires.load("demo", "1.10", root=root)
    assert questionnaires.load("demo", "1.10", root=root) is first
    path = root / "demo" / "1.10.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("演示问卷", "新标题"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert questionnaires.load("demo", "1.10", root=root).title.zh == "新标题"


def test_unknown_questionnaire_or_version_is_not_found():
    with pytest.raises(QuestionnaireNotFound):
        questionnaires.load("demo", "9.9", root=VALID_ROOT)
    with pytest.raises(QuestionnaireNotFound):
        questionnaires.current("nothing", root=VALID_ROOT)


def test_file_whose_content_does_not_match_its_path_is_rejected(tmp_path):
    (tmp_path / "demo").mkdir()
    shutil.copy(VALID_ROOT / "demo" / "1.9.yaml", tmp_path / "demo" / "2.0.yaml")
    with pytest.raises(DefinitionError) as caught:
        questionnaires.load("demo", "2.0", root=tmp_path)
    assert "its path says demo 2.0" in str(caught.value)


def test_catalogue_loads_against_the_newest_questionnaire(demo_catalogue):
    assert questionnaires.catalogue_versions("demo", root=VALID_ROOT) == ["1.0"]
    assert demo_catalogue.questionnaire_id == "demo"
    assert [m.id for m in demo_catalogue.measures] == ["write_plan", "connect_equipment", "move_to_cloud"]
    connect = demo_catalogue.measures[1]
    assert connect.size_classes == ("medium", "large")
    assert connect.line == line_of(
        VALID_ROOT / "demo" / "recommendations" / "1.0.yaml", "id: connect_equipment"
    )
    assert demo_catalogue.measures[2].industry_divisions == ("26",)
    assert questionnaires.load_catalogue("demo", "1.0", root=VALID_ROOT) is demo_catalogue


def test_catalogue_is_checked_against_the_questionnaire_passed_in():
    older = questionnaires.load("demo", "1.9", root=VALID_ROOT)
    path = VALID_ROOT / "demo" / "recommendations" / "1.0.yaml"
    with pytest.raises(DefinitionError) as caught:
        questionnaires.load_catalogue_file(path, older)
    messages = [issue.message for issue in caught.value.issues]
    assert "measure 'connect_equipment': dimension 'equipment' does not exist in demo 1.9" in messages


def test_validate_all_finds_no_issue_in_the_valid_fixtures():
    assert questionnaires.validate_all(root=VALID_ROOT) == []


def test_validate_all_reports_every_broken_file(tmp_path):
    (tmp_path / "demo").mkdir()
    shutil.copy(VALID_ROOT / "demo" / "1.9.yaml", tmp_path / "demo" / "1.9.yaml")
    broken = (
        (VALID_ROOT / "demo" / "1.10.yaml").read_text(encoding="utf-8").replace("weight: 40", "weight: -1")
    )
    (tmp_path / "demo" / "1.10.yaml").write_text(broken, encoding="utf-8")
    weight_lines = [n for n, line in enumerate(broken.splitlines(), 1) if "weight: -1" in line]
    issues = questionnaires.validate_all(root=tmp_path)
    assert [(issue.line, issue.message) for issue in issues] == [
        (weight_lines[0], "dimension 'equipment': 'weight' must be greater than 0, got -1"),
        (weight_lines[1], "dimension 'operations': 'weight' must be greater than 0, got -1"),
    ]
    assert issues[0].file.endswith("1.10.yaml")


def test_api_dict_is_json_and_complete(demo):
    document = json.loads(json.dumps(questionnaires.to_api_dict(demo)))
    assert document["id"] == "demo" and document["version"] == "1.10"
    assert document["title"] == {"zh": "演示问卷", "en": "Demo questionnaire"}
    assert [d["id"] for d in document["dimensions"]] == ["strategy", "equipment", "operations"]
    assert document["dimensions"][0]["weight"] == 20
    questions = {q["id"]: q for s in document["sections"] for q in s["questions"]}
    assert len(questions) == len(demo.questions)
    systems = questions["systems"]
    assert systems["options"][3] == {
        "value": "none",
        "label": {"zh": "都没有", "en": "None of these"},
        "exclusive": True,
    }
    assert questions["planning_scene"]["show_if"] == {
        "any": [{"answer": "systems", "includes": "erp"}, {"answer": "systems", "includes": "mes"}]
    }
    assert questions["plan_budget_share"]["min"] == 0 and questions["plan_budget_share"]["max"] == 100
    assert questions["remarks"]["max_length"] == 200
    assert questions["has_plan"]["source"] == {"plan": ["3.4.2"], "standards": ["GB/T 39116 战略"]}
    expected_keys = {
        "id",
        "dimension",
        "type",
        "required",
        "allows_na",
        "show_if",
        "title",
        "help",
        "definition",
    }
    expected_keys |= {"unit", "options", "min", "max", "max_length", "points", "source"}
    assert set(systems) == expected_keys
    assert document["levels"][1]["gates"] == [
        {"id": "has_plan", "label": {"zh": "有数字化规划", "en": "Has a digital plan"}}
    ]
    assert document["industry_paths"] == {"process": ["25", "26", "31"]}
    assert document["default_industry_path"] == "discrete"


def test_traceability_links_clauses_to_questions_flags_and_measures(demo, demo_catalogue):
    rows = {row.clause_id: row for row in questionnaires.traceability(demo, demo_catalogue)}
    assert list(rows) == ["3.4.1", "3.4.2", "3.4.3", "box3-4"]
    plan_row = rows["3.4.2"]
    assert "推动产业园区与企业数字化转型" in plan_row.heading
    assert plan_row.question_ids == ("has_plan",)
    assert plan_row.flag_ids == ("cloud_enterprise", "demonstration_candidate")
    assert plan_row.measure_ids == ("write_plan", "move_to_cloud")
    assert rows["3.4.1"].measure_ids == ("connect_equipment",)


def test_traceability_script_prints_a_markdown_table(capsys):
    from tools.traceability import main

    assert main(["demo", "--root", str(VALID_ROOT)]) == 0
    output = capsys.readouterr().out
    assert output.splitlines()[0].startswith("| Clause |")
    assert (
        "| 3.4.2 | 推动产业园区与企业数字化转型 | has_plan | cloud_enterprise, demonstration_candidate |"
        in output
    )
