"""A throw-away PostgreSQL server for the archive tests, started from the distribution's
packages (see scripts/install_postgres.sh).

``PERFEVAL_TEST_PG_URL`` points the tests at a server that is already running instead. When
neither is possible the tests fail, saying why, unless ``PERFEVAL_SKIP_PG=1`` (a developer
without PostgreSQL) turns them into skips: CI must not pass without the server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(why: str):
    if os.environ.get("PERFEVAL_SKIP_PG") == "1":
        pytest.skip(f"PostgreSQL: {why}")
    pytest.fail(
        f"PostgreSQL is needed for the archive tests: {why}. Run scripts/install_postgres.sh, "
        "or set PERFEVAL_TEST_PG_URL, or PERFEVAL_SKIP_PG=1 to skip them.",
        pytrace=False,
    )


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """The URL (without a database name) of a server that lives as long as the block."""
    given = os.environ.get("PERFEVAL_TEST_PG_URL")
    if given:
        yield given.rstrip("/")
        return
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        _unavailable("initdb and pg_ctl were not found")
    run_as: list[str] = []
    user = pwd.getpwuid(os.getuid()).pw_name
    if os.getuid() == 0:  # PostgreSQL refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no postgres user")
        run_as, user = ["runuser", "-u", "postgres", "--"], "postgres"
    base = Path(tempfile.mkdtemp(prefix="perfeval-pg-"))
    data = base / "data"
    if run_as:
        shutil.chown(base, "postgres")
        base.chmod(0o700)
    port = _free_port()
    log = base / "server.log"

    def run(*args: str) -> None:
        done = subprocess.run([*run_as, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            _unavailable(f"{Path(args[0]).name} failed: {done.stderr.strip()[-500:]}")

    try:
        run(initdb, "-D", str(data), "-A", "trust", "-U", user, "-E", "UTF8", "--no-locale")
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


def create_database(server: str, name: str) -> str:
    """A new, empty database on ``server``; its URL."""
    import psycopg

    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"
