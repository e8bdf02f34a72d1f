"""Operations commands: backup, restore, prune-audit."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the operations commands to the app."""
