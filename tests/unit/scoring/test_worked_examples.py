"""Hand-worked scorings of the fixture questionnaire (tests/fixtures/scoring/questionnaire.yaml).

Fixture recap (points per item, dimension weights 50/30/20):
  foundation  digital_rate 6 (MIIT bands <=10 / 10-20 / 20-40 / 40-60 / >60 -> 0/.25/.5/.75/1),
              systems_coverage 10 (level/4), uses_mes 4 (yes = 1), mes_integration 4 (shown when uses_mes;
              none/partial/full = 0/.5/1; "na" allowed)
  management  security_measures 8 (multi, 25 % each), digital_plan 8 (none/draft/implemented = 0/.5/1),
              it_budget_share 4 (<=1 / 1-3 / >3 -> 0/.5/1; "na" allowed)
  outcomes    quality_trend 7, energy_trend 7 (worse/flat/better = 0/.5/1; energy "na" allowed)
Levels: 1 from 0; 2 from 25 (gate has_backup); 3 from 50 (gates mes_integrated, weakest_field: every
dimension >= 40); 4 from 70 (gate plan_implemented); 5 from 90 (gate all_dimensions_l4).
Measures (rank = gap x weight/100 x priority): backup_data (management, target 3, priority 3),
adopt_mes (foundation, 3, 2), integrate_mes (foundation, 4, 2), write_plan (management, 2, 1),
energy_monitoring (outcomes, 4, 2, large/medium only), steel_energy (outcomes, 5, 3, divisions 31/32),
lift_weakest (foundation, 2, 1, when the weakest dimension is below level 2).
"""

from __future__ import annotations

import pytest

import scoring

STEEL_LARGE = {
    "industry_division": "31",
    "size_class": "large",
    "district": "鄂城区",
    "above_designated_size": True,
}
ELECTRONICS_SMALL = {"industry_division": "39", "size_class": "small", "district": "葛店经开区"}
STEEL_MEDIUM = {"industry_division": "31", "size_class": "medium", "district": "华容区"}


def dimension_view(result):
    return {dimension.id: (dimension.score, dimension.level) for dimension in result.dimensions}


def recommendation_view(result):
    return [(rec.id, rec.gap, rec.rank_score, rec.do_next) for rec in result.recommendations]


def test_beginner_without_mes(questionnaire, catalogue):
    answers = {
        "equipment_total": 100,
        "equipment_digital": 15,
        "digital_rate": 15,  # 10 < 15 <= 20 -> 0.25 x 6 = 1.5
        "systems_coverage": "one",  # level 1 -> 0.25 x 10 = 2.5
        "uses_mes": False,  # 0 of 4; mes_integration stays hidden
        "security_measures": ["firewall"],  # 1 x 25 % x 8 = 2
        "digital_plan": "none",  # 0 of 8
        "it_budget_share": 1,  # lowest band includes its upper end 1 -> 0 of 4
        "quality_trend": "flat",  # 3.5 of 7
        "energy_trend": "worse",  # 0 of 7
    }
    result = scoring.score(questionnaire, answers, STEEL_LARGE, catalogue=catalogue)
    # foundation 4/20 = 20.0 (L1); management 2/20 = 10.0 (L1); outcomes 3.5/14 = 25.0 (L2)
    assert dimension_view(result) == {"foundation": (20.0, 1), "management": (10.0, 1), "outcomes": (25.0, 2)}
    # overall (50 x 20 + 30 x 10 + 20 x 25) / 100 = 18.0 -> band 1; level 2 needs a backup
    assert result.overall_score == 18.0
    assert (result.level.band, result.level.gated, result.level.next_level) == (1, 1, 2)
    assert [gate.id for gate in result.level.blocking_gates] == ["has_backup"]
    assert result.level.name.en == "Level 1"
    assert result.indicators == {"equipment_digitization_rate": 15.0, "coverage": "one", "mes_in_use": False}
    assert {key: (flag.value, flag.detail) for key, flag in result.plan_flags.items()} == {
        "digital_leader": (False, 15.0),
        "mes_user": (False, None),
    }
    # adopt_mes 2 x .5 x 2 = 2.0; backup_data 2 x .3 x 3 = 1.8 and steel_energy 3 x .2 x 3 = 1.8 (tie: by id);
    # energy_monitoring 2 x .2 x 2 = 0.8; lift_weakest 1 x .5 x 1 = 0.5; write_plan 1 x .3 x 1 = 0.3 (sixth: not do-next).
    # integrate_mes reads the hidden mes_integration, so it does not apply.
    assert recommendation_view(result) == [
        ("adopt_mes", 2, 2.0, True),
        ("backup_data", 2, 1.8, True),
        ("steel_energy", 3, 1.8, True),
        ("energy_monitoring", 2, 0.8, True),
        ("lift_weakest", 1, 0.5, True),
        ("write_plan", 1, 0.3, False),
    ]
    triggers = {rec.id: rec.triggered_by for rec in result.recommendations}
    assert triggers["backup_data"] == ("security_measures",)
    assert triggers["energy_monitoring"] == ()
    assert result.warnings == ()


