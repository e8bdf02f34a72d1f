"""Flask commands: create-user, seed-demo, demo-logins, is-empty (and the groups registered below)."""

from __future__ import annotations

import secrets
import sys
import time

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError

from portal.extensions import db
from portal.reference import DISTRICT_VALUES, normalize_district


def register(app: Flask) -> None:
    """Attach the commands to the app."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(is_empty_command)
    app.cli.add_command(demo_logins_command)
    from portal.cli_data import register as register_data  # rescore, import-enterprises

    register_data(app)
    from portal.cli_questionnaires import register as register_questionnaires  # questionnaires validate

    register_questionnaires(app)


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(["enterprise", "official", "admin", "auditor"]), required=True)
@click.option("--district", help=f"District of a district official: {', '.join(DISTRICT_VALUES)}")
@click.option("--city-wide", is_flag=True, help="The official sees the whole city.")
@click.option("--enterprise", "enterprise_uscc", help="USCC of the enterprise an enterprise user belongs to.")
@click.option("--password", help="Initial password; without it a random one is printed and must be changed.")
@click.option("--reviewer/--no-reviewer", default=False, help="Officials: may verify assessments.")
def create_user_command(
    username: str,
    role: str,
    district: str | None,
    city_wide: bool,
    enterprise_uscc: str | None,
    password: str | None,
    reviewer: bool,
) -> None:
    """Create a user (an enterprise user created here is approved)."""
    from portal.services import accounts, enterprises

    scope = None
    if role == "official":
        if bool(district) == city_wide:
            raise click.UsageError("An official needs exactly one of --district and --city-wide.")
        if district:
            normalized = normalize_district(district)
            if normalized is None:
                raise click.UsageError(
                    f"Unknown district {district!r}; choose one of {', '.join(DISTRICT_VALUES)}."
                )
            district, scope = normalized, "district"
        else:
            scope = "city"
    elif district or city_wide:
        raise click.UsageError("--district and --city-wide are for officials only.")
    target = None
    if enterprise_uscc:
        if role != "enterprise":
            raise click.UsageError("--enterprise is for enterprise users only.")
        target = enterprises.get_by_uscc(enterprise_uscc)
        if target is None:
            raise click.UsageError(f"No enterprise with USCC {enterprise_uscc}.")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = accounts.create_user(
            username,
            password,
            role,
            scope=scope,
            district=district,
            is_reviewer=reviewer,
            must_change_password=generated,
            check_policy=not generated,
        )
        if target is not None:
            accounts.add_membership(user, target, status="approved", role="owner")
        db.session.commit()
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    where = f" ({scope}{': ' + district if district else ''})" if scope else ""
    click.echo(f"Created {role} {username}{where}.")
    if generated:
        click.echo(f"Initial password (must be changed at first login): {password}")


@click.command("seed-demo")
@with_appcontext
@click.option("--enterprises", "count", type=click.IntRange(min=0), default=300, show_default=True)
@click.option("--seed", type=int, default=2025, show_default=True)
@click.option("--force", is_flag=True, help="Seed even in the production configuration.")
def seed_demo_command(count: int, seed: int, force: bool) -> None:
    """Load deterministic demo data (idempotent: only what is missing is added); refused in production."""
    import os

    from flask import current_app
    from tqdm import tqdm

    from portal.services import demo

    production = "production" in (os.environ.get("PORTAL_ENV"), current_app.config.get("PORTAL_ENV"))
    if production and not force:
        raise click.ClickException(
            "Refusing to create demo data and demo accounts in the production configuration (use --force)."
        )

    started = time.perf_counter()
    with tqdm(total=count, unit="enterprise", disable=None, file=sys.stderr) as bar:
        summary = demo.seed_demo(count, seed, progress=bar.update)
    elapsed = time.perf_counter() - started
    click.echo(
        f"Enterprises: {summary.enterprises_created} created, {summary.enterprises_total} in total; "
        f"assessments: {summary.assessments_created} created; {elapsed:.1f} s."
    )
    click.echo("Demo logins / 演示账号:")
    for username, password, description in summary.logins:
        click.echo(f"  {username:<16} {password:<12} {description}")


@click.command("is-empty")
@with_appcontext
def is_empty_command() -> None:
    """Exit 0 when the database has no users and no enterprises (used by `make run`), else 1."""
    from portal.services import demo

    try:
        empty = demo.database_is_empty()
    except (OperationalError, ProgrammingError) as error:
        raise click.ClickException(
            "The database is not migrated; run `flask --app portal db upgrade`."
        ) from error
    sys.exit(0 if empty else 1)


@click.command("demo-logins")
@with_appcontext
def demo_logins_command() -> None:
    """Print the demo logins that exist in the database."""
    from portal.services import accounts, demo

    present = [spec for spec in demo.DEMO_USERS if accounts.find_user(str(spec["username"])) is not None]
    if not present:
        click.echo("No demo users in this database.")
        return
    click.echo("Demo logins / 演示账号 (password unless changed since seeding):")
    for spec in present:
        click.echo(f"  {spec['username']!s:<16} {demo.DEMO_PASSWORD}")
