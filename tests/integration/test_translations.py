"""One catalog, complete and compiled; pages speak Chinese by default and English on the switch, without leaks."""

from __future__ import annotations

import io
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import questionnaires
import scoring
from portal.extensions import db
from portal.i18n import TRANSLATIONS_DIR, translator
from portal.models import Assessment
from portal.reports.labels import labels_for
from portal.services import results, targets
from questionnaires.model import Text
from tests.factories import (
    DEFAULT_PASSWORD,
    EnterpriseFactory,
    RoundFactory,
    UserFactory,
    enterprise_user,
    official,
)

from .conftest import login

ROOT = Path(__file__).resolve().parents[2]
PO = TRANSLATIONS_DIR / "zh" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS_DIR / "zh" / "LC_MESSAGES" / "messages.mo"
POT = TRANSLATIONS_DIR / "messages.pot"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
ENTERPRISE_NAME = "鄂州市译文测试精密机械有限公司"
# Chinese that English pages show on purpose: official terms glossed beside their English name.
GLOSSES = ("(规上工业企业)",)


def _key(message) -> tuple[str | None, str]:  # type: ignore[no-untyped-def]
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


@pytest.fixture(scope="module")
def po_catalog():  # type: ignore[no-untyped-def]
    with PO.open("rb") as handle:
        return read_po(handle, locale="zh")


