"""Enterprises: USCC validation, registration and claims, approval, and scope rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from portal import reference
from portal.extensions import db
from portal.models import Enterprise, Membership, User, utcnow
from portal.services import accounts, audit


class RegistrationError(ValueError):
    """A user-facing reason why a registration was refused; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def validate_uscc(code: str) -> str:
    """Return the normalized 统一社会信用代码 or raise RegistrationError with a clear zh/en message."""
    try:
        return stdnum_uscc.validate(code or "")
    except InvalidLength:
        message = _l("The unified social credit code must have exactly 18 characters.")
    except InvalidFormat:
        message = _l(
            "The unified social credit code contains characters that are not allowed "
            "(the first 8 must be digits; I, O, S, V and Z are never used)."
        )
    except InvalidChecksum:
        message = _l(
            "The check digit of this unified social credit code is wrong; please check it for typing errors."
        )
    except ValidationError:
        message = _l("This is not a valid unified social credit code.")
    raise RegistrationError(str(message), "uscc")


def get_by_uscc(code: str) -> Enterprise | None:
    """The enterprise with this (normalized) USCC, or None."""
    return db.session.scalar(select(Enterprise).where(Enterprise.uscc == stdnum_uscc.compact(code or "")))


# --- scope ---------------------------------------------------------------------------------------


def scope_enterprises(query: Select[Any], user: User) -> Select[Any]:
    """Restrict a query that selects from Enterprise to what `user` may see."""
    if user.is_city_wide:
        return query
    if user.role == "official":
        return query.where(Enterprise.district == user.district)
    if user.role == "enterprise":
        return query.where(
            Enterprise.id.in_(
                select(Membership.enterprise_id).where(
                    Membership.user_id == user.id, Membership.status == "approved"
                )
            )
        )
    return query.where(db.false())


def can_review(user: User, enterprise: Enterprise) -> bool:
    """Whether `user` may approve or reject registrations of `enterprise`."""
    if user.role == "admin":
        return True
    if user.role != "official":
        return False
    return user.scope == "city" or user.district == enterprise.district


def visible_enterprise(user: User, enterprise_id: int) -> Enterprise | None:
    """The enterprise if `user` may see it (None -> the route answers 404)."""
    return db.session.scalar(
        scope_enterprises(select(Enterprise).where(Enterprise.id == enterprise_id), user)
    )


def memberships_of(user: User) -> list[Membership]:
    """All memberships of a user (pending, approved and rejected), newest first."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.user_id == user.id)
            .options(selectinload(Membership.enterprise))
            .order_by(Membership.created_at.desc(), Membership.id.desc())
        )
    )


def membership_of(user: User, enterprise_id: int) -> Membership | None:
    """The user's membership in an enterprise, or None."""
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.enterprise_id == enterprise_id)
    )


# --- registration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationData:
    """What the registration form collects (already shape-validated by the form)."""

    uscc: str
    name: str
    district: str
    industry_division: str
    employees: int
    revenue_band: str
    above_designated_size: bool
    contact_name: str
    contact_phone: str
    username: str
    password: str


@dataclass(frozen=True)
class RegistrationResult:
    """The new user and pending membership; `claimed` when an imported record was claimed."""

    user: User
    membership: Membership
    claimed: bool


def profile_errors(data: RegistrationData) -> dict[str, str]:
    """Field -> message for profile values that break the reference rules."""
    errors: dict[str, str] = {}
    if data.district not in reference.DISTRICT_VALUES:
        errors["district"] = str(_l("Choose one of the listed districts."))
    if data.industry_division not in reference.INDUSTRY_DIVISIONS:
        errors["industry_division"] = str(_l("Choose a manufacturing division (13-43)."))
    if data.revenue_band not in reference.REVENUE_BAND_KEYS:
        errors["revenue_band"] = str(_l("Choose a revenue band."))
    elif data.above_designated_size and not reference.band_is_above_designated_size(data.revenue_band):
        errors["above_designated_size"] = str(
            _l("Enterprises above designated size have an annual revenue of at least CNY 20 million.")
        )
    if data.employees < 0:
        errors["employees"] = str(_l("The number of employees cannot be negative."))
    return errors


