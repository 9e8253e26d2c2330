#!/usr/bin/env bash
# Handover's benchmarks, every part in one run, each beside its baseline.
#   bench/run.sh           the full run: writes bench/results.json, BENCHMARKS.md, bench/plots/
#   bench/run.sh --quick   a ≤ 2-minute smoke test of the harness (CI): target/bench/
#   bench/run.sh --only 4  some parts (2, 3, 4, 5, 7, 8; comma-separated), full size, while working
#                          on them: target/bench/results-only.json, BENCHMARKS.md untouched
# Builds the release binary, starts a throwaway PostgreSQL cluster (Debian's
# postgresql package; installed when missing), installs the peers it is
# measured against (graphile-worker from npm, pgqueuer from PyPI) under
# target/bench/, and removes the cluster at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=""
ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK="--quick" ;;
    --only) ONLY=(--only "$2"); shift ;;
    *) echo "usage: bench/run.sh [--quick] [--only PARTS]" >&2; exit 2 ;;
  esac
  shift
done
WORK="$PWD/target/bench"
mkdir -p "$WORK"
step() { printf '\n== %s\n' "$*"; }
started=$(date +%s)

step "release build"
cargo build --release --bin handover --example bench

step "peers: graphile-worker 0.16.6 (npm), pgqueuer 1.6.0 (PyPI), matplotlib"
mkdir -p "$WORK/peers"
cp bench/peers/package.json "$WORK/peers/"
(cd "$WORK/peers" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
[ -x "$WORK/venv/bin/python" ] || python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check -r bench/peers/requirements.txt

step "throwaway PostgreSQL"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
AS_PG=()
AS_PG_FLAG=""
if [ "$(id -u)" = 0 ]; then AS_PG=(runuser -u postgres --); AS_PG_FLAG="--as-postgres"; fi
PG_DIR=$(mktemp -d /tmp/handover-bench-pg.XXXXXX)
chmod 755 "$PG_DIR"
[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
PG_PORT=55440
"${AS_PG[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U postgres --auth=trust >/dev/null
cat >> "$PG_DIR/data/postgresql.conf" <<CONF
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
max_connections = 300
# the README's WAL settings for an operator: with the default 1GB, a million
# ROs (a change dirties a different page each time, so each costs a full-page
# image) checkpointed every 6-10 s and commits stalled behind it
max_wal_size = '4GB'
checkpoint_timeout = '15min'
# per-statement counts for BENCHMARKS.md table 2d (examples/bench/statements.rs)
shared_preload_libraries = 'pg_stat_statements'
CONF
"${AS_PG[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w start >/dev/null
cleanup() {
  "${AS_PG[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  pkill -f "$PWD/target/release/examples/bench mock" 2>/dev/null || true
  pkill -f "$PWD/target/release/handover" 2>/dev/null || true
  rm -rf "$PG_DIR"
}
trap cleanup EXIT
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at 127.0.0.1:$PG_PORT (fsync on; defaults but max_wal_size 4GB, checkpoint_timeout 15min)"

if [ ${#ONLY[@]} -gt 0 ]; then OUT="$WORK/results-only.json"
elif [ -n "$QUICK" ]; then OUT="$WORK/results-quick.json"
else OUT="$PWD/bench/results.json"; fi

step "run${QUICK:+ (quick)}"
target/release/examples/bench all $QUICK "${ONLY[@]}" $AS_PG_FLAG \
  --bin "$PWD/target/release/handover" \
  --pg-url "postgres://postgres@127.0.0.1:$PG_PORT" \
  --pg-bin "$bindir" --pg-data "$PG_DIR/data" \
  --work "$WORK" --out "$OUT" \
  --node-modules "$WORK/peers/node_modules" --python "$WORK/venv/bin/python" \
  --peer-scripts "$PWD/bench/peers" --status-change-sql "$PWD/bench/status_change.sql"

step "report"
if [ ${#ONLY[@]} -gt 0 ]; then
  echo "figures in $OUT (a partial run does not touch BENCHMARKS.md)"
elif [ -n "$QUICK" ]; then
  "$WORK/venv/bin/python" bench/report.py "$OUT" "$WORK/BENCHMARKS.quick.md" "$WORK/plots"
else
  "$WORK/venv/bin/python" bench/report.py "$OUT" BENCHMARKS.md bench/plots
fi
echo "== bench done in $(( $(date +%s) - started ))s"
