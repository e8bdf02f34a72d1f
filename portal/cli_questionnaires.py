"""`flask --app portal questionnaires validate`: check questionnaire and catalogue definition files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

import questionnaires
from questionnaires import DefinitionError, Issue, QuestionnaireNotFound


def register(app: Flask) -> None:
    """Attach the `questionnaires` command group."""
    app.cli.add_command(questionnaires_group)


@click.group("questionnaires")
def questionnaires_group() -> None:
    """Questionnaire and recommendation-catalogue definitions (questionnaires/)."""


@questionnaires_group.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder to check instead of the shipped questionnaires/ folder.",
)
@click.option(
    "--against",
    "against",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Questionnaire file that catalogue FILES are checked against (default: newest version of their id).",
)
def validate_command(files: tuple[Path, ...], root: Path | None, against: Path | None) -> None:
    """Check every definition file (schema, ids, conditions, weights, both languages, plan citations).

    Without FILES every questionnaire and catalogue under the root is checked. Prints each problem as
    FILE:LINE: message and exits 1 when there is any, 0 when all files are valid.
    """
    if files:
        issues, checked = _validate_files(files, against)
    else:
        issues = questionnaires.validate_all(root)
        checked = len(questionnaires.available(root)) + sum(
            len(questionnaires.catalogue_versions(questionnaire_id, root))
            for questionnaire_id in {
                questionnaire_id for questionnaire_id, _ in questionnaires.available(root)
            }
        )
    for issue in issues:
        click.echo(str(issue), err=True)
    if issues:
        click.echo(f"{len(issues)} problem(s) found.", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {checked} definition file(s) valid.")


def _validate_files(files: tuple[Path, ...], against: Path | None) -> tuple[list[Issue], int]:
    """Validate the given files: a file that names `questionnaire:` at the top is a catalogue."""
    issues: list[Issue] = []
    reference = None
    if against is not None:
        try:
            reference = questionnaires.load_file(against)
        except DefinitionError as error:
            return list(error.issues), 0
    for path in files:
        try:
            if _is_catalogue(path):
                questionnaires.load_catalogue_file(path, reference)
            else:
                questionnaires.load_file(path)
        except DefinitionError as error:
            issues.extend(error.issues)
        except QuestionnaireNotFound as error:
            issues.append(Issue(str(path), None, str(error)))
    return issues, len(files)


def _is_catalogue(path: Path) -> bool:
    """A catalogue declares the questionnaire it belongs to with a top-level `questionnaire:` key."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        return any(line.startswith("questionnaire:") for line in handle)
