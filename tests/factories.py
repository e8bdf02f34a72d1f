"""factory_boy factories for integration tests (use inside an app context)."""

from __future__ import annotations

import random
from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

import questionnaires
import scoring
from portal import reference
from portal.extensions import db
from portal.models import Assessment, Enterprise, Membership, Round, User, utcnow
from portal.services import accounts, results
from portal.services.demo import demo_uscc

DEFAULT_PASSWORD = "Passw0rd!x"


class BaseFactory(SQLAlchemyModelFactory):
    """Flushes into the current Flask-SQLAlchemy session."""

    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class EnterpriseFactory(BaseFactory):
    """An approved, registered enterprise with a valid USCC."""

    class Meta:
        model = Enterprise

    uscc = factory.Sequence(lambda n: demo_uscc(900000 + n, "420703"))
    name = factory.Sequence(lambda n: f"鄂州市测试{n}制造有限公司")
    district = "华容区"
    industry_division = "34"
    employees = 120
    revenue_band = "2000-10000"
    size_class = factory.LazyAttribute(lambda o: reference.size_class_for_band(o.employees, o.revenue_band))
    above_designated_size = True
    contact_name = "张伟"
    contact_phone = "13800000000"
    status = "approved"
    origin = "registered"


class UserFactory(BaseFactory):
    """A user with DEFAULT_PASSWORD (argon2-hashed)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password_hash = factory.LazyFunction(lambda: accounts.hash_password(DEFAULT_PASSWORD))
    role = "enterprise"
    scope = None
    district = None
    password_changed_at = factory.LazyFunction(utcnow)


class MembershipFactory(BaseFactory):
    """An approved owner membership."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    status = "approved"
    role = "owner"


class RoundFactory(BaseFactory):
    """An open round."""

    class Meta:
        model = Round

    year = factory.Sequence(lambda n: 2030 + n)
    name = factory.LazyAttribute(lambda o: str(o.year))
    opens_on = factory.LazyAttribute(lambda o: date(o.year, 1, 1))
    closes_on = factory.LazyAttribute(lambda o: date(o.year, 12, 31))
    status = "open"


def official(district: str | None = None, **kwargs: object) -> User:
    """A district official (or a city official when district is None)."""
    if district is None:
        return UserFactory(role="official", scope="city", **kwargs)
    return UserFactory(role="official", scope="district", district=district, **kwargs)


def enterprise_user(enterprise: Enterprise | None = None, **kwargs: object) -> User:
    """An enterprise user with an approved membership of `enterprise` (a new one by default)."""
    user = UserFactory(role="enterprise", **kwargs)
    MembershipFactory(user=user, enterprise=enterprise or EnterpriseFactory())
    return user


def scored_assessment(
    enterprise: Enterprise, round_: Round, *, status: str = "submitted", seed: int = 1, quality: float = 0.5
) -> Assessment:
    """An assessment with plausible answers on the published questionnaire; submitted/verified ones are
    scored and stored through the real result service. Commits."""
    questionnaire_id, version, catalogue_version = results.published_versions()
    questionnaire = questionnaires.load(questionnaire_id, version)
    answers = scoring.random_answers(
        questionnaire, random.Random(seed), quality=quality, context=results.scoring_context(enterprise)
    )
    assessment = Assessment(
        enterprise=enterprise,
        round=round_,
        questionnaire_id=questionnaire_id,
        questionnaire_version=version,
        catalogue_version=catalogue_version,
        status=status,
        answers=answers,
    )
    db.session.add(assessment)
    db.session.flush()
    if status in ("submitted", "verified"):
        results.score_and_store(assessment)
        results.refresh_current(enterprise.id, round_.id)
    db.session.commit()
    return assessment
