"""Errors raised by the scoring engine (bad answer values surface as questionnaires.AnswerValidationError)."""

from __future__ import annotations


class ScoringError(Exception):
    """Base class for errors the scoring engine raises itself."""


class IncompleteAnswersError(ScoringError):
    """Required questions that are shown were left unanswered; they are never scored as zero."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = list(missing)
        super().__init__(f"unanswered required questions: {', '.join(self.missing)}")
