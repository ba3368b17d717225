#!/usr/bin/env bash
# Times `clinicdesk demo` at 100,000 patients on a fresh SQLite database (and on PostgreSQL when reachable).
# Usage: bash bench/bench_demo.sh [patients] [weeks]
set -euo pipefail
cd "$(dirname "$0")/.."
PATIENTS=${1:-100000}
WEEKS=${2:-8}
BIN=.venv/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {
  local label=$1
  $BIN/python -m clinicdesk migrate -v0
  local start end
  start=$(date +%s.%N)
  $BIN/python -m clinicdesk demo --patients "$PATIENTS" --weeks "$WEEKS" --seed 7 --no-progress
  end=$(date +%s.%N)
  printf '%s: demo --patients %s --weeks %s took %.1f s\n' "$label" "$PATIENTS" "$WEEKS" "$(echo "$end - $start" | bc)"
}

CLINICDESK_VAR=$work DATABASE_URL="sqlite:///$work/bench.sqlite3" run SQLite
if $BIN/python -c "import psycopg; psycopg.connect('host=127.0.0.1 user=postgres dbname=postgres connect_timeout=3').close()" 2>/dev/null; then
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS clinicdesk_bench" -c "CREATE DATABASE clinicdesk_bench" >/dev/null
  CLINICDESK_VAR=$work DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinicdesk_bench run PostgreSQL
fi