def test_full_marks_reach_level_5(questionnaire, catalogue):
    answers = {
        "equipment_total": 200,
        "equipment_digital": 180,
        "digital_rate": 75,
        "systems_coverage": "all",
        "uses_mes": True,
        "mes_integration": "full",
        "security_measures": ["training", "backup", "access_control", "firewall"],  # 4 x 25 % = 100 %
        "digital_plan": "implemented",
        "it_budget_share": 5,
        "quality_trend": "better",
        "energy_trend": "better",
        "remarks": "全部达标",
    }
    result = scoring.score(questionnaire, answers, STEEL_LARGE, catalogue=catalogue)
    assert dimension_view(result) == {
        "foundation": (100.0, 5),
        "management": (100.0, 5),
        "outcomes": (100.0, 5),
    }
    assert result.overall_score == 100.0
    assert (result.level.band, result.level.gated, result.level.next_level) == (5, 5, None)
    assert result.level.blocking_gates == ()
    assert result.plan_flags["digital_leader"].value is True
    assert result.plan_flags["digital_leader"].detail == 90.0
    assert result.recommendations == ()  # every dimension is at level 5: no positive gap
    security = result.dimension("management").contributions[0]
    assert security.answer == ("firewall", "backup", "access_control", "training")  # option order


def test_cmmm_lower_level_gate_blocks_a_higher_band(questionnaire, catalogue):
    answers = {
        "equipment_total": 50,
        "equipment_digital": 20,
        "digital_rate": 50,  # 40-60 -> 0.75 x 6 = 4.5
        "systems_coverage": "most",  # 3/4 x 10 = 7.5
        "uses_mes": True,  # 4
        "mes_integration": "none",  # 0 of 4
        "security_measures": ["backup", "firewall"],  # 50 % x 8 = 4
        "digital_plan": "implemented",  # 8
        "it_budget_share": 2,  # 1-3 -> 0.5 x 4 = 2
        "quality_trend": "better",  # 7
        "energy_trend": "na",  # leaves the denominator
    }
    result = scoring.score(questionnaire, answers, ELECTRONICS_SMALL, catalogue=catalogue)
    # foundation 16/24 = 66.67 -> 66.7 (L3); management 14/20 = 70.0 (L4); outcomes 7/7 = 100.0 (L5)
    assert dimension_view(result) == {
        "foundation": (66.7, 3),
        "management": (70.0, 4),
        "outcomes": (100.0, 5),
    }
    # overall (50 x 66.667 + 30 x 70 + 20 x 100) / 100 = 74.33 -> band 4, but level 3's MES gate fails
    assert result.overall_score == 74.3
    assert (result.level.band, result.level.gated, result.level.next_level) == (4, 2, 3)
    assert [gate.id for gate in result.level.blocking_gates] == ["mes_integrated"]
    energy = result.dimension("outcomes").contributions[1]
    assert (energy.question_id, energy.earned, energy.possible, energy.answer) == (
        "energy_trend",
        None,
        0.0,
        "na",
    )
    # only integrate_mes applies: foundation L3 -> target 4, 1 x .5 x 2 = 1.0; steel_energy is for 31/32 only
    assert recommendation_view(result) == [("integrate_mes", 1, 1.0, True)]
    assert result.recommendations[0].triggered_by == ("mes_integration",)
    assert result.plan_flags["digital_leader"].value is True  # overall 74.3 >= 70


