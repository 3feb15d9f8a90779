#!/usr/bin/env bash
# The .deb as a user gets it: built with `cpack -G DEB` from this build dir, checked for its
# Depends and files, installed with dpkg -i, then `gw --version` and one request through the
# installed binary's sidecar to the fake provider. Needs root (or passwordless sudo) for dpkg:
# otherwise it is skipped (exit 77). The package is removed again unless gw was installed before.
#   package_deb_test.sh BUILD_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
if [[ $(id -u) -eq 0 ]]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else
  echo "package_deb_test: skipped: dpkg -i needs root or passwordless sudo"; exit 77; fi
for tool in cpack dpkg dpkg-deb curl; do
  command -v "$tool" >/dev/null || { echo "package_deb_test: $tool not found" >&2; exit 1; }
done
work="$(mktemp -d "${TMPDIR:-/tmp}/gw-deb.XXXXXX")"
pids=()
was_installed=0
dpkg-query -W -f='${Status}' gw 2>/dev/null | grep -q "install ok installed" && was_installed=1
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [[ $was_installed -eq 1 ]] || "${as_root[@]}" dpkg -r gw >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package_deb_test: FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
deb="$(ls "$work"/pkg/gw_*.deb)"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "package_deb_test: $(basename "$deb"): Depends: $depends"
for lib in libssl3 libsqlite3 libre2 libsecret-1; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib"
done
contents="$(dpkg-deb -c "$deb")"
for f in ./usr/bin/gw ./usr/share/bash-completion/completions/gw ./usr/share/zsh/vendor-completions/_gw \
         ./usr/share/fish/vendor_completions.d/gw.fish ./usr/lib/systemd/user/gw-agent.service ./usr/share/doc/gw/cli.md \
         ./usr/share/man/man1/gw.1; do
  grep -q " $f\$" <<<"$contents" || fail "the package lacks $f"
done

"${as_root[@]}" dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i failed"; }
version="$(/usr/bin/gw --version)"
[[ "$version" == "gw "* ]] || fail "gw --version printed '$version'"
grep -q "ExecStart=/usr/bin/gw agent run" /usr/lib/systemd/user/gw-agent.service || fail "unit does not run /usr/bin/gw"
# The installed man page is the one the installed binary generates.
cmp -s /usr/share/man/man1/gw.1 <(/usr/bin/gw help-man) || fail "/usr/share/man/man1/gw.1 differs from gw help-man"

# One request through the installed binary: fake provider and sidecar on port 0, ports read from
# FIFOs (no polling), a virtual key in the policy, the provider key from the environment.
mkfifo "$work/fake.fifo" "$work/ready.fifo"
"$build/tests/support/fake_provider/fake_provider" --port 0 --expect-key anthropic=sk-ant-deb-test >"$work/fake.fifo" &
pids+=($!)
read -r _ fake_port <"$work/fake.fifo"
secret="gwk_debtest_$(date +%s%N)"
hash="$(printf %s "$secret" | /usr/bin/gw policy hash-key 2>/dev/null | grep -o 'sha256:[0-9a-f]*' | head -1)"
[[ -n "$hash" ]] || fail "gw policy hash-key printed no hash"
mkdir -p "$work/home/config"
cat >"$work/home/config/policy.toml" <<TOML
version = "deb-test"
[providers.anthropic]
base_url = "http://127.0.0.1:$fake_port"
credential = { env = "ANTHROPIC_API_KEY" }
[keys.ci]
secret_hash = "$hash"
providers = ["anthropic"]
models = ["*"]
TOML
env -i PATH=/usr/bin:/bin HOME="$work/home" GW_CONFIG_DIR="$work/home/config" GW_STATE_DIR="$work/home/state" \
  GW_SECRET_BACKEND=file ANTHROPIC_API_KEY=sk-ant-deb-test \
  /usr/bin/gw agent run --port 0 --idle-exit 0 --ready-fd 3 3>"$work/ready.fifo" 2>"$work/agent.log" &
pids+=($!)
read -r ready port <"$work/ready.fifo" || true
[[ "$ready" == ready ]] || { cat "$work/agent.log" >&2; fail "the installed sidecar did not start"; }
reply="$(curl -sS -w '\n%{http_code}' "http://127.0.0.1:$port/v1/messages" -H "x-api-key: $secret" \
  -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \
  -d '{"model":"claude-haiku-4-5","max_tokens":10,"messages":[{"role":"user","content":"say pong"}]}')"
code="$(tail -n1 <<<"$reply")"
[[ "$code" == 200 && "$reply" == *pong* ]] || fail "request through the installed gw: HTTP $code: $reply"
echo "package_deb_test: installed $version, request through /usr/bin/gw answered 200"
echo "1 passed, 0 failed"
