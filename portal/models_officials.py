"""Models of the officials' workspace: plan targets, recognised lists, reviews, visits, corrections, jobs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models import Assessment, Enterprise, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed")

# The median of the overall index is read with ORDER BY overall_score LIMIT/OFFSET inside one round.
ix_assessments_current_score = sa.Index(
    "ix_assessments_current_score", Assessment.round_id, Assessment.is_current, Assessment.overall_score
)

# The dashboard's maintained aggregates read the assessments changed since their last look.
ix_assessments_updated_at = sa.Index("ix_assessments_updated_at", Assessment.updated_at)

# Registered enterprises per district/规上 under any filter: a covering index, no table reads.
ix_enterprises_stats = sa.Index(
    "ix_enterprises_stats",
    Enterprise.status,
    Enterprise.district,
    Enterprise.above_designated_size,
    Enterprise.industry_division,
    Enterprise.size_class,
)


class PlanTarget(db.Model):
    """A target of a plan as data: value, deadline, baseline and the fixed rule that counts towards it."""

    __tablename__ = "plan_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    plan: Mapped[str] = mapped_column(sa.String(200))
    clause: Mapped[str | None] = mapped_column(sa.String(32))
    name_zh: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    value: Mapped[float | None]  # None: tracked without a quantified target
    unit: Mapped[str] = mapped_column(sa.String(16), default="enterprises")  # enterprises | percent
    deadline: Mapped[date | None]
    baseline: Mapped[float | None]
    rule: Mapped[str] = mapped_column(sa.String(64))
    recognised_list: Mapped[str | None] = mapped_column(sa.String(64))
    is_estimate: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RecognisedEnterprise(db.Model):
    """An enterprise on an officially recognised list (e.g. 两化融合示范, 智能工厂), imported from CSV."""

    __tablename__ = "recognised_enterprises"
    __table_args__ = (sa.UniqueConstraint("list_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    enterprise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int | None]
    source: Mapped[str | None] = mapped_column(sa.String(200))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()


class AssessmentReview(db.Model):
    """A review decision on an assessment (verified or returned), with the scores before and after."""

    __tablename__ = "assessment_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    self_reported_score: Mapped[float | None]
    self_reported_level: Mapped[int | None]
    reviewed_score: Mapped[float | None]
    reviewed_level: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SiteVisit(db.Model):
    """An on-site check of an enterprise's assessment: date, people and findings."""

    __tablename__ = "site_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    visited_on: Mapped[date]
    people: Mapped[str] = mapped_column(sa.Text)
    findings: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnswerCorrection(db.Model):
    """A reviewer's correction of one answer, kept beside the self-reported answer (one per question)."""

    __tablename__ = "answer_corrections"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(sa.String(64))
    self_reported: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    corrected: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    corrected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(db.Model):
    """A background job (export, bulk PDF ZIP): status, progress and the produced file."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    result_path: Mapped[str | None] = mapped_column(sa.String(500))
    result_name: Mapped[str | None] = mapped_column(sa.String(200))
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