def test_weakest_field_rule_caps_the_level(questionnaire, catalogue):
    answers = {
        "equipment_total": 10,
        "equipment_digital": 10,
        "digital_rate": 100,  # 6
        "systems_coverage": "all",  # 10
        "uses_mes": True,  # 4
        "mes_integration": "partial",  # 2
        "security_measures": ["backup", "access_control", "training"],  # 75 % x 8 = 6
        "digital_plan": "draft",  # 4
        "it_budget_share": "na",
        "quality_trend": "worse",
        "energy_trend": "worse",
    }
    result = scoring.score(questionnaire, answers, STEEL_MEDIUM, catalogue=catalogue)
    # foundation 22/24 = 91.7 (L5); management 10/16 = 62.5 (L3); outcomes 0/14 = 0.0 (L1)
    assert dimension_view(result) == {"foundation": (91.7, 5), "management": (62.5, 3), "outcomes": (0.0, 1)}
    # overall (50 x 91.667 + 30 x 62.5 + 0) / 100 = 64.58 -> band 3; the weakest dimension (0.0) is below 40
    assert result.overall_score == 64.6
    assert (result.level.band, result.level.gated) == (3, 2)
    assert [gate.id for gate in result.level.blocking_gates] == ["weakest_field"]
    # steel_energy gap 5-1 = 4: 4 x .2 x 3 = 2.4; energy_monitoring gap 3: 3 x .2 x 2 = 1.2.
    # lift_weakest applies (weakest level 1 < 2) but foundation is already above its target: no gap.
    assert recommendation_view(result) == [
        ("steel_energy", 4, 2.4, True),
        ("energy_monitoring", 3, 1.2, True),
    ]


def test_hidden_answers_are_ignored_and_halves_round_up(questionnaire, catalogue):
    answers = {
        "equipment_total": 40,
        "equipment_digital": 8,
        "digital_rate": 20,  # upper end of 10-20 -> 0.25 x 6 = 1.5
        "systems_coverage": "several",  # 5
        "uses_mes": False,
        "mes_integration": "full",  # kept but hidden: neither scored nor read by the gate
        "security_measures": ["backup"],  # 2
        "digital_plan": "draft",  # 4
        "it_budget_share": 3,  # upper end of 1-3 -> 2
        "quality_trend": "flat",  # 3.5
        "energy_trend": "flat",  # 3.5
        "remarks": "   ",  # blank text counts as unanswered
    }
    result = scoring.score(questionnaire, answers, STEEL_LARGE, catalogue=catalogue)
    # foundation 6.5/20 = 32.5 (L2); management 8/20 = 40.0 (L2); outcomes 7/14 = 50.0 (L3)
    assert dimension_view(result) == {"foundation": (32.5, 2), "management": (40.0, 2), "outcomes": (50.0, 3)}
    assert [c.question_id for c in result.dimension("foundation").contributions] == [
        "digital_rate",
        "systems_coverage",
        "uses_mes",
    ]
    # overall (50 x 32.5 + 30 x 40 + 20 x 50) / 100 = 38.25 -> 38.3 (halves round up) -> band 2
    assert result.overall_score == 38.3
    assert (result.level.band, result.level.gated, result.level.next_level) == (2, 2, 3)
    # the next level's failing gates: MES (hidden = missing) and the weakest field (32.5 < 40)
    assert [gate.id for gate in result.level.blocking_gates] == ["mes_integrated", "weakest_field"]
    assert result.indicators["equipment_digitization_rate"] == 20.0


@pytest.mark.parametrize(
    ("rate", "fraction"),
    [
        (0, 0),
        (10, 0),
        (10.5, 0.25),
        (20, 0.25),
        (30, 0.5),
        (40, 0.5),
        (40.1, 0.75),
        (60, 0.75),
        (61, 1),
        (100, 1),
    ],
)
def test_miit_rate_bands(questionnaire, rate, fraction):
    answers = dict(BASE_ANSWERS, digital_rate=rate)
    result = scoring.score(questionnaire, answers, STEEL_LARGE)
    item = result.dimension("foundation").contributions[0]
    assert (item.question_id, item.fraction, item.earned) == ("digital_rate", fraction, fraction * 6)


@pytest.mark.parametrize(
    ("chosen", "fraction"),
    [
        (["nothing"], 0),
        ([], 0),
        (["backup"], 0.25),
        (["backup", "training"], 0.5),
        (["firewall", "backup", "training"], 0.75),
        (["firewall", "backup", "access_control", "training"], 1),
    ],
)
def test_miit_multi_select_counts_25_percent_each(questionnaire, chosen, fraction):
    answers = dict(BASE_ANSWERS, security_measures=chosen)
    result = scoring.score(questionnaire, answers, STEEL_LARGE)
    item = result.dimension("management").contributions[0]
    assert (item.fraction, item.earned) == (fraction, fraction * 8)


BASE_ANSWERS = {
    "equipment_total": 100,
    "equipment_digital": 30,
    "digital_rate": 30,
    "systems_coverage": "several",
    "uses_mes": False,
    "security_measures": ["backup"],
    "digital_plan": "draft",
    "it_budget_share": 2,
    "quality_trend": "flat",
    "energy_trend": "flat",
}


