"""Routes of the auth blueprint (no queries here: everything goes through portal.services)."""

from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.access import access
from portal.auth import bp
from portal.auth.forms import (
    ChangePasswordForm,
    IssueResetCodeForm,
    LoginForm,
    RedeemResetCodeForm,
    RegistrationForm,
)
from portal.models import utcnow
from portal.services import accounts, enterprises

# Endpoints reachable while a password change is forced, and endpoints that never touch the session clock.
_ALLOWED_DURING_FORCED_CHANGE = {
    "auth.change_password",
    "auth.logout",
    "main.set_language",
    "main.healthz",
    "static",
}


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.before_app_request
def enforce_session_rules() -> Response | None:
    """Idle timeout (server-side) and forced password change, before every request."""
    if request.endpoint in ("static", "main.healthz") or not current_user.is_authenticated:
        return None
    now = time.time()
    last_seen = session.get("last_seen")
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    remembered = session.get("remember") and current_user.role == "enterprise"
    if last_seen is not None and now - float(last_seen) > idle_limit and not remembered:
        logout_user()
        session.pop("last_seen", None)
        flash(_("You were signed out after a period of inactivity. Please log in again."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    session["last_seen"] = now
    session.permanent = True
    if (
        accounts.password_change_required(current_user)
        and request.endpoint not in _ALLOWED_DURING_FORCED_CHANGE
    ):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
@access("anonymous")
def login() -> str | Response:
    """Log in with user name and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = accounts.authenticate(form.username.data or "", form.password.data or "")
        if outcome.user is not None:
            user = outcome.user
            remember = bool(form.remember.data) and user.role == "enterprise"
            language = session.get("lang")
            session.clear()  # a fresh session at login (no fixation), keeping the chosen language
            if language:
                session["lang"] = language
            login_user(user, remember=remember)
            session.permanent = True
            session["last_seen"] = time.time()
            session["remember"] = remember
            return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
        if outcome.reason == "locked" and outcome.locked_until is not None:
            minutes = max(1, math.ceil((outcome.locked_until - utcnow()).total_seconds() / 60))
            flash(
                _(
                    "Too many failed attempts: the account is locked for %(minutes)d more minutes.",
                    minutes=minutes,
                ),
                "error",
            )
        elif outcome.reason == "inactive":
            flash(_("This account is deactivated."), "error")
        else:
            flash(_("Wrong user name or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@access("authenticated")
def logout() -> Response:
    """Log out and end the session server-side."""
    accounts.record_logout(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@access("authenticated")
def change_password() -> str | Response:
    """Change the password (the current one is not asked when the change is forced)."""
    user = current_user._get_current_object()
    forced = accounts.password_change_required(user)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                user,
                form.new_password.data or "",
                current_password=None if user.must_change_password else (form.current_password.data or ""),
            )
        except accounts.AccountError as error:
            form.new_password.errors = [*form.new_password.errors, str(error)]
        else:
            # The session version changed: sign in again with the new identity, keep remember-me off.
            login_user(user)
            session["last_seen"] = time.time()
            session["remember"] = False
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.index"))
    return render_template(
        "auth/change_password.html", form=form, forced=forced, ask_current=not user.must_change_password
    )


@bp.route("/reset", methods=["GET", "POST"])
@access("anonymous")
def redeem_reset_code() -> str | Response:
    """Set a new password with a one-time reset code from an official."""
    form = RedeemResetCodeForm()
    if form.validate_on_submit():
        try:
            accounts.redeem_reset_code(
                form.username.data or "", form.code.data or "", form.new_password.data or ""
            )
        except accounts.AccountError as error:
            flash(str(error), "error")
        else:
            flash(_("Your new password is set. Please log in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/accounts")
@access("staff")
def accounts_list() -> str:
    """Users the official or admin may help (search by user name)."""
    search = request.args.get("q", "")
    users = accounts.manageable_users(current_user._get_current_object(), search)
    return render_template("auth/accounts.html", users=users, search=search, form=IssueResetCodeForm())


@bp.route("/accounts/<int:user_id>/reset-code", methods=["POST"])
@access("staff")
def issue_reset_code(user_id: int) -> str:
    """Issue a one-time reset code and show it once."""
    actor = current_user._get_current_object()
    target = accounts.get_user(user_id)
    form = IssueResetCodeForm()
    if target is None or not accounts.can_manage_user(actor, target) or not form.validate_on_submit():
        abort(404)
    code = accounts.issue_reset_code(target, actor)
    return render_template(
        "auth/reset_code.html", target=target, code=code, minutes=current_app.config["RESET_CODE_MINUTES"]
    )


@bp.route("/register", methods=["GET", "POST"])
@access("anonymous")
def register() -> str | Response:
    """Register an enterprise (or claim an imported one) and its first user."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        data = enterprises.RegistrationData(
            uscc=form.uscc.data or "",
            name=form.name.data or "",
            district=form.district.data or "",
            industry_division=form.industry_division.data or "",
            employees=form.employees.data or 0,
            revenue_band=form.revenue_band.data or "",
            above_designated_size=bool(form.above_designated_size.data),
            contact_name=form.contact_name.data or "",
            contact_phone=form.contact_phone.data or "",
            username=form.username.data or "",
            password=form.password.data or "",
        )
        try:
            result = enterprises.register(data)
        except enterprises.RegistrationError as error:
            field = getattr(form, error.field or "", None)
            if field is not None:
                field.errors = [*field.errors, str(error)]
            else:
                flash(str(error), "error")
        else:
            login_user(result.user)
            session.permanent = True
            session["last_seen"] = time.time()
            session["remember"] = False
            if result.claimed:
                flash(_("Your claim of this enterprise was sent for approval."), "success")
            else:
                flash(_("Your registration was sent for approval."), "success")
            return redirect(url_for("enterprises.home"))
    return render_template("auth/register.html", form=form)
