"""Peer benchmark (fallback chain, small groups suppressed, midrank) and comparison of two results."""

from __future__ import annotations

import pytest

import scoring
from questionnaires.model import Text

STEEL = {
    "kind": "industry",
    "value": "31",
    "label": {"zh": "黑色金属冶炼和压延加工业", "en": "Ferrous metals"},
}
METAL = {
    "kind": "sector",
    "value": "metal",
    "label": {"zh": "冶金与金属制品", "en": "Metallurgy and metal products"},
}
CITY = {"kind": "city", "value": "ezhou", "label": {"zh": "鄂州市", "en": "Ezhou"}}


def test_midrank_percentile_on_a_small_group():
    # own 20 among [10, 20, 20, 30, 40]: 1 below, 2 equal -> (1 + 2/2) / 5 = 40 %
    result = scoring.benchmark(20, [{"key": STEEL, "scores": [40, 20, 10, 30, 20]}])
    assert (result.percentile, result.n, result.mean, result.median) == (40.0, 5, 24.0, 20.0)
    assert result.group == STEEL and result.fallback is False and result.available


def test_extremes_of_the_percentile():
    scores = [50.0, 60.0, 70.0, 80.0, 90.0]
    assert scoring.benchmark(10, [{"key": CITY, "scores": scores}]).percentile == 0.0
    assert scoring.benchmark(95, [{"key": CITY, "scores": scores}]).percentile == 100.0


def test_small_groups_are_never_shown_and_the_next_broader_is_used():
    groups = [
        {"key": STEEL, "scores": [30, 40, 50, 60]},  # 4 < 5: suppressed
        {"key": METAL, "scores": [30, 40, 50, 60, 70, 80]},
        {"key": CITY, "scores": list(range(100))},
    ]
    result = scoring.benchmark(55, groups)
    assert result.group == METAL
    assert result.n == 6
    assert result.percentile == 50.0  # 3 of 6 below
    assert result.fallback is True
    data = result.to_dict()
    assert data["skipped"] == [{"kind": "industry", "value": "31", "label": STEEL["label"], "n": 4}]
    assert data["group"]["label"] == METAL["label"]
    assert 30 not in data.values()  # no figure of the suppressed group leaks into the output


def test_preaggregated_groups_from_sql():
    groups = [
        {"key": STEEL, "count": 3, "mean": 50.0, "median": 50.0, "rank_below": 1, "rank_equal": 0},
        {"key": METAL, "count": 8, "mean": 47.25, "median": 45.0, "rank_below": 5, "rank_equal": 1},
    ]
    result = scoring.benchmark(52.0, groups)
    # (5 + 1/2) / 8 = 68.75 -> 68.8
    assert (result.group, result.n, result.mean, result.median, result.percentile) == (
        METAL,
        8,
        47.2,
        45.0,
        68.8,
    )
    assert result.fallback is True


def test_no_group_large_enough():
    result = scoring.benchmark(50, [{"key": STEEL, "scores": [1, 2]}, {"key": CITY, "scores": []}])
    assert not result.available
    assert result.percentile is None and result.mean is None and result.n == 0
    assert [entry["n"] for entry in result.to_dict()["skipped"]] == [2, 0]


def test_min_group_is_configurable_and_bad_kinds_rejected():
    assert scoring.benchmark(5, [{"key": STEEL, "scores": [1, 9, 5]}], min_group=3).percentile == 50.0
    with pytest.raises(ValueError):
        scoring.benchmark(5, [{"key": {"kind": "planet", "value": "x"}, "scores": [1] * 9}])


@pytest.mark.parametrize(
    ("division", "family"),
    [
        ("13", "food_light"),
        ("21", "food_light"),
        ("17", "textile"),
        ("19", "textile"),
        ("26", "chemical_materials"),
        ("27", "chemical_materials"),
        ("30", "chemical_materials"),
        ("31", "metal"),
        (33, "metal"),
        ("3120", "metal"),
        ("34", "machinery"),
        ("36", "machinery"),
        ("43", "machinery"),
        ("39", "electronics_other"),
        ("42", "electronics_other"),
    ],
)
def test_sector_family(division, family):
    assert scoring.sector_family(division) == family
    assert isinstance(scoring.sector_family_label(family), Text)


