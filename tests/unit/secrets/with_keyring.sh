#!/usr/bin/env bash
# Runs a command against a real Secret Service: a private D-Bus session (dbus-run-session) with a
# GNOME Keyring daemon started inside and its login keyring created and unlocked (password on
# stdin), in a temporary HOME that is removed afterwards. The developer's own keyring is never
# touched. Used by the `secret_service` ctest:
#   with_keyring.sh unit_secrets --no-skip --test-suite=secret_service
set -euo pipefail
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null; then
    echo "with_keyring.sh: $tool not found; install dbus and gnome-keyring (installers/install.sh --deps-only)" >&2
    exit 1
  fi
done
home="$(mktemp -d "${TMPDIR:-/tmp}/gw-keyring.XXXXXX")"
trap 'rm -rf "$home"' EXIT
mkdir -m 700 "$home/run"
export HOME="$home" XDG_RUNTIME_DIR="$home/run" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config"
export XDG_CACHE_HOME="$home/.cache"
unset GW_SECRET_BACKEND
# gnome-keyring-daemon daemonizes and exits with the session bus when dbus-run-session ends.
exec dbus-run-session -- bash -c '
  printf %s gw-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' with_keyring "$@" 2> >(grep -v "Failed to set fd limit\|Activating service\|Successfully activated\|discover_other_daemon" >&2)