@pytest.fixture(scope="module")
def fresh_extraction(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Run `pybabel extract` exactly as `make translations` does, into a temporary file."""
    target = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "-o",
            str(target),
            str(ROOT),
        ]
    )
    with target.open("rb") as handle:
        return read_po(handle)


def test_compiled_catalog_matches_the_po_file(po_catalog) -> None:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    write_mo(buffer, po_catalog)
    buffer.seek(0)
    expected = {_key(m): m.string for m in read_mo(buffer) if m.id}
    with MO.open("rb") as handle:
        compiled = {_key(m): m.string for m in read_mo(handle) if m.id}
    assert compiled == expected, "run `make translations` (the .mo is older than the .po)"


def test_every_extracted_message_has_a_chinese_translation(po_catalog, fresh_extraction) -> None:  # type: ignore[no-untyped-def]
    translated = {_key(m): m.string for m in po_catalog if m.id}
    extracted = {_key(m) for m in fresh_extraction if m.id}
    assert len(extracted) > 300
    missing = sorted(str(key) for key in extracted if not translated.get(key))
    assert not missing, f"untranslated (run `make translations` and translate): {missing[:20]}"


def test_committed_template_equals_a_fresh_extraction(fresh_extraction) -> None:  # type: ignore[no-untyped-def]
    with POT.open("rb") as handle:
        committed = {_key(m) for m in read_po(handle) if m.id}
    fresh = {_key(m) for m in fresh_extraction if m.id}
    assert committed == fresh, f"messages.pot is stale: {sorted(map(str, committed ^ fresh))[:20]}"


def test_no_fuzzy_or_broken_entries(po_catalog) -> None:  # type: ignore[no-untyped-def]
    fuzzy = [str(_key(m)) for m in po_catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries need a translator: {fuzzy[:20]}"
    problems = [(str(_key(m)), [str(e) for e in errors]) for m, errors in po_catalog.check()]
    assert not problems, problems[:20]


def test_translator_works_without_an_app_and_uses_the_same_catalog() -> None:
    zh, en = translator("zh"), translator("en")
    assert zh("Plausibility warnings") == "合理性提示"
    assert en("Plausibility warnings") == "Plausibility warnings"
    assert zh("Level %(n)s", n=3) == "3级" and en("Level %(n)s", n=3) == "Level 3"
    assert zh.pgettext("report", "Disclaimer") == "免责声明"
    assert labels_for("zh")["report_title"] == "制造业企业数字化水平诊断报告"
    assert labels_for("en")["report_title"] == "Digital Maturity Diagnostic Report"
    assert labels_for("zh")["level_prefix"] == "" and labels_for("zh")["level_suffix"] == "级"
    assert labels_for("en")["priority_names"] == "normal|high|urgent"
    zh_labels, en_labels = labels_for("zh"), labels_for("en")
    assert zh_labels.keys() == en_labels.keys() and len(zh_labels) > 90
    untranslated = [key for key in zh_labels if zh_labels[key] == en_labels[key]]
    assert not untranslated, untranslated


# --- pages in both languages -------------------------------------------------------------------


class _VisibleText(HTMLParser):
    """Text a user reads or hears: element text and labelling attributes, minus scripts, styles,
    decorative (aria-hidden) parts and parts marked as another language (the language switch)."""

    SKIP = {"script", "style"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
    ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")

    def __init__(self, skip_lang: str) -> None:
        super().__init__()
        self.skip_lang = skip_lang
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = (
            tag in self.SKIP
            or values.get("aria-hidden") == "true"
            or (values.get("lang") or "").startswith(self.skip_lang)
            or (bool(self.stack) and self.stack[-1])
        )
        if not hidden:
            self.parts.extend(str(values[name]) for name in self.ATTRIBUTES if values.get(name))
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]) and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str, skip_lang: str) -> str:
    """The page's visible text, one part per line."""
    parser = _VisibleText(skip_lang)
    parser.feed(html)
    return "\n".join(parser.parts)


@pytest.fixture
def pages(app):  # type: ignore[no-untyped-def]
    """An enterprise with a submitted assessment, its user, a city reviewer, an admin and an auditor."""
    with app.app_context():
        round_ = RoundFactory(year=2095)
        enterprise = EnterpriseFactory(name=ENTERPRISE_NAME, district="华容区")
        owner = enterprise_user(enterprise)
        questionnaire_id, version, catalogue_version = results.published_versions()
        questionnaire = questionnaires.load(questionnaire_id, version)
        answers = scoring.random_answers(
            questionnaire, random.Random(7), quality=0.6, context=results.scoring_context(enterprise)
        )
        answers = {
            key: value for key, value in answers.items() if not isinstance(value, str) or value.isascii()
        }
        assessment = Assessment(
            enterprise=enterprise,
            round=round_,
            questionnaire_id=questionnaire_id,
            questionnaire_version=version,
            catalogue_version=catalogue_version,
            status="submitted",
            answers=answers,
        )
        db.session.add(assessment)
        db.session.flush()
        results.score_and_store(assessment)
        results.refresh_current(enterprise.id, round_.id)
        reviewer = official(None, is_reviewer=True, display_name="Reviewer")
        admin = UserFactory(role="admin", display_name="Admin")
        auditor = UserFactory(role="auditor", display_name="Auditor")
        db.session.commit()
        return {
            "anonymous": (None, ["/login", "/register", "/reports/verify?number=EZ-2095-000001-ABCD"]),
            "enterprise": (owner.username, ["/enterprise", "/assessments", f"/assessments/{assessment.id}"]),
            "official": (
                reviewer.username,
                ["/officials/", "/officials/enterprises", f"/officials/enterprises/{enterprise.id}"],
            ),
            "admin": (admin.username, ["/admin/", "/admin/users", "/admin/rounds"]),
            "auditor": (auditor.username, ["/audit/"]),
        }


def _data_texts(questionnaire_id: str) -> set[str]:
    """Chinese that is data, not UI: plan clause headings (the plan exists in Chinese only) and the
    Chinese terms that questionnaire and catalogue authors kept inside their English texts."""
    found = {clause.heading for clause in questionnaires.plan_clauses().values() if clause.heading}
    seen: set[int] = set()

    def walk(value: object) -> None:
        if id(value) in seen or isinstance(value, (int, float, bool, type(None))):
            return
        seen.add(id(value))
        if isinstance(value, Text):
            found.update(re.findall(r"[\u3400-\u9fff·—（）()]+", value.en or ""))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                walk(item)
        elif hasattr(value, "__dict__") or hasattr(value, "__slots__"):
            for name in getattr(value, "__slots__", ()) or vars(value):
                walk(getattr(value, name, None))

    walk(questionnaires.current(questionnaire_id))
    walk(questionnaires.current_catalogue(questionnaire_id))
    return {text for text in found if CJK.search(text)}


def _is_plan_quote(line: str) -> bool:
    """A sentence quoted from the plan (shown as data, the plan being Chinese only)."""
    plan = "\n".join(clause.text for clause in questionnaires.plan_clauses().values())
    pieces = [piece.rstrip("…") for piece in re.split(r"[“”\"「」]+", line) if CJK.search(piece)]
    return any(len(piece) >= 8 for piece in pieces) and all(piece in plan for piece in pieces)


def _get(app, username: str | None, url: str, lang: str) -> str:  # type: ignore[no-untyped-def]
    client = app.test_client()
    if username:
        login(client, username, DEFAULT_PASSWORD)
    client.get(f"/lang/{lang}")
    response = client.get(url)
    assert response.status_code == 200, (url, lang, response.status_code)
    return response.get_data(as_text=True)


def _ui_phrases(po_catalog) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Catalog msgids of two or more words without placeholders: English UI text a zh page must not show."""
    return {
        m.id: m.string
        for m in po_catalog
        if isinstance(m.id, str) and m.id and " " in m.id and "%(" not in m.id and "{" not in m.id
    }


def test_chinese_pages_show_no_untranslated_english(app, pages, po_catalog) -> None:  # type: ignore[no-untyped-def]
    phrases = _ui_phrases(po_catalog)
    checked = 0
    for username, urls in pages.values():
        for url in urls:
            text = visible_text(_get(app, username, url, "zh"), skip_lang="en")
            assert CJK.search(text), url
            leaks = sorted(phrase for phrase in phrases if phrase in text)
            assert not leaks, (url, leaks)
            checked += 1
    assert checked == 13
    officials = visible_text(_get(app, pages["official"][0], "/officials/", "zh"), skip_lang="en")
    for chinese in ("数字化成熟度总览", "规上企业覆盖率", "成熟度等级分布", "规划目标跟踪"):
        assert chinese in officials
    detail = visible_text(_get(app, pages["official"][0], pages["official"][1][2], "zh"), skip_lang="en")
    for chinese in ("合理性提示", "核验通过", "退回企业", "保存核查记录", "已提交(待核验)"):
        assert chinese in detail


def test_english_pages_show_no_chinese_ui_text(app, pages) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        questionnaire_id = results.published_versions()[0]
        plans = {target.plan for target in targets.list_targets() if target.plan}  # document titles
    data = sorted(
        {ENTERPRISE_NAME, "张伟", *GLOSSES, *plans, *_data_texts(questionnaire_id)}, key=len, reverse=True
    )
    for username, urls in pages.values():
        for url in urls:
            text = visible_text(_get(app, username, url, "en"), skip_lang="zh")
            for value in data:
                text = text.replace(value, "")
            leaks = sorted(
                {line for line in text.splitlines() if CJK.search(line) and not _is_plan_quote(line)}
            )
            assert not leaks, (url, leaks)
    officials = visible_text(_get(app, pages["official"][0], "/officials/", "en"), skip_lang="zh")
    for english in ("Digital maturity overview", "Coverage of above-designated-size enterprises"):
        assert english in officials


def test_report_pages_follow_the_report_language(app, pages) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/reports/verify?number=EZ-2095-000001-ABCD&lang=en").get_data(as_text=True)
    assert "This report number is not valid" in page and "无效" not in visible_text(page, "zh")
    page = client.get("/reports/verify?number=EZ-2095-000001-ABCD&lang=zh").get_data(as_text=True)
    assert "该报告编号无效" in page and "Invalid" not in visible_text(page, "en")
