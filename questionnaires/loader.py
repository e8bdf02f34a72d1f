"""Load questionnaire and catalogue YAML files into the frozen dataclasses of model.py, validating them.

Loading never half-succeeds: every problem found is collected as an Issue(file, line, message)
and one DefinitionError carries them all. Results are cached on (path, mtime).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import conditions
from ._yaml import MarkedDict, plain, read_yaml
from .clauses import clause_ids
from .errors import DefinitionError, Issue, QuestionnaireNotFound
from .model import (
    BOOLEAN,
    CONTEXT_KEYS,
    MULTI,
    NA,
    NUMBER,
    PERCENT,
    QUESTION_TYPES,
    SCENE,
    SINGLE,
    SIZE_CLASSES,
    TEXT,
    Band,
    Catalogue,
    Dimension,
    Gate,
    Indicator,
    MaturityLevel,
    Measure,
    Option,
    PlanFlag,
    PlausibilityRule,
    Question,
    Questionnaire,
    Section,
    Source,
    Text,
)

ROOT = Path(__file__).resolve().parent
RECOMMENDATIONS = "recommendations"
DEFAULT_TEXT_MAX_LENGTH = 1000
PERCENT_RANGE = (0.0, 100.0)

QUESTION_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_VALUE_RE = re.compile(r"^[a-z0-9_]+$")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

# The MIIT 2024 scene ladder (L0-L4), the default options of a `scene` question.
SCENE_LADDER: tuple[Option, ...] = tuple(
    Option(value=value, label=Text(zh, en), level=level, fraction=level / 4)
    for level, (value, zh, en) in enumerate(
        (
            ("none", "无", "None"),
            ("tools", "IT工具(如表格)", "IT tools (e.g. spreadsheets)"),
            ("system", "信息系统规范管理", "Managed in an information system"),
            ("integrated", "跨系统集成共享", "Integrated and shared across systems"),
            ("model", "模型驱动优化", "Model-driven optimisation"),
        )
    )
)

# Which operands each place may read (FORMAT.md "Conditions").
ALL_OPERANDS = frozenset(conditions.OPERAND_KEYS)
PLACE_OPERANDS: dict[str, frozenset[str]] = {
    "show_if": frozenset({"answer", "context"}),
    "indicator": frozenset({"answer", "context", "na_count"}),
    "plausibility": frozenset({"answer", "context", "na_count", "indicator"}),
    "flag": frozenset({"answer", "context", "na_count", "dimension", "overall", "indicator"}),
    "gate": ALL_OPERANDS,
    "measure": ALL_OPERANDS,
}
NUMERIC_OPERATORS = frozenset({"gt", "gte", "lt", "lte"})
CHOICE_TYPES = frozenset({SINGLE, SCENE})
OPTION_TYPES = frozenset({SINGLE, MULTI, SCENE})
NUMERIC_TYPES = frozenset({NUMBER, PERCENT})

QUESTION_KEYS_BY_TYPE: dict[str, frozenset[str]] = {
    SINGLE: frozenset({"options"}),
    MULTI: frozenset({"options", "cap"}),
    SCENE: frozenset({"options"}),
    NUMBER: frozenset({"min", "max", "unit", "bands"}),
    PERCENT: frozenset({"min", "max", "unit", "bands"}),
    BOOLEAN: frozenset({"true_fraction"}),
    TEXT: frozenset({"max_length"}),
}
QUESTION_COMMON_KEYS = frozenset(
    {"id", "type", "dimension", "points", "required", "allows_na", "title", "help", "definition"}
    | {"show_if", "source", "previous_id"}
)
TYPE_SPECIFIC_KEYS = frozenset().union(*QUESTION_KEYS_BY_TYPE.values())


def version_key(version: str) -> tuple:
    """Sort key for version strings: numeric parts numerically ("2025.10" > "2025.9")."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[.\-_]", version)
    )


@dataclass
class _PendingCondition:
    """A condition whose references are checked once every id of the file is known."""

    node: Any
    line: int
    where: str
    place: str
    position: int | None = None  # show_if: index of the question in walking order


