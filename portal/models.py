"""SQLAlchemy models. Times are naive UTC (same behaviour on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db

ROLES = ("enterprise", "official", "admin", "auditor")
OFFICIAL_SCOPES = ("city", "district")
ENTERPRISE_STATUSES = ("pending", "approved", "rejected")
ENTERPRISE_ORIGINS = ("registered", "imported")
MEMBERSHIP_STATUSES = ("pending", "approved", "rejected")
MEMBERSHIP_ROLES = ("owner", "member")
ROUND_STATUSES = ("open", "closed")
ASSESSMENT_STATUSES = ("draft", "submitted", "returned", "verified")


def utcnow() -> datetime:
    """Current time as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    """A login: enterprise user, official (city- or district-scoped), admin or auditor."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16))
    scope: Mapped[str | None] = mapped_column(sa.String(8))  # officials: "city" or "district"
    district: Mapped[str | None] = mapped_column(sa.String(16))  # officials with scope "district"
    is_reviewer: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        """Session identity: id plus session_version, so bumping the version ends every session."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Flask-Login: deactivated users cannot log in."""
        return self.active

    @property
    def is_official(self) -> bool:
        """Whether the user is an official (any scope)."""
        return self.role == "official"

    @property
    def is_admin(self) -> bool:
        """Whether the user is an administrator."""
        return self.role == "admin"

    @property
    def is_city_wide(self) -> bool:
        """Admins, auditors and city officials see the whole city."""
        return self.role in ("admin", "auditor") or (self.role == "official" and self.scope == "city")

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class Enterprise(db.Model):
    """A manufacturer, identified by its 统一社会信用代码."""

    __tablename__ = "enterprises"
    __table_args__ = (
        sa.Index("ix_enterprises_district_status", "district", "status"),
        sa.Index("ix_enterprises_district_ads", "district", "above_designated_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    district: Mapped[str] = mapped_column(sa.String(16))
    industry_division: Mapped[str] = mapped_column(sa.String(2), index=True)
    employees: Mapped[int | None]
    revenue_band: Mapped[str | None] = mapped_column(sa.String(16))
    size_class: Mapped[str | None] = mapped_column(sa.String(8))
    above_designated_size: Mapped[bool] = mapped_column(default=False)
    contact_name: Mapped[str | None] = mapped_column(sa.String(100))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    origin: Mapped[str] = mapped_column(sa.String(16), default="registered")
    reject_reason: Mapped[str | None] = mapped_column(sa.Text)
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Enterprise {self.uscc} {self.name}>"


class Membership(db.Model):
    """A user's link to an enterprise; pending until an official approves it."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "enterprise_id"),
        sa.Index("ix_memberships_enterprise_status", "enterprise_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enterprises.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    role: Mapped[str] = mapped_column(sa.String(16), default="owner")
    # The profile the applicant entered (used to complete an imported record when a claim is approved).
    application: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    reject_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    enterprise: Mapped[Enterprise] = relationship(back_populates="memberships")


class Round(db.Model):
    """An assessment period (one per year); one assessment per enterprise per round."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(8), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assessment(db.Model):
    """An enterprise's self-assessment in a round, with its stored scored result and aggregation columns."""

    __tablename__ = "assessments"
    __table_args__ = (
        sa.UniqueConstraint("enterprise_id", "round_id"),
        # Aggregations filter on (round, is_current) and group by district/industry/size/level.
        sa.Index(
            "ix_assessments_aggregate",
            "round_id",
            "is_current",
            "district",
            "industry_division",
            "size_class",
        ),
        sa.Index("ix_assessments_round_level", "round_id", "is_current", "gated_level"),
        sa.Index("ix_assessments_round_status", "round_id", "status"),
        sa.Index("ix_assessments_round_district_level", "round_id", "district", "gated_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enterprises.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="RESTRICT"))
    questionnaire_id: Mapped[str] = mapped_column(sa.String(64))
    questionnaire_version: Mapped[str] = mapped_column(sa.String(32))
    catalogue_version: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    answers_meta: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)  # optimistic locking counter
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    return_comment: Mapped[str | None] = mapped_column(sa.Text)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    # Stored scored result and what it was computed with.
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    engine_version: Mapped[str | None] = mapped_column(sa.String(32))
    result_hash: Mapped[str | None] = mapped_column(sa.String(64))
    context: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    # Denormalized for aggregation (copied from the context snapshot and the result).
    district: Mapped[str | None] = mapped_column(sa.String(16))
    industry_division: Mapped[str | None] = mapped_column(sa.String(2))
    size_class: Mapped[str | None] = mapped_column(sa.String(8))
    above_designated_size: Mapped[bool | None]
    overall_score: Mapped[float | None]
    band_level: Mapped[int | None]
    gated_level: Mapped[int | None]
    flags: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    cloud_enterprise: Mapped[bool | None]
    cloud_layer: Mapped[str | None] = mapped_column(sa.String(16))
    integration_demo_candidate: Mapped[bool | None]
    smart_factory_candidate: Mapped[bool | None]
    fiveg_factory_candidate: Mapped[bool | None]
    identifier_adopter: Mapped[bool | None]
    mlps_filed: Mapped[bool | None]
    mlps_passed: Mapped[bool | None]
    equipment_digitization_rate: Mapped[float | None]
    equipment_networking_rate: Mapped[float | None]
    nc_rate: Mapped[float | None]
    uses_erp: Mapped[bool | None]
    uses_mes: Mapped[bool | None]
    uses_plm: Mapped[bool | None]
    uses_scm: Mapped[bool | None]
    # The figure that counts for the enterprise in this round (its submitted or verified assessment).
    is_current: Mapped[bool] = mapped_column(default=False)
    report_status: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    round: Mapped[Round] = relationship()
    dimension_scores: Mapped[list[AssessmentDimensionScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )


class AssessmentDimensionScore(db.Model):
    """One dimension's score of an assessment (narrow, so a new questionnaire needs no migration)."""

    __tablename__ = "assessment_dimension_scores"
    __table_args__ = (sa.Index("ix_assessment_dimension_scores_dimension", "dimension_id", "assessment_id"),)

    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    dimension_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    score: Mapped[float]

    assessment: Mapped[Assessment] = relationship(back_populates="dimension_scores")


class AuditEvent(db.Model):
    """Who did what, when, from where, with which result."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(32))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    result: Mapped[str] = mapped_column(sa.String(16), default="success")
    detail: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class ResetCode(db.Model):
    """A one-time password reset code issued by an official or admin (only its hash is stored)."""

    __tablename__ = "reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Invite(db.Model):
    """A one-time code that lets a second user join an enterprise (only the code's hash is stored)."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    enterprise: Mapped[Enterprise] = relationship()


class SectionStash(db.Model):
    """A section form posted after the user's session expired, offered again after the next login."""

    __tablename__ = "section_stashes"
    __table_args__ = (sa.UniqueConstraint("user_id", "assessment_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(sa.String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Setting(db.Model):
    """Key/value settings, e.g. the published questionnaire and catalogue versions."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


import portal.models_aggregates  # noqa: E402,F401  (maintained aggregate tables)
import portal.models_officials  # noqa: E402,F401  (officials workspace tables register with the metadata)
