#!/usr/bin/env bash
# Install every Debian package launchwatch needs to build, test and demo.
# Idempotent: packages already present are skipped; nothing runs when all are.
set -euo pipefail

pkgs=(
  build-essential pkg-config make git ca-certificates curl
  libncurses-dev libcurl4-openssl-dev libmongoc-dev libbson-dev
  libjansson-dev libyaml-dev libmicrohttpd-dev zlib1g-dev check
  tmux valgrind cppcheck clang clang-format python3 python3-aiosmtpd
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# devdb is a Go program; Go itself must be 1.21 or newer.
if ! command -v go >/dev/null 2>&1; then
  echo "install-deps: go not found; installing Debian's golang" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends golang-go >/dev/null
fi
exit 0