def test_every_manufacturing_division_has_exactly_one_family():
    families = [scoring.sector_family(str(division)) for division in range(13, 44)]
    assert len(families) == 31 and 5 <= len(set(families)) <= 7
    for outside in ("12", "44", "A1", ""):
        with pytest.raises(ValueError):
            scoring.sector_family(outside)


BEFORE = {
    "equipment_total": 100,
    "equipment_digital": 15,
    "digital_rate": 15,
    "systems_coverage": "one",
    "uses_mes": False,
    "security_measures": ["firewall"],
    "digital_plan": "none",
    "it_budget_share": 1,
    "quality_trend": "flat",
    "energy_trend": "worse",
}
AFTER = dict(
    BEFORE,
    security_measures=["firewall", "backup"],
    digital_plan="draft",
    uses_mes=True,
    mes_integration="none",
)
CONTEXT = {"industry_division": "31", "size_class": "large"}


def test_comparison_of_two_assessments(questionnaire, catalogue):
    previous = scoring.score(questionnaire, BEFORE, CONTEXT, catalogue=catalogue).to_dict()
    current = scoring.score(questionnaire, AFTER, CONTEXT, catalogue=catalogue).to_dict()
    comparison = scoring.compare(previous, current)
    # foundation 4/20 = 20.0 -> 8/24 = 33.3; management 2/20 = 10.0 -> (4 + 4)/20 = 40.0; outcomes unchanged
    assert [(d.id, d.previous, d.current, d.delta) for d in comparison.dimensions] == [
        ("foundation", 20.0, 33.3, 13.3),
        ("management", 10.0, 40.0, 30.0),
        ("outcomes", 25.0, 25.0, 0.0),
    ]
    assert comparison.overall_previous == 18.0
    assert comparison.overall_delta == round(comparison.overall_current - 18.0, 1)
    assert (comparison.level_previous, comparison.level_current, comparison.level_change) == (1, 2, 1)
    done = [entry["id"] for entry in comparison.recommendations_done]
    new = [entry["id"] for entry in comparison.recommendations_new]
    assert {"adopt_mes", "backup_data", "write_plan"} <= set(done)  # MES adopted, backup made, plan drafted
    assert "integrate_mes" in new  # the MES is there now but not integrated
    assert {"steel_energy", "energy_monitoring"} <= {entry["id"] for entry in comparison.recommendations_open}
    plan_change = next(q for q in comparison.questions if q.question_id == "digital_plan")
    assert (plan_change.previous_fraction, plan_change.current_fraction, plan_change.delta) == (0.0, 0.5, 0.5)
    data = comparison.to_dict()
    assert data["level"] == {"previous": 1, "current": 2, "change": 1}
    assert data["dimensions"][1]["delta"] == 30.0


def test_comparison_across_versions_follows_the_question_map(questionnaire):
    previous = scoring.score(questionnaire, BEFORE, CONTEXT).to_dict()
    current = scoring.score(questionnaire, AFTER, CONTEXT).to_dict()
    # pretend the previous version called the plan question "strategy_plan"
    for dimension in previous["dimensions"]:
        for contribution in dimension["contributions"]:
            if contribution["question_id"] == "digital_plan":
                contribution["question_id"] = "strategy_plan"
    unmapped = scoring.compare(previous, current)
    mapped = scoring.compare(previous, current, question_map={"strategy_plan": "digital_plan"})
    assert "digital_plan" not in {q.question_id for q in unmapped.questions}
    change = next(q for q in mapped.questions if q.question_id == "digital_plan")
    assert (change.previous_question_id, change.delta) == ("strategy_plan", 0.5)


def test_comparison_with_a_dimension_only_on_one_side(questionnaire):
    previous = scoring.score(questionnaire, BEFORE, CONTEXT).to_dict()
    current = scoring.score(questionnaire, AFTER, CONTEXT).to_dict()
    previous["dimensions"].append(
        {"id": "legacy", "name": {"zh": "旧", "en": "Old"}, "score": 50.0, "level": 3}
    )
    change = scoring.compare(previous, current).dimension("legacy")
    assert (change.previous, change.current, change.delta) == (50.0, None, None)
