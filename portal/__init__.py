"""Ezhou manufacturing digital-maturity self-assessment portal."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask, abort, has_request_context, jsonify, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

import portal.reports  # noqa: F401  (points FONTCONFIG_FILE at the bundled fonts before WeasyPrint loads)
from config import get_config
from portal import reference
from portal.access import access_rule_of
from portal.extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
JSON_ERRORS = {
    400: "Bad request.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    500: "Internal error.",
}


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Application factory: `config_name` is development, testing or production."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(get_config(config_name))
    if overrides:
        app.config.update(overrides)
    # Before any route is added: every <int:...> in a URL fits the database's INTEGER columns, so an id past
    # that range is a plain 404 instead of a database error on PostgreSQL.
    app.url_map.converters["int"] = DatabaseIdConverter
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_reports(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_access_guard(app)
    register_security(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    # SQLite ignores foreign keys unless asked; PostgreSQL always enforces them.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


class DatabaseIdConverter(IntegerConverter):
    """`int` in URLs: 0 .. 2**31 - 1 (the INTEGER primary keys of SQLite and PostgreSQL)."""

    def __init__(
        self, url_map: Any, fixed_digits: int = 0, min: int | None = 0, max: int | None = 2**31 - 1
    ) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max)


def select_locale() -> str:
    """?lang= (remembered in the session), then the session, then Chinese; English outside requests."""
    languages = ("zh", "en")
    if not has_request_context():
        return "en"  # command-line output
    requested = request.args.get("lang")
    if requested in languages:
        session["lang"] = requested
        return requested
    stored = session.get("lang")
    return stored if stored in languages else "zh"


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to the app."""
    from portal.services.accounts import load_session_user

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)


def register_blueprints(app: Flask) -> None:
    """Register the feature blueprints."""
    from portal.admin import bp as admin_bp
    from portal.admin import members_bp
    from portal.api import bp as api_bp
    from portal.assessments import bp as assessments_bp
    from portal.auditlog import bp as auditlog_bp
    from portal.auth import bp as auth_bp
    from portal.enterprises import bp as enterprises_bp
    from portal.main import bp as main_bp
    from portal.officials import bp as officials_bp
    from portal.officials.api import bp as officials_api_bp
    from portal.reports.routes import bp as reports_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(officials_bp)
    app.register_blueprint(officials_api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(enterprises_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(auditlog_bp)
    app.register_blueprint(reports_bp)


def register_cli(app: Flask) -> None:
    """Register the `flask` commands."""
    from portal import cli_ops
    from portal.cli import register
    from portal.cli_jobs import register as register_jobs
    from portal.reports.cli import register as register_reports_cli

    register(app)
    register_jobs(app)
    register_reports_cli(app)
    cli_ops.register(app)


def register_reports(app: Flask) -> None:
    """Render reports in the background after submission; warn loudly when PDF rendering will be slow."""
    from portal.reports import harfbuzz_subset_available
    from portal.reports.tasks import install

    install(app)
    if not harfbuzz_subset_available():
        app.logger.warning(
            "libharfbuzz-subset0 IS MISSING: PDF reports will render 10-20x slower "
            "(install it: apt-get install libharfbuzz-subset0)"
        )


def register_errorhandlers(app: Flask) -> None:
    """Friendly pages for 400/403/404/500 and for an expired CSRF token."""

    def render_error(error: Any) -> tuple[Any, int, list[tuple[str, str]]]:
        code = getattr(error, "code", 500) or 500
        if code >= 500:
            db.session.rollback()
        headers = http_error_headers(error)  # e.g. Allow on a 405
        if request.path.startswith("/api/"):  # the JSON API answers JSON even where no blueprint matched
            return jsonify(error=JSON_ERRORS.get(code, "Error.")), code, headers
        return render_template("errors/error.html", code=code), code, headers

    for code in (400, 403, 404, 405, 500):
        app.register_error_handler(code, render_error)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/error.html", code=400, csrf=True), 400


def http_error_headers(error: Any) -> list[tuple[str, str]]:
    """The headers an HTTP error carries besides its Content-Type (the Allow list of a 405)."""
    if not isinstance(error, HTTPException):
        return []
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def register_template_helpers(app: Flask) -> None:
    """Reference labels and the current language, available in every template."""

    @app.context_processor
    def inject_helpers() -> dict[str, Any]:
        locale = str(get_locale() or "zh").split("_")[0]
        return {
            "current_locale": locale,
            "district_label": lambda value: reference.district_label(value, locale),
            "division_label": lambda code: reference.division_label(code, locale),
            "size_class_label": lambda value: reference.size_class_label(value, locale),
            "revenue_band_label": lambda key: _revenue_band_label(key, locale),
        }


def _revenue_band_label(key: str | None, locale: str) -> str:
    if not key:
        return ""
    try:
        band = reference.revenue_band(key)
    except KeyError:
        return key
    return band.en if locale == "en" else band.zh


def register_security(app: Flask) -> None:
    """Security headers, rate limits and ProxyFix (after every blueprint, so limits reach their views)."""
    from portal import security

    security.init_app(app)


def register_access_guard(app: Flask) -> None:
    """Refuse any endpoint that forgot its @access rule (the route-access test catches it earlier)."""

    @app.before_request
    def require_declared_rule() -> None:
        if request.endpoint is None or request.endpoint == "static":
            return
        view = app.view_functions.get(request.endpoint)
        if view is not None and access_rule_of(view) is None:
            abort(403)
