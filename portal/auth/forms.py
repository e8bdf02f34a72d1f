"""Forms of the auth blueprint."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp, ValidationError

from portal import reference


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in on this computer (enterprise users)"))
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(FlaskForm):
    """Current password (not asked when a change is forced) and the new one twice."""

    current_password = PasswordField(_l("Current password"), validators=[Optional(), Length(max=256)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class RedeemResetCodeForm(FlaskForm):
    """User name, the one-time code from the official, and a new password."""

    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    code = StringField(_l("Reset code"), validators=[DataRequired(), Length(max=32)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Set new password"))


class IssueResetCodeForm(FlaskForm):
    """A button (with CSRF token) that issues a reset code."""

    submit = SubmitField(_l("Issue reset code"))


def _locale() -> str:
    return str(get_locale() or "zh").split("_")[0]


class RegistrationForm(FlaskForm):
    """Enterprise profile plus the first user's credentials; size class is derived, not asked."""

    uscc = StringField(
        _l("Unified social credit code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("18 characters, as printed on the business licence."),
    )
    name = StringField(_l("Enterprise name"), validators=[DataRequired(), Length(max=200)])
    district = SelectField(_l("District"), validators=[DataRequired()])
    industry_division = SelectField(_l("Industry (GB/T 4754-2017 division)"), validators=[DataRequired()])
    employees = IntegerField(
        _l("Employees"),
        validators=[
            DataRequired(message=_l("Enter the number of employees.")),
            NumberRange(min=1, max=1_000_000),
        ],
    )
    revenue_band = SelectField(_l("Annual main-business revenue"), validators=[DataRequired()])
    above_designated_size = BooleanField(_l("Above designated size (规上工业企业)"))
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=100)])
    contact_phone = StringField(
        _l("Contact phone"),
        validators=[
            DataRequired(),
            Length(max=32),
            Regexp(r"^[0-9+\-() ]{5,32}$", message=_l("Enter a phone number (digits, +, -, spaces).")),
        ],
    )
    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(),
            Length(min=3, max=64),
            Regexp(r"^[A-Za-z0-9_.@-]+$", message=_l("Use letters, digits and . _ - @ only.")),
        ],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Register"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locale = _locale()
        placeholder = [("", str(_l("— choose —")))]
        self.district.choices = placeholder + [
            (d.value, reference.district_label(d.value, locale)) for d in reference.DISTRICTS
        ]
        self.industry_division.choices = placeholder + [
            (code, reference.division_label(code, locale)) for code in reference.INDUSTRY_DIVISIONS
        ]
        self.revenue_band.choices = placeholder + [
            (band.key, band.en if locale == "en" else band.zh) for band in reference.REVENUE_BANDS
        ]

    def validate_uscc(self, field: StringField) -> None:
        """Check the code's format and check digit with python-stdnum (clear zh/en message)."""
        from portal.services.enterprises import RegistrationError, validate_uscc

        try:
            field.data = validate_uscc(field.data or "")
        except RegistrationError as error:
            raise ValidationError(str(error)) from error
