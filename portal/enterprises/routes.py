"""Routes of the enterprises blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.access import access
from portal.enterprises import bp
from portal.enterprises.forms import DecisionForm
from portal.services import enterprises
from portal.services import home as home_service


@bp.route("/enterprise")
@access("enterprise")
def home() -> str:
    """The enterprise user's home: each enterprise's registration state and where its self-assessment stands."""
    lang = "en" if str(get_locale() or "zh").startswith("en") else "zh"
    entries = home_service.enterprise_home(current_user._get_current_object(), lang)
    return render_template("enterprises/home.html", entries=entries)


@bp.route("/enterprises/<int:enterprise_id>")
@access("authenticated")
def detail(enterprise_id: int) -> str:
    """One enterprise's profile, for its members and for officials in scope (404 otherwise)."""
    enterprise = enterprises.visible_enterprise(current_user._get_current_object(), enterprise_id)
    if enterprise is None:
        abort(404)
    return render_template("enterprises/detail.html", enterprise=enterprise)


@bp.route("/approvals")
@access("staff")
def approvals() -> str:
    """Pending registrations and claims in the reviewer's scope."""
    pending = enterprises.pending_memberships(current_user._get_current_object())
    return render_template("enterprises/approvals.html", pending=pending)


@bp.route("/approvals/<int:membership_id>", methods=["GET", "POST"])
@access("staff")
def decide(membership_id: int) -> str | Response:
    """Approve or reject one registration or claim."""
    reviewer = current_user._get_current_object()
    membership = enterprises.reviewable_membership(reviewer, membership_id)
    if membership is None:
        abort(404)
    form = DecisionForm()
    if membership.status == "pending" and form.validate_on_submit():
        if form.approve.data:
            enterprises.approve(membership, reviewer)
            flash(_("Approved: %(name)s", name=membership.enterprise.name), "success")
            return redirect(url_for("enterprises.approvals"))
        reason = (form.reason.data or "").strip()
        if not reason:
            form.reason.errors = [*form.reason.errors, _("Give a reason for the rejection.")]
        else:
            enterprises.reject(membership, reviewer, reason)
            flash(_("Rejected: %(name)s", name=membership.enterprise.name), "info")
            return redirect(url_for("enterprises.approvals"))
    return render_template("enterprises/decide.html", membership=membership, form=form)
