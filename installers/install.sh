#!/usr/bin/env bash
# Installs gw's dependencies from the system package manager (apt on Debian/Ubuntu, Homebrew on
# macOS), builds gw and installs it.
#
#   installers/install.sh              # deps + build + install to ~/.local/bin/gw
#   PREFIX=/usr/local installers/install.sh
#   installers/install.sh --deps-only  # only the packages (build and test dependencies)
#   installers/install.sh --no-deps    # only build + install
#
# Nothing is downloaded except system packages. Safe to run again: installed packages are skipped.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${PREFIX:-$HOME/.local}"
build_dir="${GW_BUILD_DIR:-$repo/build-release}"
do_deps=1
do_build=1
for arg in "$@"; do
  case "$arg" in
    --deps-only) do_build=0 ;;
    --no-deps) do_deps=0 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

# Build and test dependencies, one place. Runtime-only needs are a subset (see the .deb's Depends).
debian_packages=(
  build-essential cmake ninja-build pkg-config git
  libcpp-httplib-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libre2-dev
  libssl-dev libsqlite3-dev libpq-dev libsecret-1-dev
  doctest-dev libbenchmark-dev
  clang-16 libclang-rt-16-dev  # libFuzzer targets (tests/fuzz, docs/adr/0014)
  openssl ca-certificates curl
  rsyslog  # the SIEM syslog tests run a real rsyslogd (no system service needed)
  dbus gnome-keyring libsecret-tools   # the Secret Service tests run a real, private keyring
  zsh fish                             # the completion tests check the generated scripts' syntax
  gnuplot-nox nginx  # bench/run: the PNG charts and the plain reverse-proxy baseline
  postgresql         # the PostgreSQL storage tests run a private server (tests/support/postgres.hpp)
)
brew_packages=(cmake ninja pkg-config cpp-httplib cli11 nlohmann-json tomlplusplus re2 openssl@3 sqlite libpq doctest google-benchmark node rsyslog llvm gnuplot nginx postgresql@16)

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "install.sh: need root (or sudo) to install packages: $*" >&2; exit 1; fi
}

install_debian() {
  local missing=()
  for p in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # The end-to-end tests run the real agents from npm: Node.js >= 20 and npm.
  if ! command -v node >/dev/null || ! node -e 'process.exit(parseInt(process.versions.node) >= 20 ? 0 : 1)'; then
    missing+=(nodejs npm)
  fi
  command -v npm >/dev/null || missing+=(npm)
  if ((${#missing[@]})); then
    echo "install.sh: installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_macos() {
  command -v brew >/dev/null || { echo "install.sh: Homebrew is required on macOS (https://brew.sh)" >&2; exit 1; }
  brew install "${brew_packages[@]}"
}

if ((do_deps)); then
  case "$(uname -s)" in
    Linux)
      if command -v apt-get >/dev/null; then install_debian
      else echo "install.sh: unsupported Linux distribution (need apt-get); install the packages listed in this script by hand" >&2; exit 1; fi ;;
    Darwin) install_macos ;;
    *) echo "install.sh: unsupported OS $(uname -s)" >&2; exit 1 ;;
  esac
fi

if ((do_build)); then
  gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  cmake -S "$repo" -B "$build_dir" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DGW_BUILD_TESTS=OFF -DGW_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build_dir" --target gw gw_completions -j"$(nproc 2>/dev/null || sysctl -n hw.ncpu)"
  cmake --install "$build_dir" --prefix "$prefix" >/dev/null
  echo "install.sh: installed $prefix/bin/gw ($("$prefix/bin/gw" --version)) and its shell completions"
  echo "install.sh: next: gw keys set anthropic; gw agent install-service; gw doctor"
  case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "install.sh: add $prefix/bin to your PATH" ;; esac
fi
