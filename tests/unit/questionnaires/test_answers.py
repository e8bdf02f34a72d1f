"""Answer validation (every rule, both languages), required questions, indicators and plausibility."""

import pytest

from questionnaires import (
    AnswerValidationError,
    compute_indicators,
    missing_required,
    plausibility_warnings,
    validate_answers,
)


def errors_for(questionnaire, answers):
    with pytest.raises(AnswerValidationError) as caught:
        validate_answers(questionnaire, answers)
    return caught.value.errors


def test_valid_partial_answers_pass(demo):
    validate_answers(demo, {})
    validate_answers(
        demo,
        {
            "has_plan": True,
            "plan_budget_share": "na",
            "governance": "executive",
            "equipment_total": 120,
            "equipment_digital": 80.5,
            "connectivity_scene": "integrated",
            "systems": ["erp", "mes"],
            "planning_scene": "na",
            "remarks": "",
        },
    )
    validate_answers(demo, {"systems": [], "governance": None})


@pytest.mark.parametrize(
    ("answers", "question_id", "zh", "en"),
    [
        ({"colour": "red"}, "colour", "未知的问题", "Unknown question"),
        ({"governance": "maybe"}, "governance", "请选择列表中的选项", "Choose one of the listed options"),
        (
            {"connectivity_scene": 3},
            "connectivity_scene",
            "请选择列表中的选项",
            "Choose one of the listed options",
        ),
        ({"systems": "erp"}, "systems", "请以列表形式选择选项", "Expected a list of options"),
        ({"systems": ["erp", "sap"]}, "systems", "请选择列表中的选项", "Choose one of the listed options"),
        (
            {"systems": ["erp", "erp"]},
            "systems",
            "同一选项不能重复选择",
            "An option was chosen more than once",
        ),
        (
            {"systems": ["erp", "none"]},
            "systems",
            "“都没有”不能与其他选项同时选择",
            "“None of these” cannot be combined",
        ),
        ({"equipment_total": "12"}, "equipment_total", "请输入数字", "Enter a number"),
        ({"equipment_total": True}, "equipment_total", "请输入数字", "Enter a number"),
        ({"equipment_total": float("nan")}, "equipment_total", "请输入数字", "Enter a number"),
        ({"equipment_total": -1}, "equipment_total", "数值应在 0 到 100000 之间", "between 0 and 100000"),
        ({"equipment_digital": -3}, "equipment_digital", "数值不能小于 0", "at least 0"),
        ({"plan_budget_share": 100.5}, "plan_budget_share", "数值应在 0 到 100 之间", "between 0 and 100"),
        ({"remarks": "长" * 201}, "remarks", "文字不能超过 200 个字符", "must not exceed 200 characters"),
        ({"remarks": 42}, "remarks", "请输入文字", "Enter text"),
        ({"equipment_total": "na"}, "equipment_total", "不能选择“不适用”", "“Not applicable” is not allowed"),
        ({"has_plan": "yes"}, "has_plan", "请选择“是”或“否”", "Answer yes or no"),
        ({"has_plan": 1}, "has_plan", "请选择“是”或“否”", "Answer yes or no"),
    ],
)
def test_each_rule_reports_in_both_languages(demo, answers, question_id, zh, en):
    errors = errors_for(demo, answers)
    assert list(errors) == [question_id]
    assert zh in errors[question_id].zh
    assert en in errors[question_id].en


def test_all_bad_answers_are_reported_at_once(demo):
    errors = errors_for(demo, {"governance": "maybe", "has_plan": "no", "equipment_total": 5})
    assert set(errors) == {"governance", "has_plan"}


def test_missing_required_follows_show_if(demo):
    context = {"size_class": "small"}
    assert missing_required(demo, {}, context) == [
        "has_plan",
        "governance",
        "equipment_total",
        "connectivity_scene",
        "systems",
    ]
    answers = {"has_plan": True, "equipment_total": 0, "systems": ["mes"], "governance": "nobody"}
    assert missing_required(demo, answers, context) == [
        "plan_budget_share",
        "connectivity_scene",
        "planning_scene",
    ]
    answers |= {
        "equipment_total": 5,
        "plan_budget_share": "na",
        "connectivity_scene": "none",
        "planning_scene": "tools",
    }
    assert missing_required(demo, answers, context) == ["equipment_digital", "equipment_networked"]


def test_empty_multi_answer_counts_as_answered(demo):
    assert "systems" not in missing_required(demo, {"systems": []}, {})


def test_ratio_indicators_are_percent_with_one_decimal(demo):
    answers = {"equipment_total": 3, "equipment_digital": 2, "equipment_networked": 1}
    values = compute_indicators(demo, answers, {})
    assert values["digital_rate"] == 66.7
    assert values["networked_rate"] == 33.3


def test_indicators_are_none_when_missing_hidden_or_zero(demo):
    assert compute_indicators(demo, {"equipment_total": 10}, {})["digital_rate"] is None
    hidden = {"equipment_total": 0, "equipment_digital": 5}
    assert compute_indicators(demo, hidden, {})["digital_rate"] is None
    values = compute_indicators(demo, {"systems": ["erp"], "planning_scene": "na"}, {})
    assert values["planning_layer"] is None
    assert values["uses_cloud"] is False


def test_value_and_condition_indicators(demo):
    values = compute_indicators(demo, {"systems": ["mes", "cloud"], "planning_scene": "model"}, {})
    assert values["planning_layer"] == "model"
    assert values["uses_cloud"] is True


def test_plausibility_warnings(demo):
    answers = {
        "equipment_total": 10,
        "equipment_networked": 12,
        "equipment_digital": 10,
        "connectivity_scene": "none",
    }
    warnings = plausibility_warnings(demo, answers, {})
    assert [w.rule_id for w in warnings] == ["networked_le_total", "digital_rate_full_but_no_data"]
    assert warnings[0].message.zh == "联网设备数不应超过设备总数"
    assert warnings[0].message.en == "Networked equipment cannot exceed the total"
    assert warnings[0].question_ids == ("equipment_networked", "equipment_total")
    assert plausibility_warnings(demo, {"equipment_total": 10, "equipment_networked": 9}, {}) == []


def test_plausibility_counts_na_answers(demo):
    answers = {"has_plan": True, "plan_budget_share": "na", "systems": ["erp"], "planning_scene": "na"}
    assert [w.rule_id for w in plausibility_warnings(demo, answers, {})] == ["too_many_na"]
    answers["has_plan"] = False  # hides plan_budget_share, so its "na" no longer counts
    assert plausibility_warnings(demo, answers, {}) == []
