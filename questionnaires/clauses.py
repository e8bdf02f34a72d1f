"""The committed clause index of the Ezhou digital-economy plan (questionnaires/plan_clauses.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PLAN_CLAUSES_FILE = Path(__file__).resolve().parent / "plan_clauses.yaml"
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class PlanClause:
    """One clause of the plan: id such as "3.4.2", its heading and its whole text."""

    id: str
    heading: str
    text: str


@lru_cache(maxsize=4)
def _read(path: str, mtime_ns: int) -> dict[str, PlanClause]:
    with open(path, encoding="utf-8") as handle:
        rows = yaml.load(handle, Loader=_Loader) or []  # noqa: S506 - safe loader
    return {str(row["id"]): PlanClause(str(row["id"]), row["heading"], row.get("text") or "") for row in rows}


def plan_clauses(path: Path | str | None = None) -> dict[str, PlanClause]:
    """Return the plan clause index keyed by clause id (cached; reread when the file changes)."""
    file = Path(path) if path is not None else PLAN_CLAUSES_FILE
    return dict(_read(str(file), file.stat().st_mtime_ns))


def clause_ids() -> frozenset[str]:
    """Return the set of known clause ids (cached view for validation)."""
    return _clause_ids(PLAN_CLAUSES_FILE.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _clause_ids(mtime_ns: int) -> frozenset[str]:
    return frozenset(_read(str(PLAN_CLAUSES_FILE), mtime_ns))


QUOTE_MAX = 110  # characters of a quoted sentence on a page or in a report
_SENTENCE_END = re.compile(r"(?<=[。；！？;])")


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def quote_sentence(clause_text: str, hint: str, limit: int = QUOTE_MAX) -> str:
    """Return the sentence of a clause closest to `hint` (most shared character pairs), shortened to `limit`."""
    sentences = [sentence.strip() for sentence in _SENTENCE_END.split(clause_text) if sentence.strip()]
    if not sentences:
        return ""
    wanted = _bigrams(hint)
    best = max(sentences, key=lambda sentence: (len(_bigrams(sentence) & wanted), -sentences.index(sentence)))
    return best if len(best) <= limit else best[: limit - 1] + "…"
