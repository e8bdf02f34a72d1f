"""The one form builder: a fresh WTForms class per request, one field factory per question type.

The template renders the fields itself (fieldsets, help, definitions, aria links); the form
parses and converts what a section posts into API answer values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from questionnaires.model import BOOLEAN, MULTI, NA, NUMBER, PERCENT, SCENE, SINGLE, TEXT, Question, Section

NONE_OF_THESE = "__none"  # multi questions without an exclusive option: "none of these" -> []
NA_SUFFIX = "__na"  # companion checkbox of number/percent/text questions that allow "na"


def _option_choices(question: Question, lang: str) -> list[tuple[str, str]]:
    choices = [(option.value, option.label.get(lang)) for option in question.options]
    if question.allows_na:
        choices.append((NA, str(_l("Not applicable"))))
    return choices


def single_field(question: Question, lang: str) -> Field:
    """single / scene: one radio group."""
    return RadioField(
        question.title.get(lang), choices=_option_choices(question, lang), validators=[Optional()]
    )


def multi_field(question: Question, lang: str) -> Field:
    """multi: checkboxes; an explicit "none of these" when the question has no exclusive option."""
    choices = [(option.value, option.label.get(lang)) for option in question.options]
    if not any(option.exclusive for option in question.options):
        choices.append((NONE_OF_THESE, str(_l("None of these"))))
    if question.allows_na:
        choices.append((NA, str(_l("Not applicable"))))
    return SelectMultipleField(question.title.get(lang), choices=choices, validators=[Optional()])


def number_field(question: Question, lang: str) -> Field:
    """number / percent: free text parsed as a number (so a wrong entry gets a message, not a crash)."""
    return StringField(question.title.get(lang), validators=[Optional()])


def boolean_field(question: Question, lang: str) -> Field:
    """boolean: a yes/no radio group (a checkbox could not tell "no" from "not answered")."""
    choices = [("true", str(_l("Yes"))), ("false", str(_l("No")))]
    if question.allows_na:
        choices.append((NA, str(_l("Not applicable"))))
    return RadioField(question.title.get(lang), choices=choices, validators=[Optional()])


def text_field(question: Question, lang: str) -> Field:
    """text: a text area."""
    return TextAreaField(question.title.get(lang), validators=[Optional()])


def field_for(question: Question, lang: str) -> Field:
    """The unbound field of one question."""
    match question.type:
        case "single" | "scene":
            return single_field(question, lang)
        case "multi":
            return multi_field(question, lang)
        case "number" | "percent":
            return number_field(question, lang)
        case "boolean":
            return boolean_field(question, lang)
        case "text":
            return text_field(question, lang)
    raise ValueError(f"unknown question type {question.type!r}")


def field_data(question: Question, value: Any) -> tuple[Any, bool]:
    """(field data, na checkbox) for a stored answer."""
    if value is None:
        return (None if question.type != MULTI else []), False
    if value == NA:
        if question.type in (NUMBER, PERCENT, TEXT):
            return ("" if question.type == TEXT else None), True
        return ([NA] if question.type == MULTI else NA), False
    match question.type:
        case "multi":
            return (list(value) if value else [NONE_OF_THESE]), False
        case "boolean":
            return ("true" if value else "false"), False
        case "number" | "percent":
            return (f"{value:g}" if isinstance(value, float) else str(value)), False
    return value, False


def build_section_form(
    questions: list[Question], answers: Mapping[str, Any], lang: str, formdata: Any = None
) -> FlaskForm:
    """A fresh form class for these questions, bound to the posted data or to the stored answers."""
    fields: dict[str, Any] = {"version": HiddenField()}
    for question in questions:
        fields[question.id] = field_for(question, lang)
        if question.allows_na and question.type in (NUMBER, PERCENT, TEXT):
            fields[question.id + NA_SUFFIX] = BooleanField(str(_l("Not applicable")))
    form_class = type("SectionForm", (FlaskForm,), fields)
    data: dict[str, Any] = {}
    for question in questions:
        value, na = field_data(question, answers.get(question.id))
        data[question.id] = value
        if question.allows_na and question.type in (NUMBER, PERCENT, TEXT):
            data[question.id + NA_SUFFIX] = na
    if formdata is not None:
        return form_class(formdata=formdata, data=data)
    return form_class(data=data)


def _parse_number(raw: str) -> float | int | None:
    text = raw.strip().replace(",", "").replace("，", "").replace("％", "").replace("%", "")
    if not text:
        return None
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(raw)
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def posted_answers(form: FlaskForm, questions: list[Question]) -> tuple[dict[str, Any], dict[str, str]]:
    """Convert posted fields to answer values; returns (answers, errors by question id).

    Unanswered fields give None (a cleared answer).
    """
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        field = form[question.id]
        na_field = form._fields.get(question.id + NA_SUFFIX)
        if na_field is not None and na_field.data:
            answers[question.id] = NA
            continue
        raw = field.data
        if question.type in (SINGLE, SCENE):
            answers[question.id] = raw or None
        elif question.type == MULTI:
            chosen = [value for value in (raw or []) if value]
            if NA in chosen:
                answers[question.id] = NA
            elif not chosen:
                answers[question.id] = None
            else:
                answers[question.id] = [value for value in chosen if value != NONE_OF_THESE]
        elif question.type == BOOLEAN:
            answers[question.id] = {"true": True, "false": False, NA: NA}.get(raw or "")
        elif question.type in (NUMBER, PERCENT):
            try:
                answers[question.id] = _parse_number(raw or "")
            except ValueError:
                errors[question.id] = str(_l("Enter a number."))
        elif question.type == TEXT:
            answers[question.id] = raw if raw and raw.strip() else None
    return answers, errors


def section_questions(section: Section, questions_by_id: Mapping[str, Question]) -> list[Question]:
    """The questions of a section, in order."""
    return [questions_by_id[question_id] for question_id in section.question_ids]


class SubmitForm(FlaskForm):
    """The truthfulness pledge and the data-use notice, accepted at submit."""

    pledge = BooleanField(_l("I confirm that the answers are true and complete to the best of my knowledge."))
    data_use = BooleanField(
        _l(
            "I have read the data-use notice: the answers are used by the Ezhou Bureau of Economy and "
            "Information Technology for this assessment, district statistics and support programmes only."
        )
    )
    idempotency_key = HiddenField()


class InviteForm(FlaskForm):
    """Issue an invite code for a colleague (no fields besides the CSRF token)."""


class JoinForm(FlaskForm):
    """Enter an invite code to join a colleague's enterprise."""

    code = StringField(_l("Invite code"), validators=[Optional()])
