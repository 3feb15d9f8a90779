#!/usr/bin/env bash
# Installs the real coding agents driven by the end-to-end tests, at the versions pinned in
# tests/agents/package.json + package-lock.json (reproducible: `npm ci` from the committed lock).
#
#   tests/setup_agents.sh            # installs into ${GW_AGENTS_DIR:-<repo>/.agents}
#   GW_AGENTS_DIR=/opt/agents tests/setup_agents.sh
#
# Idempotent: when the installed versions already match the lock, nothing is downloaded.
# Quiet on success; on failure it prints npm's log. The last line of stdout is always the bin dir
# (holding claude, codex and gemini), so callers can do PATH="$(tests/setup_agents.sh):$PATH".
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spec="$repo/tests/agents"
dir="${GW_AGENTS_DIR:-$repo/.agents}"
bin="$dir/node_modules/.bin"

# name@version pairs that must be installed; kept in step with tests/agents/package.json.
pins=("@anthropic-ai/claude-code@2.1.197" "@openai/codex@0.169.0" "@google/gemini-cli@0.61.0")

installed_version() {  # $1 = package name; prints the installed version or nothing
  local pj="$dir/node_modules/$1/package.json"
  [[ -f "$pj" ]] || return 0
  node -e 'process.stdout.write(require(process.argv[1]).version || "")' "$pj" 2>/dev/null || true
}

up_to_date() {
  cmp -s "$spec/package-lock.json" "$dir/package-lock.json" || return 1
  local p name version
  for p in "${pins[@]}"; do
    name="${p%@*}"
    version="${p##*@}"
    [[ "$(installed_version "$name")" == "$version" ]] || return 1
  done
  for b in claude codex gemini; do
    [[ -x "$bin/$b" ]] || return 1
  done
}

if ! command -v npm >/dev/null 2>&1; then
  echo "setup_agents: npm not found; install Node.js >= 20 and npm (installers/install.sh does)" >&2
  exit 1
fi

if ! up_to_date; then
  mkdir -p "$dir"
  cp "$spec/package.json" "$spec/package-lock.json" "$dir/"
  log="$dir/npm-install.log"
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=warn) >"$log" 2>&1; then
    echo "setup_agents: npm ci failed in $dir:" >&2
    cat "$log" >&2
    exit 1
  fi
  if ! up_to_date; then
    echo "setup_agents: npm ci finished but the pinned agents are not all installed in $dir:" >&2
    for p in "${pins[@]}"; do
      echo "  ${p%@*}: want ${p##*@}, have '$(installed_version "${p%@*}")'" >&2
    done
    cat "$log" >&2
    exit 1
  fi
fi

echo "$bin"
