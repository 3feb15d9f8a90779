# Helpers for bench/run (sourced; expects log() and $TMP from the caller).

# ensure_tool NAME DEBIAN_PACKAGE [FALLBACK_PATH]: prints the tool's path, installing the Debian
# package with apt-get when running as root and the tool is missing. Returns 1 when unavailable.
ensure_tool() {
  local name=$1 pkg=$2 extra=${3:-} p
  p=$(command -v "$name" 2>/dev/null || true)
  [[ -z $p && -n $extra && -x $extra ]] && p=$extra
  if [[ -z $p && $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing $pkg with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "$pkg" >"$TMP/apt-$pkg.log" 2>&1 ||
      { apt-get update -qq >>"$TMP/apt-$pkg.log" 2>&1 && apt-get install -y -qq "$pkg" >>"$TMP/apt-$pkg.log" 2>&1; } || true
    p=$(command -v "$name" 2>/dev/null || true)
    [[ -z $p && -n $extra && -x $extra ]] && p=$extra
  fi
  [[ -n $p ]] || return 1
  echo "$p"
}

# ensure_ccr DIR VERSION: installs @musistudio/claude-code-router@VERSION with npm into DIR (once)
# and prints the path of its cli.js. Returns 1 when node/npm are missing or the install fails.
ensure_ccr() {
  local dir=$1 ver=$2
  local pkgdir=$dir/node_modules/@musistudio/claude-code-router
  command -v node >/dev/null && command -v npm >/dev/null || return 1
  if ! grep -q "\"version\": \"$ver\"" "$pkgdir/package.json" 2>/dev/null; then
    log "installing claude-code-router $ver with npm into $dir"
    mkdir -p "$dir"
    npm install --no-audit --no-fund --prefix "$dir" "@musistudio/claude-code-router@$ver" >"$TMP/npm.log" 2>&1 || return 1
  fi
  [[ -f $pkgdir/dist/cli.js ]] || return 1
  echo "$pkgdir/dist/cli.js"
}

# wait_for_word FILE WORD SECONDS: waits for a line "WORD VALUE" in FILE and prints VALUE.
wait_for_word() {
  local f=$1 w=$2 t=$3 i v
  for ((i = 0; i < t * 20; i++)); do
    v=$(awk -v w="$w" '$1 == w { print $2; exit }' "$f" 2>/dev/null || true)
    if [[ -n $v ]]; then echo "$v"; return 0; fi
    sleep 0.05
  done
  return 1
}

# wait_port PORT SECONDS: waits until 127.0.0.1:PORT accepts connections.
wait_port() {
  local port=$1 t=$2 i
  for ((i = 0; i < t * 20; i++)); do
    if (: <>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  return 1
}

# proc_kb PID FIELD: a /proc/PID/status field in kB (VmRSS, VmHWM), empty when gone.
proc_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# tree_kb PID FIELD: the field summed over PID and its direct children (nginx's workers).
tree_kb() {
  local sum=0 p v
  for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
    v=$(proc_kb "$p" "$2")
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}

# cpu_ticks PID...: user+system CPU ticks of these processes and their direct children.
cpu_ticks() {
  local sum=0 p c
  for p in "$@"; do
    for c in "$p" $(ps -o pid= --ppid "$p" 2>/dev/null); do
      sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0)))
    done
  done
  echo "$sum"
}

# wait_quiet SECONDS PID...: waits (at most SECONDS) until these processes use under ~10% of a CPU
# over a quarter second, so a gateway still working off a backlog does not slow the next run.
wait_quiet() {
  local t=$1 i a b
  shift
  for ((i = 0; i < t * 4; i++)); do
    a=$(cpu_ticks "$@")
    sleep 0.25
    b=$(cpu_ticks "$@")
    ((b - a <= 2)) && return 0
  done
  log "still busy after ${t}s; measuring anyway"
}

machine_description() {
  local cpu mem
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "$(nproc) CPUs ($cpu), $mem RAM, Linux $(uname -r)"
}

versions() {
  local v="gw $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo '?')"
  [[ -n ${NGINX:-} ]] && v+=", nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///')"
  [[ -n ${CCR_JS:-} ]] && v+=", claude-code-router $CCR_VERSION on node $(node --version)"
  echo "$v"
}

# write_nginx_conf DIR PORT UPSTREAM_PORT: nginx as a plain keep-alive reverse proxy on loopback,
# unbuffered so streams pass through as they arrive, no access log (gw runs without one too).
write_nginx_conf() {
  local dir=$1 port=$2 up=$3
  mkdir -p "$dir"
  chmod 755 "$dir"
  cat >"$dir/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  client_max_body_size 64m;
  client_body_buffer_size 1m;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  upstream fake {
    server 127.0.0.1:$up;
    keepalive 256;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 3600s;
    }
  }
}
EOF
}

# write_gw_policy FILE FAKE_PORT SECRET_HASH [VARIANT]: every provider at the fake, one key for
# the bench. VARIANT full (the default policy a team would run: auth, model access, budgets and
# rate limits that never trigger, guardrails with the built-in rules, durable audit) or the same
# with one stage switched off through policy: no-guardrails, no-audit, no-limits; bare: all three.
write_gw_policy() {
  local variant=${4:-full}
  cat >"$1" <<EOF
version = "bench-$variant"
[providers.anthropic]
base_url = "http://127.0.0.1:$2"
[providers.openai]
base_url = "http://127.0.0.1:$2"
[providers.gemini]
base_url = "http://127.0.0.1:$2"
[local]
key = "bench"
[keys.bench]
providers = ["anthropic", "openai", "gemini"]
models = ["*"]
secret_hash = "$3"
EOF
  if [[ $variant != no-limits && $variant != bare ]]; then
    cat >>"$1" <<EOF
budgets.daily = { usd = 1000000, period = "day" }
limits = { requests_per_minute = 100000000, tokens_per_minute = 100000000000, concurrent = 4096 }
EOF
  fi
  if [[ $variant != no-guardrails && $variant != bare ]]; then
    printf '[guardrails]\nenabled = true\n' >>"$1"
  fi
  if [[ $variant == no-audit || $variant == bare ]]; then
    printf '[audit]\nenabled = false\n' >>"$1"
  fi
}

# write_ccr_config FILE PORT FAKE_PORT: claude-code-router passing Anthropic requests through to
# the fake provider's /v1/messages (its "Anthropic" transformer), without logging.
write_ccr_config() {
  cat >"$1" <<EOF
{
  "LOG": false,
  "HOST": "127.0.0.1",
  "PORT": $2,
  "API_TIMEOUT_MS": 600000,
  "Providers": [
    {
      "name": "fake",
      "api_base_url": "http://127.0.0.1:$3/v1/messages",
      "api_key": "sk-ant-bench",
      "models": ["claude-sonnet-4-5"],
      "transformer": { "use": ["Anthropic"] }
    }
  ],
  "Router": { "default": "fake,claude-sonnet-4-5" }
}
EOF
}
