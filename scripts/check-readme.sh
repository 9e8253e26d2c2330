#!/usr/bin/env bash
# Runs the README's walk-through exactly as written against a freshly started
# service with an empty data directory, and checks it took the car from
# check-in to pickup. `cargo run --release -q -- <args>` in the README runs
# the debug binary built here instead (same code, no release build in CI).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build -q
bin="$root/target/debug/handover"

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export HANDOVER__SERVER__BIND="127.0.0.1:$port"
export HANDOVER__PUBLIC_BASE_URL="http://127.0.0.1:$port"
export HANDOVER__SERVER__WORKERS=1
export RUST_LOG=warn
(cd "$work" && exec "$bin" serve) &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.1
done

# The block after <!-- walkthrough --> in README.md.
block=$(awk '/<!-- walkthrough -->/{f=1; next} f && /^```sh/{b=1; next} b && /^```/{exit} b' README.md)
[ -n "$block" ] || { echo "no walk-through found in README.md"; exit 1; }

output=$(cd "$work" && bash -euo pipefail -c "
cargo() { if [ \"\$1 \$2 \$3 \$4\" = 'run --release -q --' ]; then shift 4; \"$bin\" \"\$@\"; else command cargo \"\$@\"; fi; }
$block")
echo "$output"

fail() { echo "README walk-through: $1"; exit 1; }
grep -q '"status":"awaiting_approval","subtotal_cents":44300,"shop_supplies_cents":1350,"tax_cents":1773,"total_cents":46073,"warranty_cents":22000' <<<"$output" || fail "estimate totals"
grep -q '"type":"/problems/nobody-to-hand-over"' <<<"$output" || fail "the gate did not refuse"
grep -q '"status":"ready_for_pickup","handover":{"staff_id":"[^"]*","name":"Maria Chen"' <<<"$output" || fail "ready did not name the delegate"
grep -q '"paged":{"staff_id":"[^"]*","name":"Maria Chen"' <<<"$output" || fail "the counter did not page Maria"
grep -q '"status":"picked_up"' <<<"$output" || fail "the car was not picked up"
grep -q 'picked_up  Carla Diaz' <<<"$output" || fail "timeline"
grep -q '^sms ready: .*Maria will hand it over.*Amount due: \$460.73' <<<"$output" || fail "the ready text"
echo "README walk-through: OK"
