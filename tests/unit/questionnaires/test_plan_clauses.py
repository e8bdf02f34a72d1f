"""The committed plan clause index: ids other modules cite, headings and trimmed texts."""

import re

import pytest

from questionnaires import PlanClause, plan_clauses
from questionnaires.clauses import PLAN_CLAUSES_FILE
from tools.build_plan_clauses import parse_plan, render, trim_text


def test_item_clause_has_its_heading_and_text():
    clause = plan_clauses()["3.4.2"]
    assert isinstance(clause, PlanClause)
    assert "推动产业园区与企业数字化转型" in clause.heading
    assert clause.text.startswith("引导产业园区加快数字基础设施建设")


@pytest.mark.parametrize(
    ("clause_id", "heading"),
    [
        ("3", "主要任务"),
        ("3.4", "推动工业数字化"),
        ("3.4.1", "加快工业智慧大脑建设"),
        ("2.4.2.1", "葛店开发区"),
        ("box3-4", "工业数字化重点工程"),
        ("table-1", "数字经济发展主要指标"),
        ("4.5", "强化监测评估"),
    ],
)
def test_every_level_of_the_id_scheme_exists(clause_id, heading):
    assert heading in plan_clauses()[clause_id].heading


def test_web_page_furniture_is_dropped():
    assert plan_clauses()["4.5"].text.endswith("形成预算动态调整和约束联动机制。")


def test_table_lists_indicator_targets():
    assert "数字经济核心产业增加值 ≥180亿元" in plan_clauses()["table-1"].text


def test_numbered_lines_inside_boxes_are_box_text_not_clauses():
    clauses = plan_clauses()
    assert "合作共建产业园区" in clauses["box3-2"].text
    assert "3.2.6" not in clauses


def test_clause_texts_are_whole_so_every_citation_can_be_checked():
    clauses = plan_clauses()
    # 3.4.2 names the free diagnosis service, 上云用数赋智 and the 1000 上云 target late in its body.
    assert "上云用数赋智" in clauses["3.4.2"].text
    assert "1000" in clauses["3.4.2"].text
    assert clauses["3.1.5"].text.endswith("。")


def test_ids_follow_the_scheme():
    pattern = re.compile(r"^(\d(\.\d+){0,3}|box\d-\d|table-\d)$")
    assert all(pattern.match(clause_id) for clause_id in plan_clauses())


def test_parser_accepts_ascii_and_full_width_punctuation():
    text = "前言。\n一、主要任务\n(一)推动工业数字化\n1.加快建设。正文一。\n(1)子项——说明。正文二。\n(二)另一节\n2、第二项。\n"
    clauses = {row["id"]: row for row in parse_plan(text)}
    assert clauses["1.1.1"] == {"id": "1.1.1", "heading": "加快建设", "text": "正文一。"}
    assert clauses["1.1.1.1"]["heading"] == "子项——说明"
    assert clauses["1.2.2"]["heading"] == "第二项"


def test_trim_keeps_whole_sentences():
    text = "甲" * 200 + "。" + "乙" * 150 + "。"
    assert trim_text(text, limit=300) == "甲" * 200 + "。"
    assert len(trim_text("丙" * 400, limit=300)) == 300


def test_committed_index_round_trips_through_the_renderer():
    committed = PLAN_CLAUSES_FILE.read_text(encoding="utf-8")
    rows = [{"id": c.id, "heading": c.heading, "text": c.text} for c in plan_clauses().values()]
    assert render(rows) == committed


def test_quote_sentence_picks_the_sentence_a_measure_is_about():
    from questionnaires import quote_sentence

    clause = plan_clauses()["3.4.2"]
    quote = quote_sentence(clause.text, "推进企业上云用数赋智，核心业务系统上云")
    assert "上云" in quote
    assert quote in clause.text or quote.endswith("…")
    assert len(quote) <= 110
    assert quote_sentence("", "上云") == ""
