"""Forms of the enterprises blueprint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional


class DecisionForm(FlaskForm):
    """Approve, or reject with a reason the applicant sees."""

    reason = TextAreaField(
        _l("Reason (shown to the applicant when rejecting)"), validators=[Optional(), Length(max=1000)]
    )
    approve = SubmitField(_l("Approve"))
    reject = SubmitField(_l("Reject"))
