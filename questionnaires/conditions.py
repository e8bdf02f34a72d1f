"""The condition tree language of FORMAT.md: evaluation, compilation and static inspection.

`evaluate` interprets a tree (one-off checks); `compile_condition` (and `compile_table_condition`
for operand tables) turns a tree into one generated Python function with the same semantics,
built once, for the hot paths (`show_if` walks, gates, indicators, flags, plausibility rules,
measures). The browser has a port of the `answer`/`context` part
(portal/static/js). Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .model import NA

OPERAND_KEYS = (
    "answer",
    "context",
    "na_count",
    "dimension",
    "dimension_level",
    "overall",
    "indicator",
    "flag",
)
OPERATORS = ("eq", "ne", "in", "not_in", "includes", "gt", "gte", "lt", "lte", "answered")
COMBINATORS = ("all", "any", "not")


class _Missing:
    """Marker for an operand with no value (unanswered, hidden, not computable)."""

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

# resolve(operand_key, operand_value) -> value or MISSING
Resolver = Callable[[str, Any], Any]
# A compiled condition: resolver -> truth value (see compile_condition)
CompiledCondition = Callable[[Resolver], bool]


def evaluate(node: Mapping[str, Any], resolve: Resolver) -> bool:
    """Evaluate a condition tree; `resolve` supplies operand values (MISSING when absent)."""
    if "all" in node:
        return all(evaluate(child, resolve) for child in node["all"])
    if "any" in node:
        return any(evaluate(child, resolve) for child in node["any"])
    if "not" in node:
        return not evaluate(node["not"], resolve)
    operand_key, operator = split_comparison(node)
    left = resolve(operand_key, node[operand_key])
    expected = node[operator]
    if operator == "answered":
        return (left is not MISSING) == bool(expected)
    if left is MISSING:
        return False
    if isinstance(expected, Mapping):
        ref_key, _ = _single_operand(expected)
        expected = resolve(ref_key, expected[ref_key])
        if expected is MISSING:
            return False
    return _compare(operator, left, expected)


def split_comparison(node: Mapping[str, Any]) -> tuple[str, str]:
    """Return (operand key, operator) of a comparison node; ValueError when malformed."""
    operand_keys = [key for key in node if key in OPERAND_KEYS]
    operators = [key for key in node if key in OPERATORS]
    unknown = [key for key in node if key not in OPERAND_KEYS and key not in OPERATORS]
    if unknown or len(operand_keys) != 1 or len(operators) != 1:
        raise ValueError(f"a comparison needs exactly one operand and one operator, got keys {sorted(node)}")
    return operand_keys[0], operators[0]


def _single_operand(node: Mapping[str, Any]) -> tuple[str, Any]:
    if len(node) != 1 or next(iter(node)) not in OPERAND_KEYS:
        raise ValueError(f"a right-hand reference needs exactly one operand key, got {sorted(node)}")
    key = next(iter(node))
    return key, node[key]


def _compare(operator: str, left: Any, expected: Any) -> bool:
    if operator == "eq":
        return left == expected
    if operator == "ne":
        return left != expected
    if operator == "in":
        return left in expected
    if operator == "not_in":
        return left not in expected
    if left == NA:
        return False
    if operator == "includes":
        return isinstance(left, list | tuple) and expected in left
    if isinstance(left, bool) or not isinstance(left, int | float):
        return False
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return False
    if operator == "gt":
        return left > expected
    if operator == "gte":
        return left >= expected
    if operator == "lt":
        return left < expected
    if operator == "lte":
        return left <= expected
    raise ValueError(f"unknown operator {operator!r}")


def compile_condition(node: Mapping[str, Any]) -> CompiledCondition:
    """Compile a condition tree into `f(resolve) -> bool`, agreeing with `evaluate`; ValueError when malformed.

    The tree is read once and turned into one Python function: operand keys, operators and
    literal right-hand sides are fixed in it, so an evaluation only resolves operands and compares.
    """
    return _generate(node, tables=False)


def compile_table_condition(node: Mapping[str, Any]) -> Callable[[Mapping[str, Mapping[Any, Any]]], bool]:
    """Like `compile_condition`, for operand tables: `f(tables)` reads `tables[key].get(value)`, None = missing.

    Same result as `evaluate(node, resolve)` with a resolver returning MISSING for None or absent
    entries; saves the resolver call per operand (the scoring engine keeps its operands in tables).
    """
    return _generate(node, tables=True)


_MAX_GENERATED_DEPTH = 30  # deeper trees (never seen in practice) are interpreted


def _depth(node: Mapping[str, Any]) -> int:
    for combinator in ("all", "any"):
        if combinator in node:
            return 1 + max((_depth(child) for child in node[combinator]), default=0)
    if "not" in node:
        return 1 + _depth(node["not"])
    return 1


def _generate(node: Mapping[str, Any], tables: bool) -> Any:
    """One generated function per tree: `def condition(resolve|tables): return <expression>`."""
    constants: dict[str, Any] = {}
    if _depth(node) > _MAX_GENERATED_DEPTH:
        _Generator(constants, tables).expression(node)  # validate the whole tree now, as for the others
        if tables:
            return lambda operand_tables: evaluate(node, _table_resolver(operand_tables))
        return lambda resolve: evaluate(node, resolve)
    expression = _Generator(constants, tables).expression(node)
    argument = "tables" if tables else "resolve"
    namespace: dict[str, Any] = {
        "MISSING": MISSING,
        "NA": NA,
        "_compare": _compare,
        "LIST_OR_TUPLE": (list, tuple),
    }
    namespace.update(constants)
    exec(f"def condition({argument}):\n    return {expression}\n", namespace)  # noqa: S102 - built from checked trees
    return namespace["condition"]


def _table_resolver(tables: Mapping[str, Mapping[Any, Any]]) -> Resolver:
    def resolve(key: str, value: Any) -> Any:
        found = tables[key].get(value)
        return MISSING if found is None else found

    return resolve


class _Generator:
    """Writes the Python expression of a condition tree; literals go into `constants` by name.

    Values from the tree are bound as names (c0, c1, ...), except strings that are Python
    identifiers (operand keys, question ids), which are written as their repr; only checked
    operator names shape the rest of the code.
    """

    def __init__(self, constants: dict[str, Any], tables: bool) -> None:
        self.constants = constants
        self.tables = tables
        self.missing = "None" if tables else "MISSING"
        self.variables = 0

    def constant(self, value: Any) -> str:
        if value.__class__ is str and value.isidentifier():  # plain ids and keys: a literal (LOAD_CONST)
            return repr(value)
        name = f"c{len(self.constants)}"
        self.constants[name] = value
        return name

    def fetch(self, key: str, value: Any) -> str:
        if self.tables:
            return f"tables[{self.constant(key)}].get({self.constant(value)})"
        return f"resolve({self.constant(key)}, {self.constant(value)})"

    def variable(self) -> str:
        self.variables += 1
        return f"v{self.variables}"

    def expression(self, node: Mapping[str, Any]) -> str:
        if "all" in node:
            children = [self.expression(child) for child in node["all"]]
            return f"(True if ({' and '.join(children)}) else False)" if children else "True"
        if "any" in node:
            children = [self.expression(child) for child in node["any"]]
            return f"(True if ({' or '.join(children)}) else False)" if children else "False"
        if "not" in node:
            return f"(not {self.expression(node['not'])})"
        operand_key, operator = split_comparison(node)
        fetch = self.fetch(operand_key, node[operand_key])
        expected = node[operator]
        missing = self.missing
        if operator == "answered":
            return f"({fetch} {'is not' if expected else 'is'} {missing})"
        left = self.variable()
        present = f"({left} := {fetch}) is not {missing}"
        if isinstance(expected, Mapping):
            ref_key, ref_value = _single_operand(expected)
            right = self.variable()
            return (
                f"({present} and ({right} := {self.fetch(ref_key, ref_value)}) is not {missing}"
                f" and _compare({operator!r}, {left}, {right}))"
            )
        literal = self.constant(expected)
        if operator in ("eq", "ne"):
            return f"({present} and {left} {'==' if operator == 'eq' else '!='} {literal})"
        if operator in ("in", "not_in"):
            test = "in" if operator == "in" else "not in"
            if isinstance(expected, list | tuple) and all(item.__class__ is str for item in expected):
                # Strings only equal strings, so a set gives the same answer for a str operand value.
                members = self.constant(frozenset(expected))
                return (
                    f"({present} and ({left} {test} {members} if {left}.__class__ is str"
                    f" else {left} {test} {literal}))"
                )
            return f"({present} and {left} {test} {literal})"
        if operator == "includes":
            return f"({present} and not ({left} == NA) and isinstance({left}, LIST_OR_TUPLE) and {literal} in {left})"
        if isinstance(expected, bool) or not isinstance(expected, int | float):
            return "False"  # an ordering against a non-number never holds
        symbol = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[operator]
        return (
            f"({left} {symbol} {literal} if ({left} := {fetch}).__class__ is int or {left}.__class__ is float"
            f" else ({left} is not {missing} and _compare({operator!r}, {left}, {literal})))"
        )


def iter_operands(node: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield every (operand key, operand value) the tree reads, right-hand references included."""
    for combinator in ("all", "any"):
        if combinator in node:
            for child in node[combinator]:
                yield from iter_operands(child)
            return
    if "not" in node:
        yield from iter_operands(node["not"])
        return
    operand_key, operator = split_comparison(node)
    yield operand_key, node[operand_key]
    expected = node[operator]
    if isinstance(expected, Mapping):
        yield _single_operand(expected)


