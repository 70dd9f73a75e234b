#!/usr/bin/env bash
# Scale-out on one machine, laid out as it runs on many (README "Beyond one machine"): a Prefect server with
# PostgreSQL as its database, a process work pool, two workers, PostgreSQL as the result store, and a folder
# of notices submitted as one flow run each. Each step says on which machine it belongs.
#   bash scripts/scale_out_demo.sh [FOLDER]
# FOLDER defaults to eight new copies of the bundled born-digital notices. Databases: NOTICEFLOW_DB_URL (the
# store, postgresql+psycopg://...) and PREFECT_API_DATABASE_CONNECTION_URL (Prefect, postgresql+asyncpg://...)
# when set; otherwise, as root, a local PostgreSQL (scripts/postgres.sh) with two demo databases.
# Everything listens on 127.0.0.1; every wait is bounded; Ctrl-C or the end stops workers and server.
set -euo pipefail
set -m  # each background process in its own process group, with SIGINT (Prefect's way to stop) not ignored
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${PREFECT_PORT:-4200}
POOL=${NOTICEFLOW_WORK_POOL:-noticeflow}
WORK=$(mktemp -d -t noticeflow-scale-out-XXXXXX)
PY=.venv/bin/python
PIDS=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
run() { printf '   $ %s\n' "$*" >&2; "$@"; }  # shows the command on stderr, so $(run ...) captures its output
hide_password() { sed -E 's#(//[^:/@]+):[^@]*@#\1:***@#' <<<"$1"; }

alive() { local state; state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]; }
stop_all() {
  # Workers first (a worker whose server is gone is slow to stop), then the server; each by its own
  # process group, SIGTERM, then SIGKILL for whatever is left after 15 s.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill -TERM -- "-${PIDS[i]}" 2>/dev/null || true
    for _ in $(seq 30); do alive "${PIDS[i]}" || break; sleep 0.5; done
    kill -KILL -- "-${PIDS[i]}" 2>/dev/null || true
  done
}
trap stop_all EXIT

