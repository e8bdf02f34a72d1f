"""Removing users from an enterprise: colleagues (enterprise users) and officials in scope."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.access import access
from portal.admin.forms import ActionForm
from portal.extensions import db
from portal.models import Membership
from portal.services import admin, enterprises

bp = Blueprint("members", __name__)


@bp.route("/enterprise/colleagues")
@access("enterprise")
def colleagues() -> str:
    """The users of the enterprise user's approved enterprises, with remove buttons."""
    user = current_user._get_current_object()
    groups = [
        (membership.enterprise, admin.enterprise_members(membership.enterprise_id))
        for membership in enterprises.memberships_of(user)
        if membership.status == "approved"
    ]
    return render_template("admin/colleagues.html", groups=groups, form=ActionForm())


@bp.route("/enterprises/<int:enterprise_id>/members")
@access("staff")
def members(enterprise_id: int) -> str:
    """An enterprise's users, for officials in scope and admins."""
    actor = current_user._get_current_object()
    enterprise = enterprises.visible_enterprise(actor, enterprise_id)
    if enterprise is None:
        abort(404)
    return render_template(
        "admin/members.html",
        enterprise=enterprise,
        members=admin.enterprise_members(enterprise_id),
        form=ActionForm(),
    )


@bp.route("/memberships/<int:membership_id>/remove", methods=["POST"])
@access("authenticated")
def remove(membership_id: int) -> Response:
    """Remove a user from an enterprise (colleague, official in scope or admin)."""
    actor = current_user._get_current_object()
    membership = db.session.get(Membership, membership_id)
    if membership is None or not admin.can_remove_member(actor, membership):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    name, enterprise_id = membership.user.username, membership.enterprise_id
    admin.remove_member(actor, membership)
    flash(_("%(name)s was removed from the enterprise.", name=name), "success")
    if actor.role == "enterprise":
        return redirect(url_for("members.colleagues"))
    return redirect(url_for("members.members", enterprise_id=enterprise_id))