def answer_resolver(answers: Mapping[str, Any], context: Mapping[str, Any]) -> Resolver:
    """A resolver for `show_if`: answers and context only; na_count counts "na" answers."""

    def resolve(key: str, value: Any) -> Any:
        if key == "answer":
            answer = answers.get(value, MISSING)
            return MISSING if answer is None else answer
        if key == "context":
            found = context.get(value, MISSING)
            return MISSING if found is None else found
        if key == "na_count":
            return sum(1 for answer in answers.values() if answer == NA)
        return MISSING

    return resolve


def derive_context(questionnaire: Any, context: Mapping[str, Any]) -> dict[str, Any]:
    """Return `context` plus `industry_path`, derived from the industry division."""
    derived = dict(context)
    if derived.get("industry_path") is None:
        division = derived.get("industry_division")
        derived["industry_path"] = questionnaire.default_industry_path
        for path, divisions in questionnaire.industry_paths.items():
            if division in divisions:
                derived["industry_path"] = path
                break
    return derived


def _visibility_walk(questionnaire: Any) -> tuple[tuple[str, ...], tuple[tuple[str, Any, bool], ...]]:
    """(all question ids, steps) with steps = (id, compiled show_if or None, record the answer?).

    Only questions with a `show_if`, or whose answer some `show_if` reads, need a step; with an
    `na_count` operand every answer is recorded. Built once per questionnaire object.
    """
    cache = getattr(questionnaire, "__dict__", None)
    walk = None if cache is None else cache.get("_visibility_walk")
    if walk is not None:
        return walk
    read: set[str] = set()
    counts_na = False
    for question in questionnaire.questions:
        if question.show_if is not None:
            for key, value in iter_operands(question.show_if):
                if key == "answer":
                    read.add(value)
                elif key == "na_count":
                    counts_na = True
    steps = tuple(
        (
            question.id,
            None if question.show_if is None else compile_condition(question.show_if),
            counts_na or question.id in read,
        )
        for question in questionnaire.questions
        if question.show_if is not None or counts_na or question.id in read
    )
    walk = (tuple(question.id for question in questionnaire.questions), steps)
    if cache is not None:
        cache["_visibility_walk"] = walk
    return walk


def visible_question_ids(
    questionnaire: Any, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> set[str]:
    """Ids of the questions shown for these answers and this context.

    Questions are walked in order and a `show_if` sees only the answers of questions shown before
    it, so an answer kept on a hidden question never unlocks another one.
    """
    all_ids, steps = _visibility_walk(questionnaire)
    visible = set(all_ids)
    if not steps:
        return visible
    shown_answers: dict[str, Any] = {}
    resolve = answer_resolver(shown_answers, derive_context(questionnaire, context))
    for question_id, show_if, record in steps:
        if show_if is not None and not show_if(resolve):
            visible.discard(question_id)
        elif record and question_id in answers:
            shown_answers[question_id] = answers[question_id]
    return visible
