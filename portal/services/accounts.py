"""Users, passwords (argon2), login lockout, password policy and one-time reset codes."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.models import OFFICIAL_SCOPES, ROLES, Enterprise, Membership, ResetCode, User, utcnow
from portal.reference import DISTRICT_VALUES
from portal.services import audit

RESET_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
RESET_CODE_LENGTH = 10


class AccountError(ValueError):
    """A user-facing reason why an account operation was refused."""


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against an argon2 hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- password policy ---------------------------------------------------------------------------


def password_policy_errors(password: str, username: str | None = None) -> list[str]:
    """Reasons the password breaks the configured policy (`length` or `mlps2`); empty if acceptable."""
    config = current_app.config
    errors: list[str] = []
    min_length = config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        errors.append(str(_l("The password must have at least %(n)d characters.", n=min_length)))
    if username and username.lower() in password.lower():
        errors.append(str(_l("The password must not contain the user name.")))
    if config["PASSWORD_POLICY"] == "mlps2":
        classes = sum(
            (
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(c in string.punctuation or c == " " for c in password),
            )
        )
        if classes < 3:
            errors.append(
                str(
                    _l(
                        "The password must mix at least three of: lower-case letters, upper-case letters, "
                        "digits and symbols."
                    )
                )
            )
    return errors


def password_expired(user: User) -> bool:
    """Under the mlps2 policy, whether the password is older than the maximum age."""
    config = current_app.config
    if config["PASSWORD_POLICY"] != "mlps2" or user.password_changed_at is None:
        return False
    return utcnow() - user.password_changed_at > timedelta(days=config["PASSWORD_MAX_AGE_DAYS"])


def password_change_required(user: User) -> bool:
    """Whether the user must choose a new password before doing anything else."""
    return user.must_change_password or password_expired(user)


# --- users -------------------------------------------------------------------------------------


def get_user(user_id: int) -> User | None:
    """A user by id."""
    return db.session.get(User, user_id)


def find_user(username: str) -> User | None:
    """A user by user name (case-insensitive)."""
    return db.session.scalar(select(User).where(db.func.lower(User.username) == username.strip().lower()))


def load_session_user(session_id: str) -> User | None:
    """Flask-Login loader: "<id>:<session_version>"; a stale version means the session was ended."""
    try:
        user_id_text, version_text = session_id.split(":", 1)
        user_id, version = int(user_id_text), int(version_text)
    except ValueError:
        return None
    user = get_user(user_id)
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    scope: str | None = None,
    district: str | None = None,
    display_name: str | None = None,
    is_reviewer: bool = False,
    must_change_password: bool = False,
    check_policy: bool = True,
) -> User:
    """Create a user (caller commits); officials need scope "city" or scope "district" plus a district."""
    username = username.strip()
    if role not in ROLES:
        raise AccountError(str(_l("Unknown role.")))
    if not username or len(username) > 64:
        raise AccountError(str(_l("Choose a user name of 1 to 64 characters.")))
    if find_user(username) is not None:
        raise AccountError(str(_l("This user name is already taken.")))
    if role == "official":
        if scope not in OFFICIAL_SCOPES:
            raise AccountError(str(_l("An official needs a scope: a district or the whole city.")))
        if scope == "district" and district not in DISTRICT_VALUES:
            raise AccountError(str(_l("Unknown district.")))
        if scope == "city":
            district = None
    else:
        scope, district = None, None
    if check_policy:
        errors = password_policy_errors(password, username)
        if errors:
            raise AccountError(" ".join(errors))
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        scope=scope,
        district=district,
        is_reviewer=is_reviewer,
        must_change_password=must_change_password,
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def add_membership(
    user: User, enterprise: Enterprise, *, status: str = "approved", role: str = "owner"
) -> Membership:
    """Link a user to an enterprise (caller commits)."""
    membership = Membership(user=user, enterprise=enterprise, status=status, role=role)
    if status != "pending":
        membership.decided_at = utcnow()
    db.session.add(membership)
    db.session.flush()
    return membership


# --- login -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    """Result of a login attempt: the user, or the reason ("invalid", "locked", "inactive")."""

    user: User | None
    reason: str | None = None
    locked_until: datetime | None = None


_DUMMY_HASH: str | None = None


def _burn_time(password: str) -> None:
    # Verify against a dummy hash so unknown user names take as long as wrong passwords.
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(8))
    verify_password(_DUMMY_HASH, password)


def authenticate(username: str, password: str) -> LoginOutcome:
    """Check credentials with lockout; records the audit event and commits."""
    user = find_user(username)
    now = utcnow()
    if user is None:
        _burn_time(password)
        audit.record("login", username=username[:64], result="failure", detail={"reason": "unknown user"})
        db.session.commit()
        return LoginOutcome(None, "invalid")
    if user.locked_until is not None and user.locked_until > now:
        audit.record("login", user=user, result="failure", detail={"reason": "locked"})
        db.session.commit()
        return LoginOutcome(None, "locked", user.locked_until)
    if not verify_password(user.password_hash, password):
        user.failed_login_count += 1
        detail: dict[str, object] = {"reason": "wrong password", "failures": user.failed_login_count}
        locked = user.failed_login_count >= current_app.config["LOGIN_MAX_FAILURES"]
        if locked:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
            user.failed_login_count = 0
            detail["locked_until"] = user.locked_until.isoformat()
        audit.record("login", user=user, result="failure", detail=detail)
        db.session.commit()
        if locked:
            return LoginOutcome(None, "locked", user.locked_until)
        return LoginOutcome(None, "invalid")
    if not user.active:
        audit.record("login", user=user, result="failure", detail={"reason": "inactive"})
        db.session.commit()
        return LoginOutcome(None, "inactive")
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("login", user=user)
    db.session.commit()
    return LoginOutcome(user)


def record_logout(user: User) -> None:
    """End every session of the user server-side (bumps session_version) and audit the logout."""
    user.session_version += 1
    audit.record("logout", user=user)
    db.session.commit()


def change_password(user: User, new_password: str, *, current_password: str | None = None) -> None:
    """Set a new password (checking the current one when given); ends other sessions and remember-me cookies."""
    if current_password is not None and not verify_password(user.password_hash, current_password):
        audit.record(
            "password_change", user=user, result="failure", detail={"reason": "wrong current password"}
        )
        db.session.commit()
        raise AccountError(str(_l("The current password is wrong.")))
    errors = password_policy_errors(new_password, user.username)
    if verify_password(user.password_hash, new_password):
        errors.append(str(_l("The new password must differ from the current one.")))
    if errors:
        raise AccountError(" ".join(errors))
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    user.failed_login_count = 0
    user.locked_until = None
    user.session_version += 1
    audit.record("password_change", user=user)
    db.session.commit()


# --- reset codes ---------------------------------------------------------------------------------


def can_manage_user(actor: User, target: User) -> bool:
    """Admins manage everyone; officials manage enterprise users of enterprises in their scope."""
    if actor.role == "admin":
        return True
    if actor.role != "official" or target.role != "enterprise":
        return False
    if actor.scope == "city":
        return True
    return any(m.enterprise.district == actor.district for m in target.memberships)


def manageable_users(actor: User, search: str = "", limit: int = 50) -> list[User]:
    """Users the actor may issue reset codes for, filtered by a user-name fragment."""
    query = select(User).order_by(User.username).limit(limit)
    if search:
        query = query.where(User.username.ilike(f"%{search.strip()}%"))
    if actor.role == "official":
        query = query.where(User.role == "enterprise")
        if actor.scope != "city":
            query = query.where(
                User.id.in_(
                    select(Membership.user_id)
                    .join(Enterprise, Enterprise.id == Membership.enterprise_id)
                    .where(Enterprise.district == actor.district)
                )
            )
    elif actor.role != "admin":
        return []
    return list(db.session.scalars(query))


def issue_reset_code(target: User, actor: User) -> str:
    """Create a one-time reset code for `target` (earlier unused codes are voided); returns the plain code.

    The issuer has identified the user, so a lockout is lifted: the code can be redeemed at once.
    """
    if not can_manage_user(actor, target):
        raise AccountError(str(_l("You may not reset this user's password.")))
    now = utcnow()
    was_locked = target.locked_until is not None and target.locked_until > now
    target.locked_until = None
    target.failed_login_count = 0
    for old in db.session.scalars(
        select(ResetCode).where(ResetCode.user_id == target.id, ResetCode.used_at.is_(None))
    ):
        old.used_at = now
    code = "".join(secrets.choice(RESET_CODE_ALPHABET) for _ in range(RESET_CODE_LENGTH))
    minutes = current_app.config["RESET_CODE_MINUTES"]
    db.session.add(
        ResetCode(
            user_id=target.id,
            code_hash=hash_password(code),
            expires_at=now + timedelta(minutes=minutes),
            created_by_id=actor.id,
        )
    )
    audit.record(
        "reset_code_issued",
        user=actor,
        object_type="user",
        object_id=target.id,
        detail={"lockout_lifted": True} if was_locked else None,
    )
    db.session.commit()
    return code


def redeem_reset_code(username: str, code: str, new_password: str) -> User:
    """Use a reset code to set a new password; single use, expiring, counts towards the lockout."""
    user = find_user(username)
    normalized = code.strip().upper().replace(" ", "").replace("-", "")
    refused = AccountError(str(_l("The user name or reset code is wrong, used or expired.")))
    if user is None:
        _burn_time(normalized)
        audit.record(
            "password_reset", username=username[:64], result="failure", detail={"reason": "unknown user"}
        )
        db.session.commit()
        raise refused
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        audit.record("password_reset", user=user, result="failure", detail={"reason": "locked"})
        db.session.commit()
        raise AccountError(str(_l("Too many failed attempts. Try again later.")))
    candidates = db.session.scalars(
        select(ResetCode).where(
            ResetCode.user_id == user.id, ResetCode.used_at.is_(None), ResetCode.expires_at > now
        )
    ).all()
    match = next((c for c in candidates if verify_password(c.code_hash, normalized)), None)
    if match is None:
        user.failed_login_count += 1
        if user.failed_login_count >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
            user.failed_login_count = 0
        audit.record("password_reset", user=user, result="failure", detail={"reason": "bad code"})
        db.session.commit()
        raise refused
    errors = password_policy_errors(new_password, user.username)
    if errors:
        raise AccountError(" ".join(errors))
    match.used_at = now
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    user.must_change_password = False
    user.failed_login_count = 0
    user.locked_until = None
    user.session_version += 1
    audit.record("password_reset", user=user)
    db.session.commit()
    return user
