"""`make backup` and `make restore` round-trip a seeded PostgreSQL database: every table comes
back with the same number of rows, and a restore replaces whatever changed since the backup. The
password never appears on a command line (where `ps` shows it to every user of the machine), and
a dump can be read by its owner only.

The test makes its own scratch databases on the local PostgreSQL (127.0.0.1:5432, user postgres),
which runs on every development machine of this project and in CI."""

import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
SERVER = "postgres://postgres@127.0.0.1:5432"

# One worker runs the whole module: its scratch database and backup are built once.
pytestmark = [pytest.mark.services, pytest.mark.xdist_group("backup")]


@contextmanager
def _server_cursor(dbname: str = "postgres"):
    """An autocommit cursor: CREATE and DROP DATABASE cannot run inside a transaction."""
    connection = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=dbname)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def _create_database(prefix: str) -> str:
    name = f"learnorg_backup_{prefix}_{secrets.token_hex(4)}"
    with _server_cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def _drop_database(name: str) -> None:
    with _server_cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# One process migrates and seeds (a second would start Django again), and hashes the demo
# users' passwords with a fast hasher: the round trip compares rows, not password strength.
MIGRATE_AND_SEED = """
import os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnorg.settings")
django.setup()
from django.conf import settings
from django.core.management import call_command
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", interactive=False, verbosity=0)
call_command("seed_demo")
"""


@pytest.fixture(scope="module")
def backup(tmp_path_factory):
    """A migrated, seeded scratch database, its row counts, and a backup made by `make backup`."""
    name = _create_database("src")
    url = f"{SERVER}/{name}"
    folder = tmp_path_factory.mktemp("backups")
    try:
        _run([sys.executable, "-c", MIGRATE_AND_SEED], url)
        made = _run(["make", "--no-print-directory", "backup"], url, BACKUP_DIR=str(folder))
        yield {"url": url, "counts": _row_counts(url), "folder": folder, "output": made.stdout}
    finally:
        _drop_database(name)


@pytest.fixture
def empty_database():
    name = _create_database("dst")
    yield f"{SERVER}/{name}"
    _drop_database(name)


def _run(args: list[str], database_url: str, **env) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _row_counts(database_url: str) -> dict[str, int]:
    with _server_cursor(database_url.rsplit("/", 1)[1]) as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    return counts


def _only_dump(folder: Path) -> Path:
    (dump,) = folder.glob("*.dump")
    return dump


def test_the_seeded_database_has_rows_to_lose(backup):
    counts = backup["counts"]
    assert counts["accounts_user"] >= 5
    assert counts["feedback_lossreason"] > 0
    assert sum(counts.values()) > 100


def test_make_backup_writes_a_timestamped_custom_format_dump(backup):
    dump = _only_dump(backup["folder"])
    assert re.fullmatch(r"learnorg-\d{8}T\d{6}Z\.dump", dump.name)
    assert dump.read_bytes().startswith(b"PGDMP")
    assert str(dump) in backup["output"]
    assert not list(backup["folder"].glob("*.partial"))


def test_make_restore_brings_back_every_row_of_every_table(backup, empty_database):
    dump = _only_dump(backup["folder"])
    _run(["make", "--no-print-directory", "restore", f"FILE={dump}"], empty_database)
    assert _row_counts(empty_database) == backup["counts"]


def test_restore_replaces_what_changed_since_the_backup(backup, empty_database):
    dump = _only_dump(backup["folder"])
    _run(["scripts/restore.sh", str(dump)], empty_database)
    with _server_cursor(empty_database.rsplit("/", 1)[1]) as cursor:
        cursor.execute("INSERT INTO accounts_office (name, city) VALUES ('Added later', '')")
        cursor.execute("UPDATE accounts_user SET display_name = 'Renamed later'")
    assert _row_counts(empty_database) != backup["counts"]

    _run(["scripts/restore.sh", str(dump)], empty_database)
    assert _row_counts(empty_database) == backup["counts"]
    with _server_cursor(empty_database.rsplit("/", 1)[1]) as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user WHERE display_name = 'Renamed later'")
        assert cursor.fetchone() == (0,)


