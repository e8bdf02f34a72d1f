"""Administration commands: `flask --app portal disable-inactive`."""

from __future__ import annotations

import click

from portal.admin import bp


@bp.cli.command("disable-inactive")
@click.option("--days", type=click.IntRange(min=1), help="Default: ACCOUNT_INACTIVE_DAYS (180).")
def disable_inactive_command(days: int | None) -> None:
    """Disable accounts unused for the configured number of days (run daily from cron)."""
    from portal.services import admin

    disabled = admin.disable_inactive(days=days)
    click.echo(
        f"Disabled {len(disabled)} inactive account(s){': ' + ', '.join(disabled) if disabled else '.'}"
    )