def register(data: RegistrationData) -> RegistrationResult:
    """Register an enterprise and its first user (pending), or claim an imported enterprise; commits."""
    code = validate_uscc(data.uscc)
    for field, message in profile_errors(data).items():
        raise RegistrationError(message, field)
    if accounts.find_user(data.username) is not None:
        raise RegistrationError(str(_l("This user name is already taken.")), "username")
    policy = accounts.password_policy_errors(data.password, data.username)
    if policy:
        raise RegistrationError(" ".join(policy), "password")

    size = reference.size_class_for_band(data.employees, data.revenue_band)
    application = {
        "name": data.name,
        "district": data.district,
        "industry_division": data.industry_division,
        "employees": data.employees,
        "revenue_band": data.revenue_band,
        "size_class": size,
        "above_designated_size": data.above_designated_size,
        "contact_name": data.contact_name,
        "contact_phone": data.contact_phone,
    }
    enterprise = get_by_uscc(code)
    claimed = False
    if enterprise is not None:
        open_claims = db.session.scalar(
            select(db.func.count())
            .select_from(Membership)
            .where(Membership.enterprise_id == enterprise.id, Membership.status.in_(("pending", "approved")))
        )
        rejected_before = enterprise.origin == "registered" and enterprise.status == "rejected"
        if open_claims or not (enterprise.origin == "imported" or rejected_before):
            raise RegistrationError(
                str(_l("An enterprise with this unified social credit code is already registered.")), "uscc"
            )
        if rejected_before:
            # A rejected registration does not block the code: the new application replaces it.
            for field in (
                "name",
                "district",
                "industry_division",
                "employees",
                "revenue_band",
                "size_class",
                "above_designated_size",
                "contact_name",
                "contact_phone",
            ):
                setattr(enterprise, field, application[field])
            enterprise.status = "pending"
            enterprise.reject_reason = None
        else:
            claimed = True
    else:
        enterprise = Enterprise(
            uscc=code,
            name=data.name.strip(),
            district=data.district,
            industry_division=data.industry_division,
            employees=data.employees,
            revenue_band=data.revenue_band,
            size_class=size,
            above_designated_size=data.above_designated_size,
            contact_name=data.contact_name.strip() or None,
            contact_phone=data.contact_phone.strip() or None,
            status="pending",
            origin="registered",
        )
        db.session.add(enterprise)
        db.session.flush()
    user = accounts.create_user(data.username, data.password, "enterprise")
    membership = Membership(
        user=user, enterprise=enterprise, status="pending", role="owner", application=application
    )
    db.session.add(membership)
    db.session.flush()
    audit.record(
        "registration",
        user=user,
        object_type="enterprise",
        object_id=enterprise.id,
        detail={"uscc": code, "claim": claimed},
    )
    db.session.commit()
    return RegistrationResult(user, membership, claimed)


# --- approval ------------------------------------------------------------------------------------


def pending_memberships(reviewer: User) -> list[Membership]:
    """Pending registrations and claims in the reviewer's scope, oldest first."""
    query = (
        select(Membership)
        .join(Enterprise, Enterprise.id == Membership.enterprise_id)
        .where(Membership.status == "pending")
        .options(selectinload(Membership.enterprise), selectinload(Membership.user))
        .order_by(Membership.created_at, Membership.id)
    )
    if reviewer.role == "official" and reviewer.scope != "city":
        query = query.where(Enterprise.district == reviewer.district)
    elif reviewer.role not in ("official", "admin"):
        return []
    return list(db.session.scalars(query))


def reviewable_membership(reviewer: User, membership_id: int) -> Membership | None:
    """A membership the reviewer may decide on (None -> 404)."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or not can_review(reviewer, membership.enterprise):
        return None
    return membership


def approve(membership: Membership, reviewer: User) -> None:
    """Approve a registration or claim; a claim fills the imported record's missing profile fields."""
    if not can_review(reviewer, membership.enterprise):
        raise PermissionError
    now = utcnow()
    enterprise = membership.enterprise
    membership.status = "approved"
    membership.decided_at = now
    membership.decided_by_id = reviewer.id
    membership.reject_reason = None
    if enterprise.status != "approved":
        enterprise.status = "approved"
        enterprise.approved_at = now
        enterprise.approved_by_id = reviewer.id
        enterprise.reject_reason = None
    if enterprise.origin == "imported" and membership.application:
        for field in ("employees", "revenue_band", "contact_name", "contact_phone"):
            if getattr(enterprise, field) in (None, ""):
                setattr(enterprise, field, membership.application.get(field))
        if enterprise.size_class is None:
            enterprise.size_class = membership.application.get("size_class")
    audit.record("registration_approved", user=reviewer, object_type="membership", object_id=membership.id)
    db.session.commit()


def reject(membership: Membership, reviewer: User, reason: str) -> None:
    """Reject a registration or claim with a reason the applicant sees."""
    if not can_review(reviewer, membership.enterprise):
        raise PermissionError
    now = utcnow()
    membership.status = "rejected"
    membership.decided_at = now
    membership.decided_by_id = reviewer.id
    membership.reject_reason = reason.strip()
    if membership.enterprise.origin == "registered" and membership.enterprise.status == "pending":
        membership.enterprise.status = "rejected"
        membership.enterprise.reject_reason = reason.strip()
    audit.record(
        "registration_rejected",
        user=reviewer,
        object_type="membership",
        object_id=membership.id,
        detail={"reason": reason.strip()},
    )
    db.session.commit()