def test_restore_refuses_a_damaged_file_and_leaves_the_database_alone(
    backup, empty_database, tmp_path
):
    _run(["scripts/restore.sh", str(_only_dump(backup["folder"]))], empty_database)
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(_only_dump(backup["folder"]).read_bytes()[:2000])
    result = subprocess.run(
        ["scripts/restore.sh", str(damaged)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": empty_database},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert _row_counts(empty_database) == backup["counts"]


def test_make_restore_asks_for_the_file():
    result = subprocess.run(
        ["make", "--no-print-directory", "restore"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Usage: make restore FILE=" in result.stdout


def test_the_scripts_explain_that_they_need_postgresql(tmp_path):
    result = subprocess.run(
        ["scripts/backup.sh", str(tmp_path / "x.dump")],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "sqlite:///db.sqlite3"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "must name a PostgreSQL database" in result.stderr
    assert not list(tmp_path.iterdir())


# Stands in front of the real pg_dump and pg_restore on PATH: writes down the command line each
# was started with and, while it runs, what the passfile named by PGPASSFILE holds and its mode.
SPY = """#!/usr/bin/env bash
{
  printf 'argv:%s\\n' "$*"
  if [ -n "${PGPASSWORD:-}" ]; then printf 'pgpassword:%s\\n' "$PGPASSWORD"; fi
  if [ -n "${PGPASSFILE:-}" ]; then
    printf 'passfile-path:%s\\n' "$PGPASSFILE"
    printf 'passfile-mode:%s\\n' "$(stat -c %a "$PGPASSFILE")"
    printf 'passfile:%s\\n' "$(cat "$PGPASSFILE")"
  fi
} >> "$SPY_LOG"
exec {real} "$@"
"""
# The password s3cr:t@p/ss%w\rd: characters a URL must percent-encode, and the passfile's own
# separators (':' and '\'), which it must escape.
ENCODED = "s3cr%3At%40p%2Fss%25w%5Crd"


@pytest.fixture
def spied_path(tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        (folder / tool).write_text(SPY.replace("{real}", shutil.which(tool)))
        (folder / tool).chmod(0o755)
    return {"PATH": f"{folder}:{os.environ['PATH']}", "SPY_LOG": str(tmp_path / "spy.log")}


def _with_password(database_url: str) -> str:
    return database_url.replace("postgres@", f"postgres:{ENCODED}@", 1)


def test_make_backup_keeps_the_password_off_the_command_line(backup, spied_path, tmp_path):
    folder = tmp_path / "out"
    _run(
        ["make", "--no-print-directory", "backup"],
        _with_password(backup["url"]),
        BACKUP_DIR=str(folder),
        **spied_path,
    )
    log = Path(spied_path["SPY_LOG"]).read_text()
    argv = [line for line in log.splitlines() if line.startswith("argv:")]
    assert len(argv) == 2  # pg_dump, then pg_restore --list
    assert all(ENCODED not in line and "s3cr" not in line for line in argv)
    assert "passfile-mode:600" in log
    assert "passfile:*:*:*:*:s3cr\\:t@p/ss%w\\\\rd" in log
    assert "pgpassword:" not in log
    passfiles = {line.split(":", 1)[1] for line in log.splitlines() if "passfile-path:" in line}
    assert passfiles and not any(Path(name).exists() for name in passfiles)


def test_restore_keeps_the_password_off_the_command_line(backup, empty_database, spied_path):
    dump = _only_dump(backup["folder"])
    _run(["scripts/restore.sh", str(dump)], _with_password(empty_database), **spied_path)
    log = Path(spied_path["SPY_LOG"]).read_text()
    argv = [line for line in log.splitlines() if line.startswith("argv:")]
    assert len(argv) == 2  # pg_restore --list, then the restore itself
    assert all(ENCODED not in line and "s3cr" not in line for line in argv)
    assert "passfile-mode:600" in log
    assert _row_counts(empty_database) == backup["counts"]


def test_a_dump_is_readable_by_its_owner_only(backup):
    dump = _only_dump(backup["folder"])
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600


def test_a_new_backup_folder_is_private(backup, tmp_path):
    folder = tmp_path / "fresh" / "backups"
    _run(["make", "--no-print-directory", "backup"], backup["url"], BACKUP_DIR=str(folder))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (dump,) = folder.glob("*.dump")
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
