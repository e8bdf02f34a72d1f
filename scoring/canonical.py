"""Canonical JSON of a Result, assembled from cached fragments of its immutable parts.

`json.dumps(sort_keys=True)` over the whole result costs more than scoring itself, because most
of the text (dimension names, measure titles and texts, gate labels) never changes. This writer
produces exactly the same string as `result.canonical_json(result_body)` (the unit tests check it
on random answer sets) but encodes each questionnaire or catalogue text only once per process.
The fragment caches hold serialised immutable values only, never a scoring result.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .result import Contribution, DimensionResult, LevelResult, Recommendation, Result

_encode_value = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
_encode_string: Callable[[str], str] = json.encoder.encode_basestring  # type: ignore[attr-defined]
_float_repr = float.__repr__
_isfinite = math.isfinite
_MAX_ENTRIES = 50_000

# id(object) -> (object, fragment): the object is kept alive, so its id cannot be reused.
_static: dict[int, tuple[Any, Any]] = {}
# (contribution, answer type) -> fragment; the type keeps 5 and 5.0 (same hash) apart.
_contributions: dict[tuple[Any, type], str] = {}
# id(contribution) -> (contribution, fragment), kept alive like `_static`
_contributions_by_id: dict[int, tuple[Any, str]] = {}
# (dimension id, weight type, weight, id(name)) -> fragments around the level and score, and the name
_dimension_fragments: dict[tuple[str, type, float, int], tuple[str, str, str, Any]] = {}


def _scalar(value: Any) -> str:
    cls = value.__class__
    if cls is float:
        if _isfinite(value):
            return _float_repr(value)
        raise ValueError("Out of range float values are not JSON compliant")
    if cls is int:
        return int.__repr__(value)
    if cls is str:
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _encode_value(value)


def _static_fragment(obj: Any, build: Callable[[Any], Any]) -> Any:
    entry = _static.get(id(obj))
    if entry is None or entry[0] is not obj:
        if len(_static) >= _MAX_ENTRIES:
            _static.clear()
        entry = _static[id(obj)] = (obj, build(obj))
    return entry[1]


def _text(text: Any) -> str:
    if text is None:
        return "null"
    return _static_fragment(text, lambda value: _encode_value({"zh": value.zh, "en": value.en}))


def _contribution(contribution: Contribution) -> str:
    # Most contributions are the plan's shared objects (fixed answers, tabled multi choices): by identity first.
    entry = _contributions_by_id.get(id(contribution))
    if entry is not None and entry[0] is contribution:
        return entry[1]
    answer = contribution.answer
    key = (contribution, answer.__class__)
    fragment = _contributions.get(key)
    if fragment is None:
        answer_json = _encode_value(list(answer)) if answer.__class__ is tuple else _scalar(answer)
        fragment = (
            f'{{"answer":{answer_json},"earned":{_scalar(contribution.earned)},'
            f'"fraction":{_scalar(contribution.fraction)},"possible":{_scalar(contribution.possible)},'
            f'"question_id":{_encode_string(contribution.question_id)}}}'
        )
        if len(_contributions) >= _MAX_ENTRIES:
            _contributions.clear()
        _contributions[key] = fragment
    if len(_contributions_by_id) >= _MAX_ENTRIES:
        _contributions_by_id.clear()
    _contributions_by_id[id(contribution)] = (contribution, fragment)
    return fragment


def _dimension_parts(dimension: DimensionResult) -> tuple[str, str]:
    # The parts that come from the questionnaire: id, name, weight (keyed by the shared name text).
    return (
        f'],"id":{_encode_string(dimension.id)},"level":',
        f',"name":{_text(dimension.name)},"score":',
        f',"weight":{_scalar(dimension.weight)}}}',
    )


def _dimension(dimension: DimensionResult) -> str:
    contributions = ",".join([_contribution(contribution) for contribution in dimension.contributions])
    key = (dimension.id, dimension.weight.__class__, dimension.weight, id(dimension.name))
    parts = _dimension_fragments.get(key)
    if parts is None:
        if len(_dimension_fragments) >= _MAX_ENTRIES:
            _dimension_fragments.clear()
        # The name text is kept alive in the entry, so its id cannot be reused.
        parts = _dimension_fragments[key] = (*_dimension_parts(dimension), dimension.name)
    after_contributions, after_level, after_score, _ = parts
    return (
        f'{{"contributions":[{contributions}{after_contributions}{_scalar(dimension.level)}'
        f"{after_level}{_scalar(dimension.score)}{after_score}"
    )


def _gate(gate: Any) -> str:
    return _static_fragment(
        gate, lambda value: f'{{"id":{_encode_string(value.id)},"label":{_text(value.label)}}}'
    )


def _level(level: LevelResult) -> str:
    gates = ",".join([_gate(gate) for gate in level.blocking_gates])
    return (
        f'{{"band":{_scalar(level.band)},"blocking_gates":[{gates}],"gated":{_scalar(level.gated)},'
        f'"name":{_text(level.name)},"next_level":{_scalar(level.next_level)}}}'
    )


def _measure_parts(recommendation: Recommendation) -> tuple[str, str, str]:
    measure = recommendation.measure
    triggered = _encode_value(list(recommendation.triggered_by))
    return (
        f'{{"dimension":{_encode_string(measure.dimension)},"do_next":',
        f',"id":{_encode_string(measure.id)},"plan_clause":{_encode_string(measure.plan_clause)},'
        f'"policy":{_text(measure.policy)},"priority":{_scalar(measure.priority)},"rank_score":',
        f',"text":{_text(measure.text)},"title":{_text(measure.title)},"triggered_by":{triggered}}}',
    )


def _recommendation(recommendation: Recommendation) -> str:
    head, middle, tail = _static_fragment(recommendation.measure, lambda _: _measure_parts(recommendation))
    do_next = "true" if recommendation.do_next else "false"
    return f'{head}{do_next},"gap":{_scalar(recommendation.gap)}{middle}{_scalar(recommendation.rank_score)}{tail}'


def _warning(warning: Any) -> str:
    return (
        f'{{"id":{_encode_string(warning.id)},"message":{_text(warning.message)},'
        f'"question_ids":{_encode_value(list(warning.question_ids))}}}'
    )


def _object(mapping: Any) -> str:
    """Canonical JSON of a flat mapping with string keys (nested values go through the encoder)."""
    if not mapping:
        return "{}"
    if any(key.__class__ is not str for key in mapping):
        return _encode_value(dict(mapping))
    return "{" + ",".join([f"{_encode_string(key)}:{_scalar(mapping[key])}" for key in sorted(mapping)]) + "}"


def _flag(flag: Any) -> str:
    return f'{{"detail":{_scalar(flag.detail)},"value":{_scalar(flag.value)}}}'


def _strings(values: tuple[str, ...]) -> str:
    if not values:
        return "[]"
    return _encode_value(list(values))


def result_canonical_json(result: Result) -> str:
    """The canonical JSON of `result.to_dict()` without `result_hash` (keys sorted at every level)."""
    catalogue = (
        "null"
        if result.catalogue_id is None
        else _object({"id": result.catalogue_id, "version": result.catalogue_version})
    )
    plan_flags = result.plan_flags
    if all(key.__class__ is str for key in plan_flags):
        flags = (
            "{"
            + ",".join([f"{_encode_string(key)}:{_flag(plan_flags[key])}" for key in sorted(plan_flags)])
            + "}"
        )
    else:  # pragma: no cover - flag ids are strings
        flags = _encode_value(
            {key: {"detail": flag.detail, "value": flag.value} for key, flag in plan_flags.items()}
        )
    parts = [
        '{"catalogue":',
        catalogue,
        ',"context":',
        _object(result.context),
        ',"dimensions":[',
        ",".join([_dimension(dimension) for dimension in result.dimensions]),
        '],"engine_version":',
        _encode_string(result.engine_version),
        ',"indicators":',
        _object(result.indicators),
        ',"level":',
        _level(result.level),
        ',"missing":',
        _strings(result.missing),
        ',"overall_score":',
        _scalar(result.overall_score),
        ',"plan_flags":',
        flags,
        ',"questionnaire":',
        _object({"id": result.questionnaire_id, "version": result.questionnaire_version}),
        ',"recommendations":[',
        ",".join([_recommendation(recommendation) for recommendation in result.recommendations]),
        '],"warnings":[',
        ",".join([_warning(warning) for warning in result.warnings]),
        "]}",
    ]
    return "".join(parts)
