"""Key indicators (FORMAT.md "indicators"): ratio as a percentage, value, condition."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from questionnaires.conditions import MISSING, evaluate
from questionnaires.model import NA, Indicator


def _number(value: Any) -> float | None:
    if value is None or value is MISSING or value == NA or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    return None


def indicator_values(
    indicators: Sequence[Indicator],
    shown: Mapping[str, Any],
    resolve: Callable[[str, Any], Any],
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Compute every indicator from the answers of shown questions into `values`; None when not computable."""
    values = {} if values is None else values
    for indicator in indicators:
        kind = indicator.kind
        if kind == "ratio":
            numerator = _number(shown.get(indicator.numerator))
            denominator = _number(shown.get(indicator.denominator))
            if numerator is None or not denominator:
                values[indicator.id] = None
            else:
                values[indicator.id] = round(100.0 * numerator / denominator, 1)
        elif kind == "value":
            answer = shown.get(indicator.question)
            if isinstance(answer, list | tuple):
                answer = list(answer)
            values[indicator.id] = None if answer is None or answer == NA else answer
        elif kind == "condition":
            values[indicator.id] = evaluate(indicator.condition, resolve)
        else:
            raise ValueError(f"indicator {indicator.id}: unknown kind {kind!r}")
    return values
