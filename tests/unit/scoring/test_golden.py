"""Golden results of the shipped questionnaire (regenerate with tests/fixtures/scoring/make_golden.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import scoring

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "scoring" / "golden"
CASES = sorted(GOLDEN.glob("*.json"))


def test_there_are_goldens():
    assert len(CASES) >= 2


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_golden_result(shipped, path):
    questionnaire, catalogue = shipped
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert golden["questionnaire"] == {"id": questionnaire.id, "version": questionnaire.version}
    result = scoring.score(questionnaire, golden["answers"], golden["context"], catalogue=catalogue)
    expected = golden["expected"]
    assert result.overall_score == expected["overall_score"]
    assert {"band": result.level.band, "gated": result.level.gated} == expected["level"]
    assert {d.id: [d.score, d.level] for d in result.dimensions} == expected["dimensions"]
    # the overall index is the weight-renormalised mean of the dimension scores shown beside it
    scored = [(d.weight, d.score) for d in result.dimensions if d.score is not None]
    mean = sum(weight * value for weight, value in scored) / sum(weight for weight, _ in scored)
    assert abs(result.overall_score - mean) <= 0.1
