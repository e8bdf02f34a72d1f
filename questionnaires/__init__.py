"""Questionnaire definitions as data (YAML) and their loader. No Flask, no SQLAlchemy."""
