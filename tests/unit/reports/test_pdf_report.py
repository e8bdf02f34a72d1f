"""The rendered PDF report: what an enterprise (or an auditor) would check in the file."""

from __future__ import annotations

import re

from pypdf.generic import NameObject

from portal.reports import FONT_FAMILY
from portal.reports.context import build_report_context, clause_label
from tests.unit.reports.conftest import render_and_read


def squash(text: str) -> str:
    """Drop all whitespace: the PDF wraps long names and pypdf joins lines with newlines."""
    return re.sub(r"\s+", "", text)


def test_cover_names_the_enterprise_uscc_round_and_status(zh_report):
    ctx = zh_report.context
    cover = squash(zh_report.pages[0])
    assert squash(ctx["enterprise"]["name"]) in cover
    assert ctx["enterprise"]["uscc"] in cover
    assert "华容区" in cover
    assert "2025年度" in cover
    assert "ezhou-dmi2025.1" in cover
    assert ctx["report_number"] in cover
    assert "自评结果，未经核验" in cover


def test_summary_shows_level_band_gate_and_dimensions(zh_report, inputs):
    ctx = zh_report.context
    text = squash(zh_report.text)
    result = inputs["result"]
    assert squash(result["level"]["name"]["zh"]) in text
    summary = squash(zh_report.pages[1])
    assert "一、评估摘要" in summary
    assert squash(ctx["level"]["band_name"]) in summary
    for gate in result["level"]["blocking_gates"]:
        assert squash(gate["label"]["zh"]) in summary
    for dimension in inputs["questionnaire"].dimensions:
        assert squash(dimension.name.zh) in text
    assert f"{result['overall_score']:.1f}" in summary


def test_first_recommended_measure_with_plan_citation(zh_report, inputs):
    first = next(rec for rec in inputs["result"]["recommendations"] if rec["do_next"])
    text = squash(zh_report.text)
    measures_at = text.index("三、改进建议")
    assert squash(first["title"]["zh"]) in text[measures_at:]
    citation = squash(f"《鄂州市数字经济发展“十四五”规划》{clause_label(first['plan_clause'], 'zh')}")
    assert citation in text[measures_at:]
    heading = inputs["plan_clauses"][first["plan_clause"]].heading
    assert squash(heading) in text[measures_at:]


def test_every_page_is_numbered_first_and_last(zh_report):
    total = len(zh_report.pages)
    assert 8 <= total <= 14
    for number, page in enumerate(zh_report.pages, start=1):
        assert f"第{number}页/共{total}页" in squash(page)
    assert squash(zh_report.context["enterprise"]["name"]) in squash(zh_report.pages[2])  # running header


def test_verify_path_and_signature_block(zh_report):
    last = squash(zh_report.pages[-1])
    assert "企业（盖章）" in last
    assert "核验单位（盖章）" in last
    assert squash(f"/reports/verify?number={zh_report.context['report_number']}") in last


def test_pdf_ua_tags_and_chinese_language(zh_report):
    root = zh_report.reader.trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    metadata = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part[^0-9]{0,4}1", metadata)
    assert zh_report.reader.metadata.title.startswith("制造业企业数字化水平诊断报告")


def _font_names(reader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font") or {}
        for font in fonts.values():
            names.add(str(font.get_object()[NameObject("/BaseFont")]))
    return names


def test_only_bundled_fonts_and_no_missing_glyphs_for_rare_characters(zh_report):
    # The sample name holds 堃 喆 昇 垚 (GBK, not GB2312) and the contact 喆.
    assert all(ch in zh_report.text for ch in "堃喆昇垚")
    notdef = [
        r.getMessage() for r in zh_report.log if ".notdef" in r.getMessage() or "glyph" in r.getMessage()
    ]
    assert notdef == []
    fonts = _font_names(zh_report.reader)
    assert fonts and all(name.split("+")[-1].startswith(FONT_FAMILY) for name in fonts), fonts


def test_character_outside_the_bundled_font_is_reported():
    # The guard above is only meaningful if a real gap is logged: 𠮷 (CJK Ext. B) is not in GBK.
    html = '<html lang="zh-CN"><head><title>t</title></head><body><p>𠮷野家</p></body></html>'
    rendered = render_and_read({}, "zh", html=html)
    assert any(".notdef" in record.getMessage() for record in rendered.log)


def test_english_report(en_report, inputs):
    text = squash(en_report.text)
    root = en_report.reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "DigitalMaturityDiagnosticReport" in text
    assert "Page1of" in text
    for dimension in inputs["questionnaire"].dimensions:
        assert squash(dimension.name.en) in text
    first = next(rec for rec in inputs["result"]["recommendations"] if rec["do_next"])
    assert squash(first["title"]["en"]) in text
    assert "Self-assessment,notverified" in text


def test_verified_report_names_the_reviewing_office(inputs):
    context = build_report_context(
        **{**inputs, "verification": {"verified": True, "by": "鄂州市经济和信息化局", "on": "2025-07-01"}}
    )
    assert context["verification"]["status"] == "已核验（鄂州市经济和信息化局，2025-07-01）"
    assert context["verification"]["verified"] is True
