"""Forms of the administration area."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal import reference


def _locale() -> str:
    return str(get_locale() or "zh").split("_")[0]


def district_choices() -> list[tuple[str, str]]:
    """The five units of the plan, labelled in the current language."""
    locale = _locale()
    return [(d.value, reference.district_label(d.value, locale)) for d in reference.DISTRICTS]


class ActionForm(FlaskForm):
    """A button with a CSRF token."""

    submit = SubmitField(_l("Confirm"))


class CreateUserForm(FlaskForm):
    """A new official (with an explicit scope), administrator or auditor."""

    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(),
            Length(min=3, max=64),
            Regexp(r"^[A-Za-z0-9_.@-]+$", message=_l("Use letters, digits and . _ - @ only.")),
        ],
    )
    display_name = StringField(_l("Name (shown to colleagues)"), validators=[Optional(), Length(max=100)])
    role = SelectField(
        _l("Role"),
        choices=[
            ("official", _l("Official")),
            ("admin", _l("Administrator")),
            ("auditor", _l("Auditor")),
        ],
        validators=[DataRequired()],
    )
    scope = SelectField(
        _l("Scope (officials)"),
        choices=[("", _l("— choose —")), ("district", _l("One district")), ("city", _l("The whole city"))],
        validators=[Optional()],
    )
    district = SelectField(_l("District (district officials)"), validators=[Optional()])
    is_reviewer = BooleanField(_l("May verify assessments (reviewer)"))
    submit = SubmitField(_l("Create account"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district.choices = [("", str(_l("— choose —"))), *district_choices()]


class ScopeForm(FlaskForm):
    """An official's scope."""

    scope = SelectField(
        _l("Scope"),
        choices=[("district", _l("One district")), ("city", _l("The whole city"))],
        validators=[DataRequired()],
    )
    district = SelectField(_l("District"), validators=[Optional()])
    submit = SubmitField(_l("Change scope"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district.choices = [("", str(_l("— choose —"))), *district_choices()]


class RoundForm(FlaskForm):
    """A new assessment round."""

    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    name = StringField(_l("Round name"), validators=[Optional(), Length(max=100)])
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired()])
    submit = SubmitField(_l("Create round"))


class RoundDatesForm(FlaskForm):
    """A round's dates."""

    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired()])
    submit = SubmitField(_l("Save dates"))


class PublishForm(FlaskForm):
    """Publish one questionnaire or catalogue version."""

    questionnaire_id = HiddenField(validators=[DataRequired(), Length(max=64)])
    version = HiddenField(validators=[DataRequired(), Length(max=32)])
    submit = SubmitField(_l("Publish"))


class TargetForm(FlaskForm):
    """A plan target's value, deadline, baseline and counting rule."""

    value = FloatField(_l("Target value"), validators=[Optional(), NumberRange(min=0)])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    baseline = FloatField(_l("Baseline"), validators=[Optional(), NumberRange(min=0)])
    rule = SelectField(_l("Counting rule"), validators=[DataRequired()])
    submit = SubmitField(_l("Save target"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from portal.services.targets import RULES

        super().__init__(*args, **kwargs)
        english = _locale() == "en"
        self.rule.choices = [(key, en if english else zh) for key, (zh, en) in RULES.items()]


UPLOAD_TYPES = FileAllowed(["csv", "xlsx"], _l("Upload a CSV or XLSX file."))


class RecognisedListForm(FlaskForm):
    """Upload a list of officially recognised enterprises."""

    list_id = StringField(
        _l("List"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[a-z0-9_]+$", message=_l("Use lower-case letters, digits and _ only.")),
        ],
    )
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired(), UPLOAD_TYPES])
    submit = SubmitField(_l("Import list"))


class ImportForm(FlaskForm):
    """Upload an enterprise list (e.g. the statistics bureau's 规上 list)."""

    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired(), UPLOAD_TYPES])
    submit = SubmitField(_l("Import enterprises"))
