"""Forms of the review workflow (CSRF-protected)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class VerifyForm(FlaskForm):
    """Verify a submitted assessment."""

    comment = TextAreaField("comment", validators=[Optional(), Length(max=2000)])


class ReturnForm(FlaskForm):
    """Return a submitted assessment to the enterprise with a comment it sees."""

    comment = TextAreaField("comment", validators=[DataRequired(), Length(max=2000)])


class VisitForm(FlaskForm):
    """Record an on-site visit."""

    visited_on = DateField("visited_on", validators=[DataRequired()])
    people = StringField("people", validators=[DataRequired(), Length(max=500)])
    findings = TextAreaField("findings", validators=[DataRequired(), Length(max=5000)])


class CorrectionForm(FlaskForm):
    """Correct one answer (kept beside the self-reported one)."""

    question_id = StringField("question_id", validators=[DataRequired(), Length(max=64)])
    value = StringField("value", validators=[Optional(), Length(max=500)])
    reason = StringField("reason", validators=[DataRequired(), Length(max=1000)])
