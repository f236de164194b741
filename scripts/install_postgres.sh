#!/bin/sh
# Installs PostgreSQL from the distribution's packages for the archive tests (tests/pg_server.py
# starts a throw-away server from it). Does nothing when it is already installed.
set -eu
if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "PostgreSQL is not installed and this user cannot install packages:" >&2
    echo "install the 'postgresql' package, or set PERFEVAL_SKIP_PG=1 to skip the archive's PostgreSQL tests." >&2
    exit 1
fi
if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends postgresql
elif command -v dnf >/dev/null 2>&1; then
    $SUDO dnf install -y postgresql-server
else
    echo "No apt-get or dnf: install PostgreSQL by hand, or set PERFEVAL_SKIP_PG=1." >&2
    exit 1
fi
