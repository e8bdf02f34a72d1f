"""Build questionnaires/plan_clauses.yaml from the text of the Ezhou digital-economy plan.

Usage: python tools/build_plan_clauses.py [PLAN_TEXT] [--output PATH] [--check]

Clause ids: chapter 一/二/三/四 -> 1/2/3/4; section (一)(二).. -> second number; numbered item
"1." -> third number; "(1)" sub-item -> fourth number (e.g. 3.4.2). Boxes "专栏3-4 ..." are
`box3-4`, the indicator table "表 ..." is `table-1`. Full-width and ASCII parentheses and
separators are both accepted. The index is committed, so the portal never needs the plan text.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PLAN = REPO.parent / "shared" / "reference" / "ezhou-digital-economy-plan-2022-2025.txt"
DEFAULT_OUTPUT = REPO / "questionnaires" / "plan_clauses.yaml"
MAX_TEXT = 2000  # the whole clause body: reviewers check each citation against it

CHINESE_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUMERAL = "[一二三四五六七八九十]+"
CHAPTER_RE = re.compile(rf"^({_NUMERAL})[、,,.．]\s*(.+)$")
SECTION_RE = re.compile(rf"^[((]\s*({_NUMERAL})\s*[))]\s*(.+)$")
ITEM_RE = re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*(.+)$")
SUBITEM_RE = re.compile(r"^[((]\s*(\d{1,2})\s*[))]\s*(.+)$")
BOX_RE = re.compile(r"^专栏\s*(\d+)\s*[-－—–]\s*(\d+)\s*(.*)$")
TABLE_RE = re.compile(r"^表\s*(.+)$")
# Web-page furniture of the government site the text was copied from.
BOILERPLATE_RE = re.compile(r"^(扫一扫|【?打印|【?关闭|分享到|信息来源)")
FIGURE_RE = re.compile(r"^图\s*\d+\s*[-－—–]\s*\d+")
SENTENCE_END_RE = re.compile(r"(?<=[。!?;!?;])")
TARGET_RE = re.compile(r"^[≥≤><]?\s*\d+(\.\d+)?$")
UNIT_RE = re.compile(r"^(%|亿元|万元|个|家|万人|G|Gbps)$")


def chinese_number(numeral: str) -> int:
    """Convert a Chinese numeral 一..九十九 to an int."""
    if numeral in CHINESE_NUMERALS:
        return CHINESE_NUMERALS[numeral]
    if numeral.startswith("十"):
        return 10 + CHINESE_NUMERALS[numeral[1:]]
    tens, _, units = numeral.partition("十")
    return CHINESE_NUMERALS[tens] * 10 + (CHINESE_NUMERALS[units] if units else 0)


@dataclass
class _Clause:
    id: str
    heading: str
    body: list[str] = field(default_factory=list)
    kind: str = "text"


def trim_text(text: str, limit: int = MAX_TEXT) -> str:
    """Trim `text` to at most `limit` characters, ending at a sentence end where possible."""
    text = text.strip()
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in SENTENCE_END_RE.split(text):
        if len(kept) + len(sentence) > limit:
            break
        kept += sentence
    if kept:
        return kept
    return text[: limit - 1] + "…"


def _split_heading(text: str) -> tuple[str, str]:
    """Split an item line into its heading (first sentence) and the body after it."""
    heading, sep, rest = text.partition("。")
    if not sep:
        return text.strip(), ""
    return heading.strip(), rest.strip()


def _table_text(cells: list[str]) -> str:
    """Render the indicator table's cells as "name target unit; ..." rows."""
    rows: list[str] = []
    pending: list[str] = []
    for cell in cells:
        if cell in ("类别", "单位", "目标"):
            continue
        if TARGET_RE.match(cell):
            unit = pending.pop() if pending and UNIT_RE.match(pending[-1]) else ""
            name = pending[-1] if pending else ""
            rows.append(f"{name} {cell}{unit}".strip())
            pending = []
        else:
            pending.append(cell)
    return ";".join(rows)


