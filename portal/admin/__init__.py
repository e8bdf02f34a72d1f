"""Administration area under /admin/ (admins only), plus member removal pages for enterprises and officials."""

from flask import Blueprint

# cli_group=None: the blueprint's commands are top-level (`flask --app portal disable-inactive`).
bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)

from portal.admin import cli, routes  # noqa: E402,F401
from portal.admin.members import bp as members_bp  # noqa: E402,F401
