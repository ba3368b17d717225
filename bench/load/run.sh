#!/usr/bin/env bash
# Load test: the production server (`clinicdesk serve`, DEBUG=false, gunicorn + task worker + tick) on
# PostgreSQL with the demo practice at 100,000 patients, driven headless by bench/load/locustfile.py.
#
#   bash bench/load/run.sh              # build the template database if it is missing or not from today
#   bash bench/load/run.sh --rebuild    # build it again
#
# Environment: LOAD_PG (server URL, default postgres://postgres@127.0.0.1:5432), LOAD_PORT (8150),
# LOAD_WORKERS (gunicorn workers, 3), LOAD_STEPS (users per step, "10,20,30,40,50,60,80"), LOAD_STEP_SECONDS (60),
# LOAD_SETTLE_SECONDS (15, not counted: sign-ins and the workers' first requests), LOAD_THINK_SCALE (1: the users'
# pauses between actions, 1-3 s at the desk, times this; 0.05 for issue #16's 150 requests/s with 50 users).
# LOAD_RATELIMIT_SIGN_IN and LOAD_RATELIMIT_FHIR (100000/m: every user comes from one address).
# Each step is its own locust run against its own server on a fresh copy of the template database
# (CREATE DATABASE ... TEMPLATE). Results:
# var/load-results/<UTC time>/summary.md (and .json; per step: step-N/ with locust CSVs and the server's log).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${LOAD_PORT:-8150}
WORKERS=${LOAD_WORKERS:-3}
TEMPLATE=clinicdesk_load_template
RUN_DB=clinicdesk_load_run
SAMPLE=var/load-sample.json
STAMP=var/load-template.stamp
OUT=var/load-results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

sql() { $BIN/python - "$PG/postgres" "$1" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(sys.argv[2])
PY
}

# The template holds "today" (appointments to check in), so it is rebuilt when the clinic's date has moved on.
today=$(TZ=America/New_York date +%F)
if [ "${1:-}" = "--rebuild" ] || [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$today" ] || [ ! -f "$SAMPLE" ]; then
  echo "== building $TEMPLATE: migrate, demo at 100,000 patients, FHIR client and sample (a few minutes)"
  sql "DROP DATABASE IF EXISTS $TEMPLATE WITH (FORCE)"
  sql "CREATE DATABASE $TEMPLATE"
  export DATABASE_URL="$PG/$TEMPLATE" LOG_LEVEL=WARNING
  $BIN/python -m clinicdesk migrate -v0
  $BIN/python -m clinicdesk createcachetable
  $BIN/python -m clinicdesk demo --patients 100000 --no-progress
  $BIN/python bench/load/prepare.py "$SAMPLE"
  unset DATABASE_URL LOG_LEVEL
  echo "$today" > "$STAMP"
fi

echo "== collecting static files into var/load-static (the production server serves them hashed)"
STATIC_ROOT=var/load-static $BIN/python -m clinicdesk collectstatic --noinput -v0

SECRET_KEY=$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(60))')
SERVER=
stop_server() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  SERVER=
}
trap stop_server EXIT
{ echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"; echo "gunicorn workers: $WORKERS"
  echo "think time scale: ${LOAD_THINK_SCALE:-1}"
  echo "commit: $(git rev-parse --short HEAD)"; } > "$OUT/about.txt"

# One locust run per step, each on a fresh copy of the template: every step finds the same day to work through
# (today's patients to check in, free slots), whatever the steps before it did.
STEPS=${LOAD_STEPS:-10,20,30,40,50,60,80}
for users in ${STEPS//,/ }; do
  step="$OUT/step-$users"
  mkdir -p "$step"
  sql "DROP DATABASE IF EXISTS $RUN_DB WITH (FORCE)"
  sql "CREATE DATABASE $RUN_DB TEMPLATE $TEMPLATE"
  # CONN_MAX_AGE=600 (default 60) only so that the database backends live through the step and their CPU is counted.
  # Every user comes from this one address: the sign-in (10/m an address) and FHIR (600/m) limits still count
  # every request, at rates meant for the crowd (LOAD_RATELIMIT_SIGN_IN, LOAD_RATELIMIT_FHIR).
  DATABASE_URL="$PG/$RUN_DB" DEBUG=false HTTPS=false SECRET_KEY="$SECRET_KEY" PORT="$PORT" LOG_LEVEL=WARNING \
    CONN_MAX_AGE=600 RATELIMIT_FHIR="${LOAD_RATELIMIT_FHIR:-100000/m}" \
    RATELIMIT_SIGN_IN="${LOAD_RATELIMIT_SIGN_IN:-100000/m}" \
    STATIC_ROOT=var/load-static $BIN/python -m clinicdesk serve --no-demo --workers "$WORKERS" \
    >"$step/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 120); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || { echo "the server did not start:"; tail -20 "$step/server.log"; exit 1; }
    sleep 1
  done
  for _ in 1 2 3; do  # every gunicorn worker's first requests load the views and compile the templates
    pids=()
    for _ in 1 2 3 4 5 6; do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" & pids+=($!); done
    wait "${pids[@]}" || true
  done
  echo "== $users users for ${LOAD_STEP_SECONDS:-60} s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  $BIN/python bench/load/cputime.py "$SERVER" "$PG/postgres" "$RUN_DB" > "$step/cpu-before.json"
  cut -d' ' -f1 /proc/loadavg > "$step/loadavg-before.txt"
  # The load generator runs on the same cores: its own CPU (user + system seconds) is kept to read the rate fairly.
  LOAD_SAMPLE=$SAMPLE LOAD_OUT=$step LOAD_STEPS=$users /usr/bin/time -o "$step/locust-cpu.txt" -f "%U %S" \
    $BIN/locust -f bench/load/locustfile.py --headless \
    --host "http://127.0.0.1:$PORT" --csv "$step/locust" --only-summary --loglevel WARNING \
    >"$step/console.txt" 2>"$step/locust.log" || true
  $BIN/python bench/load/cputime.py "$SERVER" "$PG/postgres" "$RUN_DB" > "$step/cpu-after.json"
  cut -d' ' -f1 /proc/loadavg > "$step/loadavg-after.txt"
  stop_server
  grep -E '" 5[0-9][0-9] |Traceback' "$step/server.log" | head -5 || true
  head -3 "$step/summary.md" | tail -1
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/about.txt"
$BIN/python bench/load/loadstats.py "$OUT" > /dev/null
echo "summary: $OUT/summary.md"
