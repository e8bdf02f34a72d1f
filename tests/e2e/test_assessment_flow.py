"""End to end in headless Chromium: register -> approve -> fill -> reload -> submit -> results, screenshots, axe.

Needs Debian's /usr/bin/chromium and the `playwright` Python package (driven through executable_path;
`playwright install` is never used). Without them the tests fail when CI=true and skip loudly otherwise.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "E2e-Passw0rd!"
SCREENSHOT_DIR = Path(os.environ.get("E2E_SCREENSHOT_DIR", "/tmp"))


def _require_browser() -> None:
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"Chromium not found at {CHROMIUM}"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright Python package is not installed (pip install -r requirements.txt)"
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"E2E TESTS CANNOT RUN: {problem}")
    message = f"E2E TESTS SKIPPED: {problem}"
    print(f"\n{'!' * 70}\n{message}\n{'!' * 70}", file=sys.stderr)
    pytest.skip(message)


@pytest.fixture(scope="module")
def live_server() -> Iterator[dict[str, Any]]:
    """The app on a free 127.0.0.1 port (thread) with a temporary migrated SQLite database."""
    _require_browser()
    import flask_migrate
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.extensions import db
    from portal.models import Round
    from portal.services import accounts

    folder = Path(tempfile.mkdtemp(prefix="e2e-"))
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.db'}", "WTF_CSRF_ENABLED": True},
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        db.session.add(
            Round(
                year=2033, name="2033", opens_on=date(2033, 1, 1), closes_on=date(2033, 12, 31), status="open"
            )
        )
        accounts.create_user("official_hr", PASSWORD, "official", scope="district", district="华容区")
        accounts.create_user("e2e_admin", PASSWORD, "admin")
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(live_server: dict[str, Any]) -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield instance
        instance.close()


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def _logout(page: Any) -> None:
    page.click("header form button")
    page.wait_for_load_state()


def _wait_saved(page: Any) -> None:
    page.wait_for_function(
        "() => { const s = document.getElementById('save-status'); return s && s.className.includes('save-saved'); }",
        timeout=10_000,
    )


def _answer_visible_questions(page: Any) -> None:
    """Answer every visible, unanswered question of the section shown (repeats for questions revealed)."""
    for _ in range(4):
        changed = False
        for block in page.query_selector_all(".question[data-question]:not([hidden])"):
            question_type = block.get_attribute("data-type")
            if question_type in ("single", "scene", "boolean"):
                if block.query_selector("input[type=radio]:checked"):
                    continue
                radios = block.query_selector_all("input[type=radio]:not([value=na])")
                radios[len(radios) // 2].check()
            elif question_type == "multi":
                if block.query_selector("input[type=checkbox]:checked"):
                    continue
                boxes = block.query_selector_all("input[type=checkbox]:not([data-exclusive])")
                (boxes[0] if boxes else block.query_selector("input[type=checkbox]")).check()
            elif question_type in ("number", "percent"):
                field = block.query_selector("input[type=text]")
                if field.input_value():
                    continue
                field.fill("50" if question_type == "percent" else "20")
            else:
                field = block.query_selector("textarea")
                if field.input_value():
                    continue
                field.fill("暂无")
            changed = True
        if not changed:
            return


@pytest.fixture(scope="module")
def scenario(live_server: dict[str, Any], browser: Any) -> Iterator[dict[str, Any]]:
    """Runs the whole user journey once; the tests below check its outcome."""
    from portal.services.demo import demo_uscc

    base = live_server["url"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    outcome: dict[str, Any] = {"base": base, "context": context, "page": page}

    page.goto(f"{base}/register")
    page.fill("#uscc", demo_uscc(777001, "420703"))
    page.fill("#name", "鄂州市端到端测试机械有限公司")
    page.select_option("#district", "华容区")
    page.select_option("#industry_division", "34")
    page.fill("#employees", "150")
    page.select_option("#revenue_band", index=3)
    page.fill("#contact_name", "李明")
    page.fill("#contact_phone", "13900000000")
    page.fill("#username", "e2e_maker")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("form button[type=submit].primary")
    page.wait_for_load_state()
    _logout(page)

    _login(page, base, "official_hr")
    page.goto(f"{base}/approvals")
    page.click("a[href*='/approvals/']")
    page.click("input[name=approve], button[name=approve]")
    page.wait_for_load_state()
    _logout(page)

    _login(page, base, "e2e_maker")
    page.goto(f"{base}/enterprise")
    page.click("#self-assessment button[type=submit]")
    page.wait_for_url("**/assessments/*")
    assessment_url = page.url.split("?")[0]
    outcome["assessment_url"] = assessment_url

    # Two sections through autosave (JavaScript), then a reload shows the answers kept.
    page.goto(f"{assessment_url}?section=equipment")
    page.fill("#equipment_total", "200")
    _wait_saved(page)
    page.fill("#equipment_digital", "120")
    _wait_saved(page)
    page.goto(f"{assessment_url}?section=network")
    _answer_visible_questions(page)
    _wait_saved(page)
    page.reload()
    outcome["network_answered_after_reload"] = page.locator(".question input:checked").count()
    page.goto(f"{assessment_url}?section=equipment")
    outcome["equipment_total_after_reload"] = page.input_value("#equipment_total")
    page.set_viewport_size({"width": 390, "height": 844})
    outcome["section_scroll_width_390"] = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(SCREENSHOT_DIR / "e2e-section-390.png"), full_page=False)
    outcome["axe_section"] = _axe(browser, context, page.url, {"width": 390, "height": 844})
    page.set_viewport_size({"width": 1280, "height": 900})

    # The rest: every visible question of every section, saved with the section buttons.
    page.goto(f"{assessment_url}?section=strategy")
    for _ in range(12):
        if "/review" in page.url:
            break
        _answer_visible_questions(page)
        page.click("button[name=next_section].primary")
        page.wait_for_load_state()
    assert "/review" in page.url, page.url
    outcome["missing_items"] = page.locator("#missing-list li").count()
    page.check("#pledge")
    page.check("#data_use")
    page.click("#submit-button")
    page.wait_for_load_state()
    outcome["results_url"] = page.url
    yield outcome
    context.close()


def _axe(
    browser: Any, context: Any, url: str, viewport: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """Serious/critical axe-core violations of `url`, seen with the session of `context`.

    axe is injected as an inline script, which the portal's CSP blocks (rightly), so the check runs in
    its own browser context with bypass_csp=True; the CSP itself is tested in test_security_headers.py.
    """
    checker = browser.new_context(
        bypass_csp=True,
        storage_state=context.storage_state(),
        viewport=viewport or {"width": 1280, "height": 900},
        locale="zh-CN",
    )
    try:
        page = checker.new_page()
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        return page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ['violations']});
                return result.violations
                  .filter(v => v.impact === 'serious' || v.impact === 'critical')
                  .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
            }"""
        )
    finally:
        checker.close()


