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

echo "== pytest on SQLite"
DATABASE_URL="sqlite:///$(pwd)/var/test-default.sqlite3" $BIN/pytest "$@"

echo "== pytest on PostgreSQL"
if postgres_up; then
  DATABASE_URL="$PG_URL" $BIN/pytest "$@"
elif [ -n "$CI" ]; then
  echo "PostgreSQL is not reachable at $PG_URL and CI=true: failing." >&2
  exit 1
else
  echo "SKIPPED: PostgreSQL is not reachable at $PG_URL (set TEST_POSTGRES_URL)."
fi
