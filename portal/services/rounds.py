"""Assessment rounds (one per year)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import Round


def list_rounds() -> list[Round]:
    """All rounds, newest year first."""
    return list(db.session.scalars(select(Round).order_by(Round.year.desc())))


def get_round(round_id: int) -> Round | None:
    """The round with this id, or None."""
    return db.session.get(Round, round_id)


def get_round_by_year(year: int) -> Round | None:
    """The round of a year, or None."""
    return db.session.scalar(select(Round).where(Round.year == year))


def open_round() -> Round | None:
    """The newest open round, or None."""
    return db.session.scalar(select(Round).where(Round.status == "open").order_by(Round.year.desc()).limit(1))


def ensure_round(
    year: int, *, status: str = "open", opens_on: date | None = None, closes_on: date | None = None
) -> Round:
    """Return the round of `year`, creating it (Jan 1 – Dec 31 by default) if missing; caller commits."""
    existing = get_round_by_year(year)
    if existing is not None:
        return existing
    round_ = Round(
        year=year,
        name=f"{year}",
        opens_on=opens_on or date(year, 1, 1),
        closes_on=closes_on or date(year, 12, 31),
        status=status,
    )
    db.session.add(round_)
    db.session.flush()
    return round_


def set_status(round_: Round, status: str) -> None:
    """Open or close a round."""
    if status not in ("open", "closed"):
        raise ValueError(status)
    round_.status = status
    db.session.commit()
