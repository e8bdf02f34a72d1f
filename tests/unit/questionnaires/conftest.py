"""Shared paths and the demo fixture questionnaire for the questionnaires/ unit tests."""

from pathlib import Path

import pytest

import questionnaires

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "questionnaires"
VALID_ROOT = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"


@pytest.fixture(scope="session")
def demo() -> questionnaires.model.Questionnaire:
    """The newest demo questionnaire (1.10)."""
    return questionnaires.current("demo", root=VALID_ROOT)


@pytest.fixture(scope="session")
def demo_catalogue() -> questionnaires.model.Catalogue:
    """The demo recommendation catalogue."""
    return questionnaires.current_catalogue("demo", root=VALID_ROOT)
