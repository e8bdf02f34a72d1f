"""`flask backup FILE` / `flask restore FILE` round trip on the test database's dialect, every table compared."""

from __future__ import annotations

import sqlalchemy as sa

from .scratch_db import flask_cli, scratch_database, snapshot


def test_backup_and_restore_round_trip_every_table(database_url, tmp_path):
    with scratch_database(database_url, "backup", tmp_path) as url:
        flask_cli(url, "db", "upgrade")
        flask_cli(url, "seed-demo", "--enterprises", "6")
        before = snapshot(url)
        assert sum(len(rows) for rows in before.values()) > 20
        assert before["enterprises"] and before["users"]

        archive = tmp_path / "portal.backup"
        result = flask_cli(url, "backup", str(archive))
        assert archive.exists() and archive.stat().st_size > 0, result.stdout

        # Damage the database after the backup: delete rows, change one, add one.
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM memberships"))
            connection.execute(sa.text("UPDATE enterprises SET name = 'changed after backup'"))
            connection.execute(sa.text("DELETE FROM users WHERE username = 'demo-admin'"))
        engine.dispose()
        assert snapshot(url)["enterprises"] != before["enterprises"]

        flask_cli(url, "restore", "--yes", str(archive))
        after = snapshot(url)
        assert set(after) == set(before)
        for table in before:
            if table == "audit_events":
                continue
            assert after[table] == before[table], table
        # The audit table keeps every earlier event and gains exactly the backup and restore events.
        old_events = {row[0]: row for row in before["audit_events"]}
        new_events = {row[0]: row for row in after["audit_events"]}
        assert all(new_events.get(key) == row for key, row in old_events.items())
        gained = [new_events[key] for key in sorted(set(new_events) - set(old_events))]
        assert [row[4] for row in gained] == ["backup", "restore"]  # column 4 is the action


def test_restore_refuses_a_file_that_is_not_a_backup(database_url, tmp_path):
    with scratch_database(database_url, "badrestore", tmp_path) as url:
        flask_cli(url, "db", "upgrade")
        bogus = tmp_path / "not-a-backup.bin"
        bogus.write_bytes(b"hello, this is not a database backup")
        result = flask_cli(url, "restore", "--yes", str(bogus), check=False)
        assert result.returncode != 0
        assert "not a" in (result.stdout + result.stderr)
