#!/usr/bin/env bash
# bench/ab.sh GW_BEFORE GW_AFTER [POLICY] [BUILD_DIR]: A/B of two gw binaries with the same policy
# variant (default bare, where gw's own code is the largest share; see write_gw_policy in lib.sh)
# against one fake provider: small requests open loop at 1000 and 3000 req/s, two interleaved
# rounds each, then the closed-loop maximum throughput; prints one JSON summary line per run.
# BUILD_DIR (default <repo>/build) provides the fake provider and gw_loadgen. Uses chrt -r 10
# when allowed. Every process it starts is stopped on exit.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ $# -ge 2 ]] || { sed -n '2,7p' "$0" >&2; exit 2; }
declare -A BIN=([before]=$(realpath "$1") [after]=$(realpath "$2"))
VARIANT=${3:-bare}
B=$(realpath -m "${4:-$REPO/build}")
FAKE=$B/tests/support/fake_provider/fake_provider LOADGEN=$B/bench/gw_loadgen
for b in "${BIN[before]}" "${BIN[after]}" "$FAKE" "$LOADGEN"; do [[ -x $b ]] || { echo "missing $b" >&2; exit 1; }; done
log() { printf '[ab] %s\n' "$*" >&2; }
TMP=$(mktemp -d /tmp/gw-ab.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
source "$REPO/bench/lib.sh"
RT=(chrt -r 10); chrt -r 10 true 2>/dev/null || RT=()
"${RT[@]}" "$FAKE" --port 0 --threads 1024 >"$TMP/fake.out" 2>&1 &
PIDS+=($!)
FAKE_PORT=$(wait_for_word "$TMP/fake.out" listening 10) || { echo "fake provider did not start" >&2; exit 1; }
KEY=gwb-ab-key
HASH=$(printf %s "$KEY" | "${BIN[after]}" policy hash-key | sed -n 's/^secret_hash = "\(.*\)"$/\1/p')
declare -A URL=([direct]=http://127.0.0.1:$FAKE_PORT/v1/messages)
for t in before after; do
  h=$TMP/home-$t
  mkdir -p "$h/.config/gw" "$h/state"
  write_gw_policy "$h/.config/gw/policy.toml" "$FAKE_PORT" "$HASH" "$VARIANT"
  env -u GW_POLICY -u XDG_CONFIG_HOME -u XDG_STATE_HOME -u XDG_RUNTIME_DIR HOME="$h" GW_CONFIG_DIR="$h/.config/gw" \
    GW_STATE_DIR="$h/state" ANTHROPIC_API_KEY=sk-ant-bench "${RT[@]}" "${BIN[$t]}" agent run --port 0 --no-request-log \
    --idle-exit 0 --log-level warn --policy "$h/.config/gw/policy.toml" --ready-fd 3 3>"$TMP/$t.ready" >/dev/null 2>"$TMP/$t.err" &
  PIDS+=($!)
  port=$(wait_for_word "$TMP/$t.ready" ready 15) || { echo "$t did not start: $(tail -3 "$TMP/$t.err")" >&2; exit 1; }
  URL[$t]=http://127.0.0.1:$port/v1/messages
done
"$LOADGEN" body small >"$TMP/small.json"
H=(-H "anthropic-version: 2023-06-01" -H "x-api-key: $KEY")
log "policy $VARIANT; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for t in direct before after; do
  "$LOADGEN" run --url "${URL[$t]}" --body-file "$TMP/small.json" "${H[@]}" --closed --connections 4 --warmup 0 \
    --duration 1 --drain 5 >/dev/null 2>&1 || true
done
run() {  # target label loadgen-args...
  local t=$1 label=$2
  shift 2
  printf '%-7s %-18s ' "$t" "$label"
  "${RT[@]}" "$LOADGEN" run --url "${URL[$t]}" --body-file "$TMP/small.json" "${H[@]}" "$@" --warmup 1 --duration 5 \
    --drain 3 2>/dev/null | tail -1 | grep -o '"latency_us":{[^}]*}\|"throughput_rps":[0-9.]*\|"failed":[0-9]*' | tr '\n' ' '
  echo
}
for rate in 1000 3000; do
  for round in 1 2; do
    for t in direct before after; do run "$t" "$rate/s round $round" --rate "$rate"; done
  done
done
for t in direct before after; do run "$t" "max (16 conns)" --closed --connections 16; done