def test_answers_survive_a_reload(scenario: dict[str, Any]) -> None:
    assert scenario["equipment_total_after_reload"] == "200"
    assert scenario["network_answered_after_reload"] >= 3


def test_submission_shows_level_and_radar(scenario: dict[str, Any]) -> None:
    page = scenario["page"]
    assert scenario["missing_items"] == 0
    assert page.locator("#result-level").is_visible()
    assert page.locator("#result-level").inner_text().strip()
    assert page.locator("#radar-chart svg.chart-radar").count() == 1
    assert page.locator("#bar-chart svg").count() == 1


def test_results_page_fits_a_phone_and_is_screenshotted(scenario: dict[str, Any]) -> None:
    page = scenario["page"]
    page.goto(scenario["results_url"])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOT_DIR / "e2e-results-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOT_DIR / "e2e-results-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert scenario["section_scroll_width_390"] <= 390
    page.set_viewport_size({"width": 1280, "height": 900})


def test_no_serious_accessibility_violations(scenario: dict[str, Any], browser: Any) -> None:
    assert _axe(browser, scenario["context"], scenario["results_url"]) == []
    assert scenario["axe_section"] == []


@pytest.mark.parametrize(("username", "start"), [("e2e_admin", "/admin/"), ("official_hr", "/officials/")])
def test_header_fits_a_phone_for_staff(
    scenario: dict[str, Any], browser: Any, username: str, start: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        _login(page, scenario["base"], username)
        assert page.url.endswith(start)
        page.screenshot(path=str(SCREENSHOT_DIR / f"e2e-header-{username}-1280.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SCREENSHOT_DIR / f"e2e-header-{username}-390.png"))
        assert page.evaluate("document.querySelector('header').scrollWidth") <= 390
        links = page.locator("header nav a")
        for index in range(links.count()):
            box = links.nth(index).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, index
    finally:
        context.close()


def test_header_of_the_enterprise_user_fits_a_phone(scenario: dict[str, Any]) -> None:
    page = scenario["page"]
    page.goto(scenario["base"] + "/enterprise")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOT_DIR / "e2e-header-enterprise-390.png"))
    assert page.evaluate("document.querySelector('header').scrollWidth") <= 390
    assert page.locator("header nav a[href='/enterprise/colleagues']").is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})


def test_pdf_link_answers(scenario: dict[str, Any], live_server: dict[str, Any]) -> None:
    page = scenario["page"]
    page.goto(scenario["results_url"])
    href = page.get_attribute("#pdf-link", "href")
    assert href and href.endswith("/report.pdf")
    response = page.request.get(scenario["base"] + href)
    assert response.status == 200
    assert response.body()[:5] == b"%PDF-"