def parse_plan(text: str) -> list[dict[str, str]]:
    """Parse the plan text into clause dicts {id, heading, text} in document order."""
    clauses: list[_Clause] = []
    seen: set[str] = set()
    chapter = section = item = None
    current: _Clause | None = None
    mode = "text"  # "text", "box" or "table"
    tables = 0

    def open_clause(clause_id: str, heading: str, kind: str = "text") -> _Clause:
        if clause_id in seen:
            raise ValueError(f"duplicate clause id {clause_id} ({heading})")
        seen.add(clause_id)
        clause = _Clause(clause_id, heading.strip(), kind=kind)
        clauses.append(clause)
        return clause

    for raw in text.splitlines():
        line = raw.replace("\u3000", " ").replace("\xa0", " ").strip()
        if not line:
            continue
        if match := CHAPTER_RE.match(line):
            chapter, section, item = chinese_number(match[1]), None, None
            current, mode = open_clause(str(chapter), match[2]), "text"
            continue
        if chapter is None:
            continue  # the notice and preamble before chapter 一
        if match := SECTION_RE.match(line):
            section, item = chinese_number(match[1]), None
            current, mode = open_clause(f"{chapter}.{section}", match[2]), "text"
            continue
        if match := BOX_RE.match(line):
            heading = f"专栏{match[1]}-{match[2]} {match[3]}".strip()
            current, mode = open_clause(f"box{match[1]}-{match[2]}", heading, "box"), "box"
            continue
        if match := TABLE_RE.match(line):
            tables += 1
            current, mode = open_clause(f"table-{tables}", match[1], "table"), "table"
            continue
        if FIGURE_RE.match(line) or BOILERPLATE_RE.match(line):
            continue
        if mode == "text" and (match := ITEM_RE.match(line)):
            if section is None:
                raise ValueError(f"numbered item outside a section: {line[:40]}")
            item = int(match[1])
            heading, body = _split_heading(match[2])
            current = open_clause(f"{chapter}.{section}.{item}", heading)
            if body:
                current.body.append(body)
            continue
        if mode == "text" and (match := SUBITEM_RE.match(line)):
            if item is None:
                raise ValueError(f"sub-item outside a numbered item: {line[:40]}")
            heading, body = _split_heading(match[2])
            current = open_clause(f"{chapter}.{section}.{item}.{int(match[1])}", heading)
            if body:
                current.body.append(body)
            continue
        if current is not None:
            current.body.append(line)

    result = []
    for clause in clauses:
        if clause.kind == "table":
            body = _table_text(clause.body)
        elif clause.kind == "box":
            body = "".join(part if part.endswith(("。", ";", ":")) else part + "。" for part in clause.body)
        else:
            body = "".join(clause.body)
        result.append({"id": clause.id, "heading": clause.heading, "text": trim_text(body)})
    return result


HEADER = (
    "# Clause index of 鄂州市数字经济发展“十四五”规划 (鄂州政发〔2023〕6号).\n"
    "# Generated by tools/build_plan_clauses.py; do not edit by hand.\n"
    "# id: chapter.section.item.subitem (3.4.2), box3-4 (专栏), table-1 (主要指标表).\n"
)


def render(clauses: list[dict[str, str]]) -> str:
    """Render the clause list as the committed YAML text."""
    return HEADER + yaml.safe_dump(clauses, allow_unicode=True, sort_keys=False, width=1000)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", nargs="?", type=Path, default=DEFAULT_PLAN)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail when the committed index is out of date")
    args = parser.parse_args(argv)
    rendered = render(parse_plan(args.plan.read_text(encoding="utf-8")))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != rendered:
            print(f"{args.output} is out of date; run tools/build_plan_clauses.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(rendered, encoding="utf-8")
    print(f"wrote {len(rendered.splitlines())} lines to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
