#!/usr/bin/env bash
# The whole suite: static checks, then pytest on SQLite and again on PostgreSQL.
# With CI=true a missing PostgreSQL or chromium fails the run; otherwise those parts skip, saying why.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CI=${CI:-}
PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/clinicdesk}

echo "== ruff"
$BIN/ruff check src tests bench
echo "== import contracts (pyproject.toml [tool.importlinter]; docs/architecture.md)"
$BIN/lint-imports --no-cache --no-logo
echo "== translations (the Spanish catalogue is current, nothing empty or fuzzy)"
$BIN/python scripts/check_messages.py
echo "== mypy (service layer)"
$BIN/mypy
echo "== pip-audit (locked dependencies: requirements/base.txt, dev.txt)"
# A known vulnerability always fails. When no advisory service answers for every pin (on the project's
# build machines pypi.org's per-version JSON answers 404 and api.osv.dev does not resolve), the audit
# says so loudly and the run goes on, unless REQUIRE_DEPENDENCY_AUDIT=true (set it where a service answers).
audit_status=0
$BIN/python scripts/audit_deps.py || audit_status=$?
if [ "$audit_status" -eq 2 ] && [ "${REQUIRE_DEPENDENCY_AUDIT:-}" != "true" ]; then
  echo "WARNING: NOT AUDITED: no advisory service answered for every pin from this machine" \
       "(REQUIRE_DEPENDENCY_AUDIT=true makes this fail)." >&2
elif [ "$audit_status" -ne 0 ]; then
  [ "$audit_status" -eq 2 ] && echo "The dependency audit is incomplete and REQUIRE_DEPENDENCY_AUDIT=true: failing." >&2
  exit 1
fi
echo "== manage.py check --deploy (production settings)"
HTTPS=true DEBUG=false ALLOWED_HOSTS=clinic.example.org \
  SECRET_KEY="$($BIN/python -c 'import secrets;print(secrets.token_urlsafe(60))')" \
  $BIN/python -m clinicdesk check --deploy --fail-level WARNING

postgres_up() { $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(exc); sys.exit(1)
PY
}
if ! postgres_up >/dev/null 2>&1 && command -v pg_ctlcluster >/dev/null; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  sleep 2
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi

# The two passes run side by side, one core each (TEST_SERIAL=true runs them one after the other). Each has its
# own database and its own Redis database; their output is shown pass by pass when both have finished.
SQLITE_URL="sqlite:///$(pwd)/var/test-default.sqlite3"
mkdir -p var
# --durations: the slowest tests of each pass at the end of its log, to keep CI under its time budget.
sqlite_pass() { DATABASE_URL="$SQLITE_URL" TEST_REDIS_URL="redis://127.0.0.1:6379/14" ACCESS_MATRIX="$sqlite_matrix" \
                $BIN/pytest --durations=25 "$@"; }
# The access matrix decides who may do what in Python, the same on both databases: the PostgreSQL pass asks one
# caller per distinct answer of every row, the SQLite pass every other caller (test_access_matrix.py, _callers).
postgres_pass() { DATABASE_URL="$PG_URL" TEST_REDIS_URL="redis://127.0.0.1:6379/15" ACCESS_MATRIX=sampled \
                  TEST_REPLICA_PORT="${replica_port:-}" $BIN/pytest --durations=25 "$@"; }

sqlite_matrix=""  # without PostgreSQL, the SQLite pass asks the whole access matrix
if postgres_up; then
  with_postgres=true
  sqlite_matrix=rest
elif [ -n "$CI" ]; then
  echo "PostgreSQL is not reachable at $PG_URL and CI=true: failing." >&2
  exit 1
else
  with_postgres=false
fi

# A streaming standby of the test cluster for the replica-routing tests (tests/reliability/test_replica.py).
replica_port=""
if [ "$with_postgres" = true ] && [ "${PG_URL#*127.0.0.1:5432}" != "$PG_URL" ]; then
  if replica_port=$(scripts/pg_replica.sh start); then
    echo "== PostgreSQL standby streaming on port $replica_port"
  elif [ -n "$CI" ]; then
    echo "The PostgreSQL standby did not start and CI=true: failing." >&2
    exit 1
  else
    replica_port=""
    echo "WARNING: no PostgreSQL standby; the replica tests skip." >&2
  fi
fi

if [ "${TEST_SERIAL:-}" = "true" ] || [ "$with_postgres" = false ]; then
  echo "== pytest on SQLite"
  sqlite_pass "$@"
  echo "== pytest on PostgreSQL"
  if [ "$with_postgres" = true ]; then
    postgres_pass "$@"
  else
    echo "SKIPPED: PostgreSQL is not reachable at $PG_URL (set TEST_POSTGRES_URL)."
  fi
  exit 0
fi

echo "== pytest on SQLite and on PostgreSQL, side by side (logs: var/pytest-sqlite.log, var/pytest-postgres.log)"
started=$(date +%s)
sqlite_pass "$@" > var/pytest-sqlite.log 2>&1 &
sqlite_pid=$!
postgres_pass "$@" > var/pytest-postgres.log 2>&1 &
postgres_pid=$!
sqlite_status=0; postgres_status=0
wait "$sqlite_pid" || sqlite_status=$?
wait "$postgres_pid" || postgres_status=$?
echo "== pytest on SQLite (exit $sqlite_status)"
cat var/pytest-sqlite.log
echo "== pytest on PostgreSQL (exit $postgres_status)"
cat var/pytest-postgres.log
echo "== both passes took $(( $(date +%s) - started )) s"
[ "$sqlite_status" -eq 0 ] && [ "$postgres_status" -eq 0 ]
