#!/usr/bin/env bash
# Removes gw installed by install.sh (or the .deb / Homebrew, through their package manager).
# User data stays unless --purge: ~/.config/gw (policy), ~/.local/state/gw (audit spool, usage,
# the file credential store) and gw's items in the OS keychain.
#
#   installers/uninstall.sh            # the binary, completions and the login service
#   installers/uninstall.sh --purge    # also every piece of user data, after a confirmation
#   installers/uninstall.sh --purge --yes
set -euo pipefail

prefix="${PREFIX:-$HOME/.local}"
purge=0
yes=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    --yes) yes=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

gw="$prefix/bin/gw"
command -v gw >/dev/null && [[ ! -x "$gw" ]] && gw="$(command -v gw)"

# Stop the sidecar and remove the login service while the binary still exists.
if [[ -x "$gw" ]]; then
  "$gw" agent uninstall-service || true
  "$gw" agent stop >/dev/null 2>&1 || true
fi

if [[ $purge -eq 1 ]]; then
  config="${GW_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/gw}"
  state="${GW_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/gw}"
  if [[ $yes -ne 1 ]]; then
    read -r -p "uninstall.sh: delete $config, $state (audit trail, usage, keys) and gw's keychain items? [y/N] " answer
    [[ "$answer" == y || "$answer" == Y ]] || { echo "uninstall.sh: nothing purged"; purge=0; }
  fi
  if [[ $purge -eq 1 ]]; then
    if [[ -x "$gw" ]]; then
      "$gw" keys list --json 2>/dev/null | sed -n 's/.*"name": "\(.*\)".*/\1/p' | while read -r name; do
        "$gw" keys rm "$name" || true
      done
    fi
    command -v secret-tool >/dev/null && secret-tool clear xdg:schema dev.gw.Secret 2>/dev/null || true
    if [[ "$(uname -s)" == Darwin ]]; then
      while security delete-generic-password -s dev.gw >/dev/null 2>&1; do :; done
    fi
    rm -rf "$config" "$state"
    echo "uninstall.sh: removed $config and $state"
  fi
fi

if dpkg-query -W -f='${Status}' gw 2>/dev/null | grep -q "install ok installed"; then
  echo "uninstall.sh: gw was installed as a Debian package: run 'sudo apt remove gw'"
elif command -v brew >/dev/null && brew list gw >/dev/null 2>&1; then
  echo "uninstall.sh: gw was installed with Homebrew: run 'brew uninstall gw'"
else
  rm -f "$prefix/bin/gw" \
        "$prefix/share/bash-completion/completions/gw" \
        "$prefix/share/zsh/vendor-completions/_gw" "$prefix/share/zsh/site-functions/_gw" \
        "$prefix/share/fish/vendor_completions.d/gw.fish"
  rm -rf "$prefix/share/doc/gw"
  echo "uninstall.sh: removed gw from $prefix"
fi
[[ $purge -eq 1 ]] || echo "uninstall.sh: your policy, audit data and keys are kept (--purge removes them)"
