"""Enterprise blueprint: enterprise home pages and the registration approval pages."""

from flask import Blueprint

bp = Blueprint("enterprises", __name__)

from portal.enterprises import routes  # noqa: E402,F401