def test_missing_required_answers_raise_instead_of_scoring_zero(questionnaire):
    answers = {
        key: value for key, value in BASE_ANSWERS.items() if key not in ("equipment_total", "digital_plan")
    }
    with pytest.raises(scoring.IncompleteAnswersError) as caught:
        scoring.score(questionnaire, answers, STEEL_LARGE)
    assert caught.value.missing == ["equipment_total", "digital_plan"]
    assert isinstance(caught.value, scoring.ScoringError)


def test_allow_incomplete_leaves_missing_items_out(questionnaire):
    answers = {
        key: value for key, value in BASE_ANSWERS.items() if key not in ("equipment_total", "digital_plan")
    }
    result = scoring.score(questionnaire, answers, STEEL_LARGE, allow_incomplete=True)
    assert result.missing == ("equipment_total", "digital_plan")
    # management without digital_plan: security 2 + budget 2 of 8 + 4 = 33.3, not 4/20 = 20
    assert result.dimension("management").score == 33.3
    assert result.indicators["equipment_digitization_rate"] is None
    assert result.to_dict()["missing"] == ["equipment_total", "digital_plan"]


def test_a_shown_question_becomes_required_when_it_appears(questionnaire):
    answers = dict(BASE_ANSWERS, uses_mes=True)  # mes_integration is now shown and required
    with pytest.raises(scoring.IncompleteAnswersError) as caught:
        scoring.score(questionnaire, answers, STEEL_LARGE)
    assert caught.value.missing == ["mes_integration"]


def test_plausibility_warning_links_to_questions(questionnaire):
    answers = dict(BASE_ANSWERS, equipment_total=10, equipment_digital=12)
    result = scoring.score(questionnaire, answers, STEEL_LARGE)
    assert [(w.id, w.question_ids) for w in result.warnings] == [
        ("digital_le_total", ("equipment_digital", "equipment_total"))
    ]
    assert result.to_dict()["warnings"][0]["message"]["zh"] == "数字化设备数不应超过设备总数"


def test_size_and_industry_filters(questionnaire, catalogue):
    answers = dict(BASE_ANSWERS, energy_trend="worse")
    steel = scoring.score(questionnaire, answers, STEEL_LARGE, catalogue=catalogue)
    micro_food = scoring.score(
        questionnaire, answers, {"industry_division": "13", "size_class": "micro"}, catalogue=catalogue
    )
    assert {"steel_energy", "energy_monitoring"} <= {rec.id for rec in steel.recommendations}
    assert not {"steel_energy", "energy_monitoring"} & {rec.id for rec in micro_food.recommendations}


def test_to_dict_shape(questionnaire, catalogue):
    result = scoring.score(questionnaire, BASE_ANSWERS, STEEL_LARGE, catalogue=catalogue)
    data = result.to_dict()
    assert data["questionnaire"] == {"id": "scoring-fixture", "version": "1.0"}
    assert data["catalogue"] == {"id": "scoring-fixture-measures", "version": "1.0"}
    assert data["engine_version"] == scoring.ENGINE_VERSION == "1.0.0"
    assert data["context"]["industry_path"] == "process"  # 31 is listed under process in the fixture
    assert set(data["level"]) == {"band", "gated", "name", "blocking_gates", "next_level"}
    assert data["dimensions"][0]["name"] == {"zh": "基础", "en": "Foundation"}
    assert set(data["dimensions"][0]["contributions"][0]) == {
        "question_id",
        "earned",
        "possible",
        "fraction",
        "answer",
    }
    assert set(data["recommendations"][0]) >= {
        "id", "title", "text", "dimension", "priority", "plan_clause", "policy", "gap", "rank_score", "do_next",
        "triggered_by",
    }  # fmt: skip
    assert data["plan_flags"]["digital_leader"] == {"value": False, "detail": 30.0}
    assert len(data["result_hash"]) == 64
    no_catalogue = scoring.score(questionnaire, BASE_ANSWERS, STEEL_LARGE).to_dict()
    assert no_catalogue["catalogue"] is None and no_catalogue["recommendations"] == []


def test_catalogue_of_another_questionnaire_is_refused(questionnaire, catalogue, shipped):
    shipped_questionnaire, _ = shipped
    with pytest.raises(scoring.ScoringError):
        scoring.score(shipped_questionnaire, {}, STEEL_LARGE, catalogue=catalogue)
