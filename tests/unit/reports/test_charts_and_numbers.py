"""SVG charts (shared by web pages and PDF) and report numbers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from portal.reports import charts, report_number, verify_report_number

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>&<b>'
SHORT_HOSTILE = '<i>"&</i>'  # short enough to stay on one radar label line


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML or this raises


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_radar_chart_is_accessible_scalable_and_escapes_labels():
    dims = [
        {"label": name, "value": value}
        for name, value in [("战略与组织", 62.5), (SHORT_HOSTILE, None), ("网络", 30)]
    ]
    svg = charts.radar_chart(dims, [50, 40, None], font_family="PortalSans", title="各维度得分")
    root = parse(svg)
    assert root.get("viewBox") and root.get("width") == "100%"
    assert root.get("font-family") == "PortalSans"
    assert root.find(f"{SVG}title").text == "各维度得分"
    assert "战略与组织: 62" in root.find(f"{SVG}desc").text
    assert SHORT_HOSTILE in texts(root)  # shown literally, not as markup
    assert "<i>" not in svg
    assert len(root.findall(f"{SVG}polygon")) == 5 + 2  # five grid rings, the overlay, the scores


def test_long_radar_labels_wrap_onto_two_lines():
    label = "Cloud, data use and industrial internet platforms"
    svg = charts.radar_chart([{"label": label, "value": 50}] + [{"label": "Short", "value": 10}] * 4)
    lines = texts(parse(svg))
    assert label not in lines and " ".join(lines[-12:]).count("Cloud, data use") == 1
    assert any(line.endswith("platforms") for line in lines)


def test_bar_chart_shows_value_and_reference():
    svg = charts.bar_chart(
        [
            {"label": "设备", "value": 71.2, "reference": 55},
            {"label": HOSTILE, "value": None, "reference": None},
        ],
        reference_name="同组中位数",
    )
    root = parse(svg)
    assert "71" in texts(root) and HOSTILE in texts(root)
    assert "同组中位数 55" in root.find(f"{SVG}desc").text


def test_level_gauge_target_gauge_and_distribution():
    gauge = parse(charts.level_gauge(2, band=3, labels=["1级", "2级", "3级", "4级", "5级"]))
    assert "2级" in texts(gauge) and "(band 3)" in gauge.find(f"{SVG}desc").text
    target = parse(charts.target_gauge(52.3, 60, label=HOSTILE, target_name="规划目标"))
    assert "52.3%" in texts(target) and HOSTILE in texts(target)
    dist = parse(
        charts.distribution_bars([{"label": f"{i}级", "count": i * 3} for i in range(1, 6)], highlight=1)
    )
    assert "15" in texts(dist) and "2级" in texts(dist)


def test_report_number_checks_and_rejects_tampering():
    number = report_number(2025, 123, "secret")
    assert number.startswith("EZ-2025-000123-") and len(number.split("-")[-1]) == 4
    assert verify_report_number(number, "secret") == (2025, 123)
    assert verify_report_number(number.lower(), "secret") == (2025, 123)
    assert verify_report_number(number, "other-secret") is None
    assert verify_report_number(number.replace("000123", "000124"), "secret") is None
    assert verify_report_number("not a number", "secret") is None
