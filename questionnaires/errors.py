"""Errors raised by the loader and by answer validation."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Text


@dataclass(frozen=True)
class Issue:
    """One problem in a definition file: where it is and what is wrong."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


class DefinitionError(Exception):
    """A questionnaire or catalogue file is invalid; `issues` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.issues)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the definition:"]
        lines.extend(f"  {issue}" for issue in self.issues)
        return "\n".join(lines)


class QuestionnaireNotFound(LookupError):
    """No file exists for the requested questionnaire or catalogue version."""


class AnswerValidationError(ValueError):
    """Some answers are invalid; `errors` maps question id -> message in zh and en."""

    def __init__(self, errors: dict[str, Text]) -> None:
        self.errors = dict(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "; ".join(f"{question_id}: {text.en}" for question_id, text in self.errors.items())