class _Reader:
    """Reads one YAML tree into dataclasses, collecting issues instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[Issue] = []
        self.pending: list[_PendingCondition] = []

    # -- primitive checks -------------------------------------------------------------------------
    def issue(self, line: int | None, message: str) -> None:
        self.issues.append(Issue(self.file, line, message))

    @staticmethod
    def line(node: Any, key: str | None = None, default: int | None = None) -> int | None:
        if isinstance(node, MarkedDict):
            return node.line_of(key) if key is not None else node.line
        return getattr(node, "line", default)

    def mapping(
        self, node: Any, where: str, line: int | None, required: Iterable[str], optional: Iterable[str]
    ) -> bool:
        """Check that `node` is a mapping with the required keys and no unknown key."""
        if not isinstance(node, MarkedDict):
            self.issue(self.line(node, default=line), f"{where} must be a mapping")
            return False
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in node:
            if key not in allowed:
                self.issue(node.line_of(key), f"{where}: unknown key '{key}'")
        for key in required:
            if key not in node:
                self.issue(node.line, f"{where}: missing key '{key}'")
        return True

    def text(self, node: MarkedDict, key: str, where: str, required: bool = True) -> Text | None:
        value = node.get(key)
        if value is None:
            if required and key in node:
                self.issue(node.line_of(key), f"{where}: '{key}' must be a text with zh and en")
            return None
        return self.text_value(value, node.line_of(key), f"{where}: '{key}'")

    def text_value(self, value: Any, line: int, label: str) -> Text | None:
        if not isinstance(value, MarkedDict):
            self.issue(line, f"{label} must be a mapping {{zh: ..., en: ...}}")
            return None
        for extra in value:
            if extra not in ("zh", "en"):
                self.issue(value.line_of(extra), f"{label} has unknown key '{extra}' (only zh and en)")
        parts = {}
        for lang in ("zh", "en"):
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.issue(value.line_of(lang), f"{label} needs a non-empty '{lang}' text")
                text = ""
            parts[lang] = text.strip()
        return Text(parts["zh"], parts["en"])

    def string(self, node: MarkedDict, key: str, where: str, pattern: re.Pattern | None = None) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.issue(
                node.line_of(key), f"{where}: '{key}' must be a non-empty string (quote it), got {value!r}"
            )
            return None
        if pattern is not None and not pattern.match(value):
            self.issue(node.line_of(key), f"{where}: '{key}' {value!r} does not match {pattern.pattern}")
        return value

    def number(
        self,
        node: MarkedDict,
        key: str,
        where: str,
        default: float | None = None,
        minimum: float | None = None,
        maximum: float | None = None,
        positive: bool = False,
    ) -> float | None:
        value = node.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.issue(node.line_of(key), f"{where}: '{key}' must be a number, got {value!r}")
            return default
        if positive and value <= 0:
            self.issue(node.line_of(key), f"{where}: '{key}' must be greater than 0, got {value}")
        if minimum is not None and value < minimum:
            self.issue(node.line_of(key), f"{where}: '{key}' must be at least {minimum:g}, got {value}")
        if maximum is not None and value > maximum:
            self.issue(node.line_of(key), f"{where}: '{key}' must be at most {maximum:g}, got {value}")
        return value

    def integer(self, node: MarkedDict, key: str, where: str, minimum: int, maximum: int) -> int | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.issue(node.line_of(key), f"{where}: '{key}' must be a whole number, got {value!r}")
            return None
        if not minimum <= value <= maximum:
            self.issue(
                node.line_of(key), f"{where}: '{key}' must be between {minimum} and {maximum}, got {value}"
            )
        return value

    def boolean(self, node: MarkedDict, key: str, where: str, default: bool) -> bool:
        value = node.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.issue(node.line_of(key), f"{where}: '{key}' must be true or false, got {value!r}")
            return default
        return value

    def sequence(self, node: MarkedDict, key: str, where: str, required: bool = False) -> list:
        value = node.get(key)
        if value is None:
            if required and key in node:
                self.issue(node.line_of(key), f"{where}: '{key}' must be a non-empty list")
            return []
        if not isinstance(value, list):
            self.issue(node.line_of(key), f"{where}: '{key}' must be a list")
            return []
        if required and not value:
            self.issue(node.line_of(key), f"{where}: '{key}' must be a non-empty list")
        return value

    def strings(self, node: MarkedDict, key: str, where: str) -> tuple[str, ...]:
        result = []
        for item in self.sequence(node, key, where):
            if not isinstance(item, str) or not item.strip():
                self.issue(
                    node.line_of(key), f"{where}: '{key}' must list strings (quote numbers), got {item!r}"
                )
            else:
                result.append(item)
        return tuple(result)

    def unique(self, items: Iterable[tuple[str | None, int | None]], kind: str) -> None:
        seen: dict[str, int | None] = {}
        for item_id, line in items:
            if item_id is None:
                continue
            if item_id in seen:
                self.issue(line, f"duplicate {kind} id '{item_id}' (first on line {seen[item_id]})")
            else:
                seen[item_id] = line

    def citations(self, node: MarkedDict, key: str, where: str, known: frozenset[str]) -> tuple[str, ...]:
        cited = self.strings(node, key, where)
        for clause in cited:
            if clause not in known:
                self.issue(
                    node.line_of(key), f"{where}: plan clause '{clause}' does not exist in plan_clauses.yaml"
                )
        return cited

    def source(self, node: MarkedDict, where: str, known: frozenset[str]) -> Source:
        value = node.get("source")
        if value is None:
            return Source()
        if not self.mapping(value, f"{where} source", node.line_of("source"), (), ("plan", "standards")):
            return Source()
        return Source(
            self.citations(value, "plan", f"{where} source", known), self.strings(value, "standards", where)
        )

    def condition(
        self, node: MarkedDict, key: str, where: str, place: str, position: int | None = None
    ) -> Any:
        value = node.get(key)
        if value is None:
            return None
        self.pending.append(_PendingCondition(value, node.line_of(key), f"{where} {key}", place, position))
        return plain(value)


class _QuestionnaireReader(_Reader):
    """Reads and validates one questionnaire file."""

    def read(self, data: Any) -> Questionnaire | None:
        known_clauses = clause_ids()
        top = "questionnaire"
        required = ("id", "version", "title", "intro", "dimensions", "levels", "sections")
        optional = (
            "previous_version",
            "industry_paths",
            "default_industry_path",
            "indicators",
            "flags",
            "plausibility",
        )
        if not self.mapping(data, top, 1, required, optional):
            return None
        qid = self.string(data, "id", top, ID_RE)
        version = self.string(data, "version", top)
        previous_version = self.string(data, "previous_version", top)
        title = self.text(data, "title", top)
        intro = self.text(data, "intro", top)
        industry_paths = self.read_industry_paths(data)
        default_path = self.string(data, "default_industry_path", top)

        dimensions = [self.read_dimension(item) for item in self.sequence(data, "dimensions", top, True)]
        dimensions = [d for d in dimensions if d is not None]
        self.unique(((d.id, line) for d, line in dimensions), "dimension")
        dimension_ids = {d.id for d, _ in dimensions}

        levels = self.read_levels(data)

        sections: list[Section] = []
        questions: list[tuple[Question, int]] = []
        section_lines: list[tuple[str, int]] = []
        for item in self.sequence(data, "sections", top, True):
            read = self.read_section(item, len(questions), dimension_ids, known_clauses)
            if read is not None:
                section, section_questions, line = read
                sections.append(section)
                section_lines.append((section.id, line))
                questions.extend(section_questions)
        self.unique(section_lines, "section")
        self.unique(((q.id, q.line) for q, _ in questions), "question")

        indicators = [
            self.read_indicator(item, known_clauses) for item in self.sequence(data, "indicators", top)
        ]
        indicators = [i for i in indicators if i is not None]
        self.unique(((i.id, line) for i, line in indicators), "indicator")
        flags = [self.read_flag(item, known_clauses) for item in self.sequence(data, "flags", top)]
        flags = [f for f in flags if f is not None]
        self.unique(((f.id, line) for f, line in flags), "flag")
        by_id = {q.id: q for q, _ in questions}
        rules = [self.read_rule(item, by_id) for item in self.sequence(data, "plausibility", top)]
        rules = [r for r in rules if r is not None]
        self.unique(((r.id, line) for r, line in rules), "plausibility rule")

        indicator_ids = {i.id for i, _ in indicators}
        scope = _Scope(
            questions=by_id,
            order={q.id: index for index, (q, _) in enumerate(questions)},
            dimensions=dimension_ids,
            indicators=indicator_ids,
            flags={f.id for f, _ in flags},
            industry_paths=set(industry_paths) | ({default_path} if default_path else set()),
        )
        self.check_references(indicators, flags, scope)
        for dimension, line in dimensions:
            if not any(q.scored and q.dimension == dimension.id for q, _ in questions):
                self.issue(line, f"dimension '{dimension.id}' has no scored question")
        _check_conditions(self, self.pending, scope)

        if self.issues or qid is None or version is None or title is None or intro is None:
            if not self.issues:
                self.issue(1, "questionnaire: incomplete definition")
            return None
        return Questionnaire(
            id=qid,
            version=version,
            title=title,
            intro=intro,
            dimensions=tuple(d for d, _ in dimensions),
            sections=tuple(sections),
            questions=tuple(q for q, _ in questions),
            levels=tuple(levels),
            indicators=tuple(i for i, _ in indicators),
            flags=tuple(f for f, _ in flags),
            plausibility=tuple(r for r, _ in rules),
            industry_paths=industry_paths,
            default_industry_path=default_path,
            previous_version=previous_version,
            source_file=self.file,
        )

    def read_industry_paths(self, data: MarkedDict) -> dict[str, tuple[str, ...]]:
        value = data.get("industry_paths")
        if value is None:
            return {}
        if not isinstance(value, MarkedDict):
            self.issue(data.line_of("industry_paths"), "questionnaire: 'industry_paths' must be a mapping")
            return {}
        return {str(path): self.strings(value, path, f"industry path '{path}'") for path in value}

    def read_dimension(self, node: Any) -> tuple[Dimension, int] | None:
        where = f"dimension '{node.get('id')}'" if isinstance(node, dict) else "dimension"
        if not self.mapping(
            node, where, None, ("id", "name", "weight"), ("description", "level_descriptions")
        ):
            return None
        dimension_id = self.string(node, "id", where, QUESTION_ID_RE)
        name = self.text(node, "name", where)
        weight = self.number(node, "weight", where, positive=True)
        descriptions = []
        raw = self.sequence(node, "level_descriptions", where)
        for item in raw:
            text = self.text_value(item, node.line_of("level_descriptions"), f"{where}: a level description")
            if text is not None:
                descriptions.append(text)
        if len(raw) not in (0, 5):
            self.issue(
                node.line_of("level_descriptions"),
                f"{where}: level_descriptions must be empty or list 5 texts",
            )
        if dimension_id is None or name is None or weight is None:
            return None
        dimension = Dimension(
            dimension_id, name, weight, self.text(node, "description", where, False), tuple(descriptions)
        )
        return dimension, node.line

    def read_levels(self, data: MarkedDict) -> list[MaturityLevel]:
        levels: list[MaturityLevel] = []
        gates: list[tuple[str, int]] = []
        raw = self.sequence(data, "levels", "questionnaire", True)
        for node in raw:
            where = f"level {node.get('level')}" if isinstance(node, dict) else "level"
            if not self.mapping(node, where, None, ("level", "name", "description", "min_score"), ("gates",)):
                continue
            number = self.integer(node, "level", where, 1, 5)
            name = self.text(node, "name", where)
            description = self.text(node, "description", where)
            min_score = self.number(node, "min_score", where, minimum=0, maximum=100)
            level_gates = []
            for gate in self.sequence(node, "gates", where):
                gate_where = (
                    f"gate '{gate.get('id')}' of {where}" if isinstance(gate, dict) else f"gate of {where}"
                )
                if not self.mapping(
                    gate, gate_where, node.line_of("gates"), ("id", "label", "condition"), ()
                ):
                    continue
                gate_id = self.string(gate, "id", gate_where, ID_RE)
                label = self.text(gate, "label", gate_where)
                condition = self.condition(gate, "condition", gate_where, "gate")
                gates.append((gate_id, gate.line))
                if gate_id and label and condition is not None:
                    level_gates.append(Gate(gate_id, label, condition))
            if number == 1 and node.get("gates"):
                self.issue(node.line_of("gates"), "level 1: level 1 cannot have gates")
            if number is not None and name and description and min_score is not None:
                levels.append(MaturityLevel(number, name, description, min_score, tuple(level_gates)))
        self.unique(gates, "gate")
        if len(levels) == len(raw) and raw:
            if [level.level for level in levels] != [1, 2, 3, 4, 5]:
                self.issue(data.line_of("levels"), "levels must be 1, 2, 3, 4, 5 in this order")
            elif levels[0].min_score != 0:
                self.issue(raw[0].line_of("min_score"), "level 1: min_score must be 0")
            for index in range(1, len(levels)):
                previous, level = levels[index - 1], levels[index]
                if level.min_score <= previous.min_score:
                    self.issue(
                        raw[index].line_of("min_score"),
                        f"level {level.level}: min_score {level.min_score:g} must be above level "
                        f"{previous.level}'s {previous.min_score:g}",
                    )
        return levels

    def read_section(
        self, node: Any, offset: int, dimension_ids: set[str], clauses: frozenset[str]
    ) -> tuple[Section, list[tuple[Question, int]], int] | None:
        where = f"section '{node.get('id')}'" if isinstance(node, dict) else "section"
        if not self.mapping(node, where, None, ("id", "title", "questions"), ("intro",)):
            return None
        section_id = self.string(node, "id", where, QUESTION_ID_RE)
        title = self.text(node, "title", where)
        intro = self.text(node, "intro", where, False)
        questions = []
        for item in self.sequence(node, "questions", where, True):
            question = self.read_question(
                item, section_id or "", offset + len(questions), dimension_ids, clauses
            )
            if question is not None:
                questions.append((question, question.line))
        if section_id is None or title is None:
            return None
        return Section(section_id, title, tuple(q.id for q, _ in questions), intro), questions, node.line

    def read_question(
        self, node: Any, section_id: str, position: int, dimension_ids: set[str], clauses: frozenset[str]
    ) -> Question | None:
        where = f"question '{node.get('id')}'" if isinstance(node, dict) else "question"
        if not self.mapping(
            node, where, None, ("id", "type", "title"), QUESTION_COMMON_KEYS | TYPE_SPECIFIC_KEYS
        ):
            return None
        question_id = self.string(node, "id", where, QUESTION_ID_RE)
        qtype = node.get("type")
        if qtype not in QUESTION_TYPES:
            if "type" in node:
                self.issue(node.line_of("type"), f"{where}: type must be one of {', '.join(QUESTION_TYPES)}")
            return None
        for key in node:
            if key in TYPE_SPECIFIC_KEYS and key not in QUESTION_KEYS_BY_TYPE[qtype]:
                self.issue(node.line_of(key), f"{where}: key '{key}' is not allowed for a {qtype} question")
        title = self.text(node, "title", where)
        dimension = self.string(node, "dimension", where)
        if dimension is not None and dimension not in dimension_ids:
            self.issue(node.line_of("dimension"), f"{where}: dimension '{dimension}' does not exist")
        points = self.number(node, "points", where, default=0.0, minimum=0)
        if points and dimension is None:
            self.issue(node.line_of("points"), f"{where}: a question with points needs a dimension")
        if points and qtype == TEXT:
            self.issue(node.line_of("points"), f"{where}: text questions are never scored; remove 'points'")
        allows_na = self.boolean(node, "allows_na", where, False)

        options: tuple[Option, ...] = ()
        if qtype in OPTION_TYPES:
            options = self.read_options(node, where, qtype)
        bands = self.read_bands(node, where) if qtype in NUMERIC_TYPES else ()
        if points and qtype in NUMERIC_TYPES and not bands:
            self.issue(node.line_of("points"), f"{where}: a scored {qtype} question needs bands")
        minimum = self.number(node, "min", where)
        maximum = self.number(node, "max", where)
        if qtype == PERCENT:
            minimum = PERCENT_RANGE[0] if minimum is None else minimum
            maximum = PERCENT_RANGE[1] if maximum is None else maximum
        if minimum is not None and maximum is not None and minimum > maximum:
            self.issue(node.line_of("max"), f"{where}: max {maximum:g} is below min {minimum:g}")
        max_length = None
        if qtype == TEXT:
            max_length = self.integer(node, "max_length", where, 1, 100_000) or DEFAULT_TEXT_MAX_LENGTH
        show_if = self.condition(node, "show_if", where, "show_if", position)
        if title is None or question_id is None:
            return None
        return Question(
            id=question_id,
            section=section_id,
            type=qtype,
            title=title,
            dimension=dimension,
            help=self.text(node, "help", where, False),
            definition=self.text(node, "definition", where, False),
            required=self.boolean(node, "required", where, True),
            allows_na=allows_na,
            points=points or 0.0,
            options=options,
            bands=bands,
            cap=self.number(node, "cap", where, default=1.0, minimum=0, positive=True),
            true_fraction=self.number(node, "true_fraction", where, default=1.0, minimum=0, maximum=1),
            min=minimum,
            max=maximum,
            unit=self.text(node, "unit", where, False),
            max_length=max_length,
            show_if=show_if,
            source=self.source(node, where, clauses),
            previous_id=self.string(node, "previous_id", where),
            line=node.line,
        )

    def read_options(self, node: MarkedDict, where: str, qtype: str) -> tuple[Option, ...]:
        if "options" not in node:
            if qtype == SCENE:
                return SCENE_LADDER
            self.issue(node.line, f"{where}: a {qtype} question needs options")
            return ()
        raw = self.sequence(node, "options", where, True)
        if len(raw) == 1:
            self.issue(node.line_of("options"), f"{where}: a {qtype} question needs at least two options")
        options = []
        lines = []
        for item in raw:
            option_where = (
                f"option '{item.get('value')}' of {where}" if isinstance(item, dict) else f"option of {where}"
            )
            optional = ("level", "fraction", "help") + (("exclusive",) if qtype == MULTI else ())
            if qtype == MULTI:
                optional = ("fraction", "help", "exclusive")
            if not self.mapping(item, option_where, node.line_of("options"), ("value", "label"), optional):
                continue
            value = item.get("value")
            if not isinstance(value, str) or not OPTION_VALUE_RE.match(value):
                self.issue(
                    item.line_of("value"),
                    f"{option_where}: value must match [a-z0-9_]+ (quote it), got {value!r}",
                )
                continue
            if value == NA:
                self.issue(item.line_of("value"), f"{option_where}: 'na' is reserved; use allows_na: true")
            label = self.text(item, "label", option_where)
            level = self.integer(item, "level", option_where, 0, 4)
            fraction = self.number(item, "fraction", option_where, minimum=0, maximum=1)
            if level is not None and fraction is not None:
                self.issue(
                    item.line_of("fraction"), f"{option_where}: give either level or fraction, not both"
                )
            if fraction is None:
                fraction = level / 4 if level is not None else 0.0
            lines.append((value, item.line))
            if label is not None:
                options.append(
                    Option(
                        value=value,
                        label=label,
                        level=level,
                        fraction=fraction,
                        exclusive=self.boolean(item, "exclusive", option_where, False),
                        help=self.text(item, "help", option_where, False),
                    )
                )
        self.unique(lines, f"option ({where})")
        return tuple(options)

    def read_bands(self, node: MarkedDict, where: str) -> tuple[Band, ...]:
        bands: list[tuple[Band, int]] = []
        for item in self.sequence(node, "bands", where):
            band_where = f"band of {where}"
            if not self.mapping(
                item, band_where, node.line_of("bands"), ("fraction",), ("min", "max", "label")
            ):
                continue
            low = self.number(item, "min", band_where)
            high = self.number(item, "max", band_where)
            fraction = self.number(item, "fraction", band_where, minimum=0, maximum=1)
            if low is not None and high is not None and low >= high:
                self.issue(item.line, f"{band_where}: min {low:g} must be below max {high:g}")
                continue
            if fraction is not None:
                bands.append(
                    (Band(low, high, fraction, self.text(item, "label", band_where, False)), item.line)
                )
        ordered = sorted(bands, key=lambda pair: -math.inf if pair[0].min is None else pair[0].min)
        for (before, _), (after, line) in zip(ordered, ordered[1:], strict=False):
            upper = math.inf if before.max is None else before.max
            lower = -math.inf if after.min is None else after.min
            if lower < upper:
                self.issue(line, f"{where}: bands overlap ({_interval(before)} and {_interval(after)})")
            elif lower > upper:
                self.issue(line, f"{where}: bands leave a gap between {upper:g} and {lower:g}")
        return tuple(band for band, _ in bands)

    def read_indicator(self, node: Any, clauses: frozenset[str]) -> tuple[Indicator, int] | None:
        where = f"indicator '{node.get('id')}'" if isinstance(node, dict) else "indicator"
        optional = ("formula", "unit", "numerator", "denominator", "question", "condition", "source")
        if not self.mapping(node, where, None, ("id", "name", "kind"), optional):
            return None
        indicator_id = self.string(node, "id", where, ID_RE)
        name = self.text(node, "name", where)
        kind = node.get("kind")
        needs = {"ratio": ("numerator", "denominator"), "value": ("question",), "condition": ("condition",)}
        if kind not in needs:
            self.issue(node.line_of("kind"), f"{where}: kind must be ratio, value or condition")
            return None
        for key in ("numerator", "denominator", "question", "condition"):
            if key in needs[kind] and key not in node:
                self.issue(node.line, f"{where}: a {kind} indicator needs '{key}'")
            elif key not in needs[kind] and key in node:
                self.issue(node.line_of(key), f"{where}: key '{key}' is not allowed for a {kind} indicator")
        unit = node.get("unit", "")
        if not isinstance(unit, str):
            self.issue(node.line_of("unit"), f"{where}: 'unit' must be a string")
            unit = ""
        formula = self.text(node, "formula", where, False)
        indicator = Indicator(
            id=indicator_id or "",
            name=name or Text("", ""),
            kind=kind,
            formula=formula or name or Text("", ""),
            unit=unit,
            numerator=self.string(node, "numerator", where),
            denominator=self.string(node, "denominator", where),
            question=self.string(node, "question", where),
            condition=self.condition(node, "condition", where, "indicator"),
            source=self.source(node, where, clauses),
        )
        return (indicator, node.line) if indicator_id and name else None

    def read_flag(self, node: Any, clauses: frozenset[str]) -> tuple[PlanFlag, int] | None:
        where = f"flag '{node.get('id')}'" if isinstance(node, dict) else "flag"
        if not self.mapping(
            node, where, None, ("id", "name", "condition"), ("description", "value_from", "source")
        ):
            return None
        flag_id = self.string(node, "id", where, ID_RE)
        name = self.text(node, "name", where)
        flag = PlanFlag(
            id=flag_id or "",
            name=name or Text("", ""),
            condition=self.condition(node, "condition", where, "flag"),
            description=self.text(node, "description", where, False),
            value_from=self.string(node, "value_from", where),
            source=self.source(node, where, clauses),
        )
        return (flag, node.line) if flag_id and name and flag.condition is not None else None

    def read_rule(self, node: Any, questions: Mapping[str, Question]) -> tuple[PlausibilityRule, int] | None:
        where = f"plausibility rule '{node.get('id')}'" if isinstance(node, dict) else "plausibility rule"
        if not self.mapping(node, where, None, ("id", "message", "condition"), ("question_ids",)):
            return None
        rule_id = self.string(node, "id", where, ID_RE)
        message = self.text(node, "message", where)
        rule = PlausibilityRule(
            id=rule_id or "",
            message=message or Text("", ""),
            condition=self.condition(node, "condition", where, "plausibility"),
            question_ids=self.strings(node, "question_ids", where),
        )
        for question_id in rule.question_ids:
            if question_id not in questions:
                self.issue(node.line_of("question_ids"), f"{where}: question '{question_id}' does not exist")
        return (rule, node.line) if rule_id and message and rule.condition is not None else None

    def check_references(self, indicators: list, flags: list, scope: _Scope) -> None:
        for indicator, line in indicators:
            where = f"indicator '{indicator.id}'"
            for key in ("numerator", "denominator"):
                ref = getattr(indicator, key)
                if ref is None:
                    continue
                question = scope.questions.get(ref)
                if question is None:
                    self.issue(line, f"{where}: {key} question '{ref}' does not exist")
                elif question.type not in NUMERIC_TYPES:
                    self.issue(line, f"{where}: {key} question '{ref}' must be a number or percent question")
            if indicator.question is not None and indicator.question not in scope.questions:
                self.issue(line, f"{where}: question '{indicator.question}' does not exist")
        for flag, line in flags:
            if flag.value_from is not None and flag.value_from not in scope.indicators:
                self.issue(line, f"flag '{flag.id}': value_from indicator '{flag.value_from}' does not exist")


def _interval(band: Band) -> str:
    low = "-inf" if band.min is None else f"{band.min:g}"
    high = "+inf" if band.max is None else f"{band.max:g}"
    return f"({low}, {high}]"


@dataclass
class _Scope:
    """The ids a condition may refer to."""

    questions: Mapping[str, Question]
    order: Mapping[str, int]
    dimensions: set[str]
    indicators: set[str]
    flags: set[str]
    industry_paths: set[str]


def _check_conditions(reader: _Reader, pending: list[_PendingCondition], scope: _Scope) -> None:
    for item in pending:
        _check_node(reader, item.node, item, scope, item.line)


def _check_node(reader: _Reader, node: Any, item: _PendingCondition, scope: _Scope, line: int) -> None:
    where = item.where
    if not isinstance(node, Mapping):
        reader.issue(line, f"{where}: a condition must be a mapping, got {node!r}")
        return
    line = getattr(node, "line", line)
    for combinator in ("all", "any"):
        if combinator in node:
            children = node[combinator]
            if len(node) != 1:
                reader.issue(line, f"{where}: '{combinator}' must be the only key of its mapping")
            if not isinstance(children, list) or not children:
                reader.issue(line, f"{where}: '{combinator}' needs a non-empty list of conditions")
                return
            for child in children:
                _check_node(reader, child, item, scope, line)
            return
    if "not" in node:
        if len(node) != 1:
            reader.issue(line, f"{where}: 'not' must be the only key of its mapping")
        _check_node(reader, node["not"], item, scope, line)
        return
    try:
        operand, operator = conditions.split_comparison(node)
    except ValueError as error:
        reader.issue(line, f"{where}: {error}")
        return
    question = _check_operand(reader, operand, node[operand], item, scope, line)
    expected = node[operator]
    if isinstance(expected, Mapping):
        if operator not in ("eq", "ne", "gt", "gte", "lt", "lte"):
            reader.issue(line, f"{where}: '{operator}' cannot compare against a reference")
            return
        if len(expected) != 1 or next(iter(expected)) not in conditions.OPERAND_KEYS:
            reader.issue(line, f"{where}: a right-hand reference needs exactly one operand key")
            return
        ref_key = next(iter(expected))
        _check_operand(reader, ref_key, expected[ref_key], item, scope, line)
        return
    _check_value(reader, operand, node[operand], operator, expected, question, item, scope, line)


def _check_operand(
    reader: _Reader, key: str, value: Any, item: _PendingCondition, scope: _Scope, line: int
) -> Question | None:
    where = item.where
    if key not in PLACE_OPERANDS[item.place]:
        allowed = ", ".join(sorted(PLACE_OPERANDS[item.place]))
        reader.issue(line, f"{where}: operand '{key}' is not allowed here (allowed: {allowed})")
        return None
    if key == "answer":
        question = scope.questions.get(value) if isinstance(value, str) else None
        if question is None:
            reader.issue(line, f"{where}: question '{value}' does not exist")
            return None
        if item.position is not None and scope.order[value] >= item.position:
            reader.issue(line, f"{where}: question '{value}' does not come before this question")
            return None
        return question
    if key == "context" and value not in CONTEXT_KEYS:
        reader.issue(line, f"{where}: context '{value}' is not one of {', '.join(CONTEXT_KEYS)}")
    elif key in ("na_count", "overall") and value is not True:
        reader.issue(line, f"{where}: '{key}' takes the value true")
    elif key in ("dimension", "dimension_level") and value != "*" and value not in scope.dimensions:
        reader.issue(line, f"{where}: dimension '{value}' does not exist")
    elif key == "indicator" and value not in scope.indicators:
        reader.issue(line, f"{where}: indicator '{value}' does not exist")
    elif key == "flag" and value not in scope.flags:
        reader.issue(line, f"{where}: flag '{value}' does not exist")
    return None


def _check_value(
    reader: _Reader,
    operand: str,
    operand_value: Any,
    operator: str,
    expected: Any,
    question: Question | None,
    item: _PendingCondition,
    scope: _Scope,
    line: int,
) -> None:
    where = item.where
    if operator in ("in", "not_in"):
        if not isinstance(expected, list) or not expected:
            reader.issue(line, f"{where}: '{operator}' needs a non-empty list")
            return
        values = list(expected)
    elif operator == "answered":
        if not isinstance(expected, bool):
            reader.issue(line, f"{where}: 'answered' takes true or false")
        return
    elif operator in NUMERIC_OPERATORS:
        if isinstance(expected, bool) or not isinstance(expected, int | float):
            reader.issue(line, f"{where}: '{operator}' needs a number, got {expected!r}")
        if question is not None and question.type not in NUMERIC_TYPES:
            reader.issue(
                line,
                f"{where}: '{operator}' compares numbers but '{question.id}' is a {question.type} question",
            )
        return
    else:
        if isinstance(expected, list):
            reader.issue(line, f"{where}: '{operator}' needs a single value, got a list")
            return
        values = [expected]

    if operator == "includes" and (question is None or question.type != MULTI):
        if operand == "answer":
            qtype = question.type if question else "unknown"
            reader.issue(line, f"{where}: 'includes' needs a multi question, '{operand_value}' is {qtype}")
        return
    if question is not None:
        if question.type == MULTI and operator != "includes":
            reader.issue(
                line, f"{where}: use 'includes' (or 'answered') with the multi question '{question.id}'"
            )
            return
        if question.type in OPTION_TYPES:
            known = {option.value for option in question.options} | ({NA} if question.allows_na else set())
            for value in values:
                if value not in known:
                    reader.issue(
                        line, f"{where}: option '{value}' does not exist in question '{question.id}'"
                    )
        elif question.type == BOOLEAN:
            for value in values:
                if not isinstance(value, bool) and not (value == NA and question.allows_na):
                    reader.issue(line, f"{where}: boolean question '{question.id}' compares with true/false")
    elif operand == "context":
        if operand_value == "size_class":
            for value in values:
                if value not in SIZE_CLASSES:
                    reader.issue(
                        line, f"{where}: size class '{value}' is not one of {', '.join(SIZE_CLASSES)}"
                    )
        elif operand_value == "industry_path" and scope.industry_paths:
            for value in values:
                if value not in scope.industry_paths:
                    reader.issue(line, f"{where}: industry path '{value}' is not defined")
        elif operand_value == "above_designated_size":
            for value in values:
                if not isinstance(value, bool):
                    reader.issue(line, f"{where}: above_designated_size compares with true/false")


class _CatalogueReader(_Reader):
    """Reads and validates one recommendation catalogue against a questionnaire."""

    def read(self, data: Any, questionnaire: Questionnaire | None) -> Catalogue | None:
        top = "catalogue"
        if not self.mapping(data, top, 1, ("id", "version", "questionnaire", "measures"), ()):
            return None
        catalogue_id = self.string(data, "id", top, ID_RE)
        version = self.string(data, "version", top)
        questionnaire_id = self.string(data, "questionnaire", top, ID_RE)
        if (
            questionnaire is not None
            and questionnaire_id is not None
            and questionnaire.id != questionnaire_id
        ):
            self.issue(
                data.line_of("questionnaire"),
                f"catalogue: questionnaire '{questionnaire_id}' does not match '{questionnaire.id}'",
            )
        known_clauses = clause_ids()
        measures: list[Measure] = []
        for node in self.sequence(data, "measures", top, True):
            measure = self.read_measure(node, questionnaire, known_clauses)
            if measure is not None:
                measures.append(measure)
        self.unique(((m.id, m.line) for m in measures), "measure")
        if questionnaire is not None:
            scope = _Scope(
                questions=questionnaire.questions_by_id,
                order={},
                dimensions=set(questionnaire.dimensions_by_id),
                indicators={i.id for i in questionnaire.indicators},
                flags={f.id for f in questionnaire.flags},
                industry_paths=set(questionnaire.industry_paths)
                | ({questionnaire.default_industry_path} if questionnaire.default_industry_path else set()),
            )
            _check_conditions(self, self.pending, scope)
        if self.issues or catalogue_id is None or version is None or questionnaire_id is None:
            if not self.issues:
                self.issue(1, "catalogue: incomplete definition")
            return None
        return Catalogue(catalogue_id, version, questionnaire_id, tuple(measures), self.file)

    def read_measure(
        self, node: Any, questionnaire: Questionnaire | None, clauses: frozenset[str]
    ) -> Measure | None:
        where = f"measure '{node.get('id')}'" if isinstance(node, dict) else "measure"
        required = (
            "id",
            "dimension",
            "title",
            "text",
            "plan_clause",
            "priority",
            "target_level",
            "applies_if",
        )
        optional = ("policy", "size_classes", "industry_divisions")
        if not self.mapping(node, where, None, required, optional):
            return None
        measure_id = self.string(node, "id", where, ID_RE)
        dimension = self.string(node, "dimension", where)
        if dimension and questionnaire is not None and dimension not in questionnaire.dimensions_by_id:
            self.issue(
                node.line_of("dimension"),
                f"{where}: dimension '{dimension}' does not exist in {questionnaire.id} {questionnaire.version}",
            )
        clause = self.string(node, "plan_clause", where)
        if clause is not None and clause not in clauses:
            self.issue(
                node.line_of("plan_clause"),
                f"{where}: plan clause '{clause}' does not exist in plan_clauses.yaml",
            )
        size_classes = self.strings(node, "size_classes", where)
        for size_class in size_classes:
            if size_class not in SIZE_CLASSES:
                self.issue(
                    node.line_of("size_classes"),
                    f"{where}: size class '{size_class}' is not one of {SIZE_CLASSES}",
                )
        title = self.text(node, "title", where)
        text = self.text(node, "text", where)
        priority = self.integer(node, "priority", where, 1, 3)
        target_level = self.integer(node, "target_level", where, 1, 5)
        applies_if = self.condition(node, "applies_if", where, "measure")
        if None in (measure_id, dimension, clause, title, text, priority, target_level, applies_if):
            return None
        return Measure(
            id=measure_id,
            title=title,
            text=text,
            dimension=dimension,
            plan_clause=clause,
            priority=priority,
            target_level=target_level,
            applies_if=applies_if,
            policy=self.text(node, "policy", where, False),
            size_classes=size_classes,
            industry_divisions=self.strings(node, "industry_divisions", where),
            line=node.line,
        )


# -- files, caching and discovery --------------------------------------------------------------------


def _root(root: Path | str | None) -> Path:
    return Path(root) if root is not None else ROOT


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        raise QuestionnaireNotFound(f"no such file: {path}") from None


@lru_cache(maxsize=64)
def _load_questionnaire(path: str, mtime_ns: int) -> Questionnaire:
    reader = _QuestionnaireReader(path)
    questionnaire = reader.read(read_yaml(Path(path)))
    if reader.issues or questionnaire is None:
        raise DefinitionError(reader.issues)
    return questionnaire


def load_file(path: Path | str) -> Questionnaire:
    """Load and validate one questionnaire file (cached on path and modification time)."""
    file = Path(path)
    return _load_questionnaire(str(file), _stamp(file))


def versions(questionnaire_id: str, root: Path | str | None = None) -> list[str]:
    """Return the versions of a questionnaire id that have a file, oldest first."""
    folder = _root(root) / questionnaire_id
    return sorted((path.stem for path in folder.glob("*.yaml")), key=version_key)


def available(root: Path | str | None = None) -> list[tuple[str, str]]:
    """Return every (questionnaire id, version) with a file under the root, sorted."""
    base = _root(root)
    found = []
    for folder in sorted(base.iterdir()) if base.is_dir() else ():
        if folder.is_dir() and not folder.name.startswith(("_", ".")):
            found.extend((folder.name, version) for version in versions(folder.name, base))
    return found


def load(questionnaire_id: str, version: str, root: Path | str | None = None) -> Questionnaire:
    """Load questionnaire `questionnaire_id` version `version` (QuestionnaireNotFound when absent)."""
    path = _root(root) / questionnaire_id / f"{version}.yaml"
    questionnaire = load_file(path)
    if questionnaire.id != questionnaire_id or questionnaire.version != version:
        raise DefinitionError(
            [
                Issue(
                    str(path),
                    1,
                    f"the file declares {questionnaire.id} {questionnaire.version} "
                    f"but its path says {questionnaire_id} {version}",
                )
            ]
        )
    return questionnaire


def current(questionnaire_id: str, root: Path | str | None = None) -> Questionnaire:
    """Load the newest version of a questionnaire id."""
    found = versions(questionnaire_id, root)
    if not found:
        raise QuestionnaireNotFound(f"no questionnaire '{questionnaire_id}' under {_root(root)}")
    return load(questionnaire_id, found[-1], root)


@lru_cache(maxsize=64)
def _load_catalogue(
    path: str, mtime_ns: int, questionnaire_file: str, questionnaire_mtime_ns: int
) -> Catalogue:
    return _read_catalogue(Path(path), load_file(questionnaire_file))


def _read_catalogue(path: Path, questionnaire: Questionnaire | None) -> Catalogue:
    reader = _CatalogueReader(str(path))
    catalogue = reader.read(read_yaml(path), questionnaire)
    if reader.issues or catalogue is None:
        raise DefinitionError(reader.issues)
    return catalogue


@lru_cache(maxsize=64)
def _declared_questionnaire(path: str, mtime_ns: int) -> tuple[str | None, int | None]:
    data = read_yaml(Path(path))
    if isinstance(data, MarkedDict) and isinstance(data.get("questionnaire"), str):
        return data["questionnaire"], data.line_of("questionnaire")
    return None, None


def load_catalogue_file(path: Path | str, questionnaire: Questionnaire | None = None) -> Catalogue:
    """Load and validate a catalogue file against `questionnaire` (default: newest version of its id)."""
    file = Path(path)
    stamp = _stamp(file)
    if questionnaire is not None:
        return _read_catalogue(file, questionnaire)
    questionnaire_id, line = _declared_questionnaire(str(file), stamp)
    if questionnaire_id is None:
        return _read_catalogue(file, None)  # reports the missing or malformed key
    root = file.parent.parent.parent if file.parent.name == RECOMMENDATIONS else ROOT
    found = versions(questionnaire_id, root)
    if not found:
        raise DefinitionError(
            [Issue(str(file), line, f"catalogue: questionnaire '{questionnaire_id}' has no file")]
        )
    questionnaire_file = root / questionnaire_id / f"{found[-1]}.yaml"
    return _load_catalogue(str(file), stamp, str(questionnaire_file), _stamp(questionnaire_file))


def catalogue_versions(questionnaire_id: str, root: Path | str | None = None) -> list[str]:
    """Return the catalogue versions for a questionnaire id, oldest first."""
    folder = _root(root) / questionnaire_id / RECOMMENDATIONS
    return sorted((path.stem for path in folder.glob("*.yaml")), key=version_key)


def load_catalogue(questionnaire_id: str, version: str, root: Path | str | None = None) -> Catalogue:
    """Load catalogue `version` for a questionnaire id, validated against its newest questionnaire."""
    path = _root(root) / questionnaire_id / RECOMMENDATIONS / f"{version}.yaml"
    catalogue = load_catalogue_file(path)
    if catalogue.questionnaire_id != questionnaire_id or catalogue.version != version:
        raise DefinitionError(
            [
                Issue(
                    str(path),
                    1,
                    f"the file declares {catalogue.questionnaire_id} {catalogue.version} "
                    f"but its path says {questionnaire_id} {version}",
                )
            ]
        )
    return catalogue


def current_catalogue(questionnaire_id: str, root: Path | str | None = None) -> Catalogue:
    """Load the newest catalogue version for a questionnaire id."""
    found = catalogue_versions(questionnaire_id, root)
    if not found:
        raise QuestionnaireNotFound(f"no catalogue for '{questionnaire_id}' under {_root(root)}")
    return load_catalogue(questionnaire_id, found[-1], root)


def validate_all(root: Path | str | None = None) -> list[Issue]:
    """Check every questionnaire and catalogue file under the root; return all issues found."""
    issues: list[Issue] = []
    base = _root(root)
    for questionnaire_id, version in available(base):
        try:
            load(questionnaire_id, version, base)
        except DefinitionError as error:
            issues.extend(error.issues)
    for folder in sorted(base.iterdir()) if base.is_dir() else ():
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        for version in catalogue_versions(folder.name, base):
            try:
                load_catalogue(folder.name, version, base)
            except DefinitionError as error:
                issues.extend(error.issues)
            except QuestionnaireNotFound as error:
                issues.append(Issue(str(folder / RECOMMENDATIONS / f"{version}.yaml"), None, str(error)))
    return list(dict.fromkeys(issues))
