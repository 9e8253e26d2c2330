#!/usr/bin/env bash
# The API document against the service that serves it: the document is valid
# OpenAPI (openapi-spec-validator), and schemathesis, calling every operation
# with generated requests, finds no server error, no status the document does
# not list and no answer that does not fit its schema.
#   scripts/check-api.sh PYTHON [DATABASE_URL]   (default: a fresh SQLite file)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=$1
db_url=${2:-}
store=sqlite; [ -n "$db_url" ] && store=postgres
bin="$root/target/debug/handover"
[ -x "$bin" ] || (cd "$root" && cargo build -q)

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export HANDOVER__SERVER__BIND="127.0.0.1:$port"
export HANDOVER__PUBLIC_BASE_URL="http://127.0.0.1:$port"
export HANDOVER__ADMIN_TOKEN="ci-admin-token-0123456789abcdef0123456789"
# Generous limits: schemathesis calls the status page far more than a customer.
export HANDOVER__STATUS_PAGE__REQUESTS_PER_MINUTE_PER_LINK=100000
export HANDOVER__STATUS_PAGE__REQUESTS_PER_MINUTE_PER_ADDRESS=100000
export RUST_LOG=warn
if [ -n "$db_url" ]; then
  name="handover_api_check_$$"
  psql "$db_url" -qc "CREATE DATABASE $name" >/dev/null
  export HANDOVER__DATABASE__URL="${db_url%/*}/$name"
  cleanup_db() { psql "$db_url" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null; }
else
  cleanup_db() { :; }
fi
(cd "$work" && exec "$bin" serve) > "$work/log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; cleanup_db; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.1
done
eval "$(cd "$work" && "$bin" demo 2>/dev/null)"

curl -sf "http://127.0.0.1:$port/openapi.json" > "$work/openapi.json"
"$python" -m openapi_spec_validator "$work/openapi.json"

st=$(dirname "$python")/schemathesis
"$st" run "$work/openapi.json" --url "http://127.0.0.1:$port" \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance \
  --header "Authorization: Bearer $MANAGER_TOKEN" \
  --max-examples 60 --seed 11 --workers 2 --no-color \
  --report junit --report-dir "$root/target/schemathesis-$store" \
  || { echo "--- service log (last 40 lines)"; tail -40 "$work/log"; exit 1; }
if grep -q '"level":"ERROR"\| ERROR ' "$work/log"; then
  echo "--- the service logged errors:"; grep '"level":"ERROR"\| ERROR ' "$work/log" | head -20
  exit 1
fi
echo "the API document is valid and the service keeps to it"
