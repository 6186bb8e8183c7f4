#!/usr/bin/env bash
# `make test`: ruff, the smoke subset on SQLite (the demo's database), then the whole suite on a throwaway
# PostgreSQL cluster. The last line printed is pytest's summary of the whole suite.
# Each phase prints its 15 slowest tests and "run accounting: N collected, M executed" (tests/run_accounting.py)
# just above the summary; a phase in which a collected test did not run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
echo "== ruff"
$BIN/ruff check tinhso tests bench
echo "== smoke tests on SQLite"
SQLITE_DIR=$(mktemp -d /tmp/tinhso-sqlite.XXXXXX)
trap 'rm -rf "$SQLITE_DIR"' EXIT
env -u DATABASE_URL TINHSO_VAR_DIR="$SQLITE_DIR" $BIN/pytest -q -m smoke -p no:randomly --durations=15
echo "== whole suite on PostgreSQL"
scripts/with-postgres.sh $BIN/pytest -q -n 2 --dist loadgroup --durations=15
