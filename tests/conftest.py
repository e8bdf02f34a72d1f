"""Shared pytest configuration. Kept app-free: unit tests must run without Flask or a database.

App and database fixtures live in tests/integration/conftest.py.
"""