wait_for() {  # wait_for SECONDS WHAT COMMAND...: poll every half second, fail with the logs after SECONDS
  local limit=$1 what=$2; shift 2
  for _ in $(seq $((limit * 2))); do "$@" && return 0; sleep 0.5; done
  echo "$what: not ready after ${limit}s; logs in $WORK" >&2
  tail -n 20 "$WORK"/*.log >&2
  exit 1
}

# ---- 1. database machine: PostgreSQL for Prefect and for the results -----------------------------------
say "1. PostgreSQL (database machine): Prefect's database and the result store"
if [ -z "${NOTICEFLOW_DB_URL:-}" ] || [ -z "${PREFECT_API_DATABASE_CONNECTION_URL:-}" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Set NOTICEFLOW_DB_URL and PREFECT_API_DATABASE_CONNECTION_URL, or run as root for a local" \
      "PostgreSQL." >&2
    exit 1
  fi
  BASE_URL=$(bash scripts/postgres.sh)  # role noticeflow on the local cluster, loopback only
  PG_PORT=$(pg_lsclusters --no-header | head -n 1 | awk '{print $3}')
  for database in noticeflow_demo noticeflow_prefect_demo; do
    exists=$(runuser -u postgres -- psql -X -p "$PG_PORT" -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$database'")
    if [ "$exists" != 1 ]; then
      run runuser -u postgres -- psql -X -q -p "$PG_PORT" -c "CREATE DATABASE $database OWNER noticeflow"
    fi
  done
  export NOTICEFLOW_DB_URL=${NOTICEFLOW_DB_URL:-${BASE_URL%/*}/noticeflow_demo}
  PREFECT_DB=${BASE_URL%/*}/noticeflow_prefect_demo
  PREFECT_API_DATABASE_CONNECTION_URL=${PREFECT_API_DATABASE_CONNECTION_URL:-${PREFECT_DB/+psycopg/+asyncpg}}
fi
echo "   result store:      NOTICEFLOW_DB_URL=$(hide_password "$NOTICEFLOW_DB_URL")"
echo "   Prefect database:  PREFECT_API_DATABASE_CONNECTION_URL=$(hide_password \
  "$PREFECT_API_DATABASE_CONNECTION_URL")  (the server's only)"

# Every process below: no telemetry, a Prefect home it can create, one server to talk to.
export PREFECT_SERVER_ANALYTICS_ENABLED=false PREFECT_UI_ENABLED=${PREFECT_UI_ENABLED:-false}
export PREFECT_HOME=$WORK/prefect-home PREFECT_API_URL=http://127.0.0.1:$PORT/api
export PREFECT_WORKER_QUERY_SECONDS=${PREFECT_WORKER_QUERY_SECONDS:-2} NOTICEFLOW_HOME=$WORK/noticeflow-home
mkdir -p "$PREFECT_HOME" "$NOTICEFLOW_HOME"

# ---- 2. server machine: the Prefect server ---------------------------------------------------------------
say "2. Prefect server (server machine; on a network use --host 0.0.0.0 behind your firewall)"
printf '   $ prefect server start --host 127.0.0.1 --port %s  > %s/server.log\n' "$PORT" "$WORK"
PREFECT_API_DATABASE_CONNECTION_URL=$PREFECT_API_DATABASE_CONNECTION_URL \
  .venv/bin/prefect server start --host 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
PIDS+=($!)
wait_for 120 "the Prefect server" curl -sf --max-time 2 "$PREFECT_API_URL/health" -o /dev/null
echo "   ready: $PREFECT_API_URL"

# The pool commands are on `noticeflow` once flows/cli.py imports flows.pool; until then, the same via -c.
if .venv/bin/noticeflow pool --help >/dev/null 2>&1; then
  NOTICEFLOW=(.venv/bin/noticeflow)
else
  NOTICEFLOW=("$PY" -c "import flows.pool, flows.cli; flows.cli.main()")
fi

# ---- 3. any machine with the checkout: the work pool and the deployment ------------------------------------
say "3. Work pool '$POOL' (process) and the ingest deployment (once, from any machine with the checkout)"
DEPLOYMENT=$(run "${NOTICEFLOW[@]}" pool register --pool "$POOL")
echo "   deployment: $DEPLOYMENT"

# ---- 4. worker machines: process workers -----------------------------------------------------------------
say "4. Two process workers (one per worker machine; each needs the checkout at $ROOT and the shared inbox)"
for name in worker-1 worker-2; do
  printf '   $ prefect worker start --pool %s --type process --name %s --limit 2  > %s/%s.log\n' \
    "$POOL" "$name" "$WORK" "$name"
  PREFECT_HOME=$WORK/$name-home .venv/bin/prefect worker start --pool "$POOL" --type process \
    --name "$name" --limit 2 >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
done
online() {
  curl -sf --max-time 5 -X POST "$PREFECT_API_URL/work_pools/$POOL/workers/filter" \
    -H 'content-type: application/json' -d '{}' |
    "$PY" -c 'import json, sys; sys.exit(sum(w["status"] == "ONLINE" for w in json.load(sys.stdin)) < 2)'
}
wait_for 90 "two online workers" online
echo "   online: worker-1, worker-2"

# ---- 5. the submitting machine (watcher / API host): a folder, one flow run per notice -------------------
FOLDER=${1:-}
if [ -z "$FOLDER" ]; then
  FOLDER=$WORK/shared-inbox  # on many machines: a shared mount, at the same path on every machine
  mkdir -p "$FOLDER"
  stamp=$(date +%s)
  for i in 0 1 2 3 4 5 6 7; do
    samples=(0006 0011 0017 0022)
    { cat "fixtures/samples/notice_${samples[i % 4]}.pdf"; printf '\n%%demo-%s-%s\n' "$stamp" "$i"; } \
      >"$FOLDER/notice-$i.pdf"
  done
fi
say "5. Submit $FOLDER (the watcher and the API do this when NOTICEFLOW_DEPLOYMENT is set)"
started=$(date +%s) since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
set +e
run "${NOTICEFLOW[@]}" pool submit "$FOLDER" --deployment "$DEPLOYMENT" --timeout 300
status=$?
set -e
echo "   done in $(($(date +%s) - started)) s (exit $status)"

say "6. Which worker ran which flow run (the prefect.worker.name label on each run)"
curl -sf --max-time 10 -X POST "$PREFECT_API_URL/flow_runs/filter" -H 'content-type: application/json' \
  -d "{\"flow_runs\": {\"expected_start_time\": {\"after_\": \"$since\"}}, \"sort\": \"START_TIME_DESC\"}" |
  "$PY" -c '
import json, sys
for run in json.load(sys.stdin):
    worker = run["labels"].get("prefect.worker.name", "-")
    print("   {:<32} {:<10} {}".format(run["name"], run["state_name"], worker))'
echo
echo "Logs: $WORK (stopping workers and server now)"
exit "$status"
