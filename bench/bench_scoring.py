"""Benchmark: full scorings per second on one core, rotating 1,000 random valid answer sets.

Run `python bench/bench_scoring.py`. Uses the shipped questionnaire ezhou-dmi (and its
catalogue) when it loads, otherwise the scoring test fixture. Prints the median of 5 runs for
score() alone and for score() + to_dict() (which includes the result hash). Nothing is cached
between scorings but the compiled questionnaire (conditions compiled to closures once): every
run scores all answer sets again and evaluates every gate, flag, plausibility rule and measure. Times are CPU time of this process
(time.process_time), so other work on a shared machine does not count against the engine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import questionnaires  # noqa: E402
import scoring  # noqa: E402
from questionnaires.conditions import derive_context, visible_question_ids  # noqa: E402

TARGET = 10_000
FIXTURES = ROOT / "tests" / "fixtures" / "scoring"
CONTEXTS = (
    {"industry_division": "31", "size_class": "large", "district": "鄂城区", "above_designated_size": True},
    {
        "industry_division": "39",
        "size_class": "medium",
        "district": "葛店经开区",
        "above_designated_size": True,
    },
    {"industry_division": "27", "size_class": "small", "district": "华容区", "above_designated_size": False},
    {
        "industry_division": "13",
        "size_class": "micro",
        "district": "梁子湖区",
        "above_designated_size": False,
    },
)


def load_subject() -> tuple[Any, Any, str]:
    """The shipped questionnaire and catalogue, or the fixture when they are not loadable yet."""
    try:
        questionnaire = questionnaires.load("ezhou-dmi", "2025.1")
        catalogue = None
        load_catalogue = getattr(questionnaires, "load_catalogue", None)
        if load_catalogue is not None:
            try:
                catalogue = load_catalogue("ezhou-dmi", "2025.1")
            except Exception:  # noqa: BLE001 - the catalogue may not be written yet
                catalogue = None
        return questionnaire, catalogue, "ezhou-dmi 2025.1 (shipped)"
    except Exception as error:  # noqa: BLE001 - fall back to the fixture and say why
        print(f"shipped questionnaire not usable ({type(error).__name__}: {error}); using the fixture")
    questionnaire = questionnaires.load_file(FIXTURES / "questionnaire.yaml")
    catalogue = questionnaires.load_catalogue_file(FIXTURES / "catalogue.yaml")
    return questionnaire, catalogue, "scoring fixture"


def time_run(
    cases: list[tuple[dict[str, Any], dict[str, Any]]], questionnaire: Any, catalogue: Any, full: bool
) -> float:
    """Scorings per second over one pass through all cases."""
    score = scoring.score
    start = time.process_time()
    if full:
        for answers, context in cases:
            score(questionnaire, answers, context, catalogue=catalogue).to_dict()
    else:
        for answers, context in cases:
            score(questionnaire, answers, context, catalogue=catalogue)
    return len(cases) / (time.process_time() - start)


def main() -> int:
    """Generate answer sets, time both variants, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20250101)
    args = parser.parse_args()

    questionnaire, catalogue, label = load_subject()
    rng = random.Random(args.seed)
    cases = []
    for index in range(args.sets):
        context = CONTEXTS[index % len(CONTEXTS)]
        answers = scoring.random_answers(questionnaire, rng, quality=rng.random(), context=context)
        cases.append((answers, context))
    scored_questions = sum(1 for question in questionnaire.questions if question.scored)
    measures = 0 if catalogue is None else len(catalogue.measures)
    distinct = len({json.dumps(answers, sort_keys=True) for answers, _ in cases})
    print(
        f"subject: {label}: {len(questionnaire.questions)} questions ({scored_questions} scored), "
        f"{measures} measures; {len(cases)} answer sets ({distinct} distinct); median of {args.runs} runs "
        f"of CPU time; one core; load average {os.getloadavg()[0]:.1f}"
    )
    time_run(cases[:100], questionnaire, catalogue, True)  # warm-up: compile the plans
    print(f"{'variant':<40}{'scorings/s':>12}  target {TARGET}")
    # The target is for score(); to_dict() (canonical JSON + SHA-256 hash) is reported beside it.
    variants = (("score()", False), ("score() + to_dict()", True))
    for name, full in variants:
        rates = [time_run(cases, questionnaire, catalogue, full) for _ in range(args.runs)]
        median = statistics.median(rates)
        verdict = ("MET" if median >= TARGET else "MISSED") if not full else "(reported)"
        print(f"{name:<40}{median:>12,.0f}  {verdict}  ({1e6 / median:.0f} us each)")
        _record(
            name, median, None if full else median >= TARGET, f"{len(cases)} answer sets, 1 core CPU time"
        )
    print_breakdown(cases, questionnaire, args.runs)
    return 0


def _record(variant: str, median: float, met: bool | None, size: str) -> None:
    """Write the figure into bench/results for `make bench`'s table."""
    from bench import report

    report.record(
        __file__,
        f"scoring rate, {variant}",
        size=size,
        value=round(median),
        unit="scorings/s",
        goal=f">= {TARGET:,}/s" if met is not None else "(reported)",
        met=met,
    )


def print_breakdown(
    cases: list[tuple[dict[str, Any], dict[str, Any]]], questionnaire: Any, runs: int
) -> None:
    """Microseconds per call of the loader-package steps that score() runs on every answer set."""
    derived = [derive_context(questionnaire, context) for _, context in cases]
    visible = [
        visible_question_ids(questionnaire, answers, d)
        for (answers, _), d in zip(cases, derived, strict=True)
    ]
    steps = {
        "questionnaires.validate_answers": lambda i: questionnaires.validate_answers(
            questionnaire, cases[i][0]
        ),
        "conditions.visible_question_ids": lambda i: visible_question_ids(
            questionnaire, cases[i][0], derived[i]
        ),
        "questionnaires.compute_indicators": lambda i: questionnaires.compute_indicators(
            questionnaire, cases[i][0], derived[i], visible=visible[i]
        ),
    }
    print("inside score(), per call (loader package):")
    for name, step in steps.items():
        timings = []
        for _ in range(runs):
            start = time.process_time()
            for index in range(len(cases)):
                step(index)
            timings.append((time.process_time() - start) / len(cases))
        print(f"  {name:<38}{statistics.median(timings) * 1e6:>8.1f} us")


if __name__ == "__main__":
    raise SystemExit(main())
