#!/usr/bin/env bash
# bench/profile-gw.sh [BUILD_DIR] [small|large|stream] [SECONDS] [POLICY]: runs the sidecar under
# valgrind's callgrind against the fake provider (POLICY: full, the default, or no-guardrails,
# no-audit, no-limits, bare: see write_gw_policy in lib.sh), sends a closed loop of requests for SECONDS (one
# connection), stops it and prints where the instructions went (inclusive and self, top entries).
# The callgrind file stays in BUILD_DIR/bench-last/ for kcachegrind or callgrind_annotate.
# Needs a build with symbols: a RelWithDebInfo (or Release + -g) build dir gives function names
# with optimised code.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=$(realpath -m "${1:-$REPO/build-bench}")
BODY=${2:-small}
SECONDS_LOAD=${3:-20}
POLICY=${4:-full}
GW=$BUILD_DIR/gw
FAKE=$BUILD_DIR/tests/support/fake_provider/fake_provider
LOADGEN=$BUILD_DIR/bench/gw_loadgen
for b in "$GW" "$FAKE" "$LOADGEN"; do [[ -x $b ]] || { echo "missing $b" >&2; exit 1; }; done
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }

log() { printf '[profile] %s\n' "$*" >&2; }
PIDS=()
TMP=$(mktemp -d /tmp/gw-profile.XXXXXX)
cleanup() {
  local rc=$? pid i
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
source "$REPO/bench/lib.sh"

"$FAKE" --port 0 --threads 64 >"$TMP/fake.out" 2>&1 &
PIDS+=($!)
FAKE_PORT=$(wait_for_word "$TMP/fake.out" listening 10)
KEY=gwb-profile-key
GWHOME=$TMP/gwhome
mkdir -p "$GWHOME/.config/gw" "$GWHOME/.local/state/gw"
HASH=$(printf %s "$KEY" | "$GW" policy hash-key | sed -n 's/^secret_hash = "\(.*\)"$/\1/p')
write_gw_policy "$GWHOME/.config/gw/policy.toml" "$FAKE_PORT" "$HASH" "$POLICY"
OUT=$BUILD_DIR/bench-last
mkdir -p "$OUT"
rm -f "$OUT/callgrind.gw.$BODY.out"
log "policy: $POLICY"
log "starting gw under callgrind"
env -u GW_POLICY -u XDG_CONFIG_HOME -u XDG_STATE_HOME -u XDG_RUNTIME_DIR HOME="$GWHOME" \
  GW_CONFIG_DIR="$GWHOME/.config/gw" GW_STATE_DIR="$GWHOME/.local/state/gw" ANTHROPIC_API_KEY=sk-ant-bench \
  valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.gw.$BODY.out" --instr-atstart=no \
  "$GW" agent run --port 0 --no-request-log --idle-exit 0 --log-level warn \
  --policy "$GWHOME/.config/gw/policy.toml" --ready-fd 3 3>"$TMP/gw.ready" >"$TMP/gw.out" 2>"$TMP/gw.err" &
GWPID=$!
PIDS+=($GWPID)
GW_PORT=$(wait_for_word "$TMP/gw.ready" ready 120) || { tail "$TMP/gw.err" >&2; exit 1; }
callgrind_control -i on "$GWPID" >/dev/null   # count the requests only, not start-up

case $BODY in
  small) "$LOADGEN" body small >"$TMP/body.json" ;;
  stream) "$LOADGEN" body small --stream >"$TMP/body.json" ;;
  large) "$LOADGEN" body claude --bytes 100000 >"$TMP/body.json" ;;
  *) echo "body must be small, large or stream" >&2; exit 2 ;;
esac
log "closed loop, 1 connection, $BODY bodies, ${SECONDS_LOAD}s"
"$LOADGEN" run --url "http://127.0.0.1:$GW_PORT/v1/messages" --body-file "$TMP/body.json" \
  -H "anthropic-version: 2023-06-01" -H "x-api-key: $KEY" --closed --connections 1 --warmup 1 \
  --duration "$SECONDS_LOAD" --drain 30 >"$OUT/profile-load.json"
REQUESTS=$(grep -o '"sent_total":[0-9]*' "$OUT/profile-load.json" | cut -d: -f2)
kill -TERM "$GWPID"
for i in $(seq 300); do kill -0 "$GWPID" 2>/dev/null || break; sleep 0.1; done
wait "$GWPID" 2>/dev/null || true
[[ -s $OUT/callgrind.gw.$BODY.out ]] || { echo "no callgrind output" >&2; exit 1; }
TOTAL=$(callgrind_annotate "$OUT/callgrind.gw.$BODY.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
echo "requests: $REQUESTS   instructions: $TOTAL   per request: $((TOTAL / REQUESTS))"
echo "== self cost by kind =="
callgrind_annotate --threshold=100 "$OUT/callgrind.gw.$BODY.out" 2>/dev/null | awk -v total="$TOTAL" '
  match($0, /^ *[0-9,]+ \( *[0-9.]+%\) +/) && !/PROGRAM TOTALS/ {
    ir = $1; gsub(",", "", ir); f = substr($0, RLENGTH + 1)
    k = "other"
    if (f ~ /nlohmann/) k = "nlohmann::json"
    else if (f ~ /malloc|free|operator new|operator delete/) k = "malloc/free"
    else if (f ~ /libcrypto|libssl/) k = "OpenSSL"
    else if (f ~ /libcpp-httplib/) k = "cpp-httplib (own code)"
    else if (f ~ /tolower/) k = "tolower (case-insensitive header compares)"
    else if (f ~ /printf|_IO_/) k = "printf family"
    else if (f ~ /libc\.so/ && f ~ /mem/) k = "memcpy/memcmp/memset"
    else if (f ~ /basic_string/) k = "std::string"
    else if (f ~ /gw::/) k = "gw:: (self)"
    sum[k] += ir
  }
  END { for (k in sum) printf "%6.1f%%  %s\n", 100 * sum[k] / total, k }' | sort -rn
echo "== inclusive (top 45) =="
callgrind_annotate --inclusive=yes "$OUT/callgrind.gw.$BODY.out" 2>/dev/null | sed -n '1,70p' | cut -c1-220
echo "== self (top 45) =="
callgrind_annotate "$OUT/callgrind.gw.$BODY.out" 2>/dev/null | sed -n '1,70p' | cut -c1-220
echo "callgrind file: $OUT/callgrind.gw.$BODY.out"
