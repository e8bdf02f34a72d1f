"""Fixtures for the scoring tests: the small YAML fixture and the shipped questionnaire, via the loader."""

from __future__ import annotations

from pathlib import Path

import pytest

import questionnaires

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "scoring"
SHIPPED_ID, SHIPPED_VERSION = "ezhou-dmi", "2025.1"


@pytest.fixture(scope="session")
def questionnaire():
    """The 12-question, 3-dimension scoring fixture."""
    return questionnaires.load_file(FIXTURES / "questionnaire.yaml")


@pytest.fixture(scope="session")
def catalogue(questionnaire):
    """The fixture's seven measures."""
    return questionnaires.load_catalogue_file(FIXTURES / "catalogue.yaml", questionnaire)


@pytest.fixture(scope="session")
def shipped():
    """The shipped questionnaire and its catalogue."""
    return questionnaires.load(SHIPPED_ID, SHIPPED_VERSION), questionnaires.load_catalogue(
        SHIPPED_ID, SHIPPED_VERSION
    )
