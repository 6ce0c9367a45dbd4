#!/usr/bin/env bash
# Install every Debian package launchwatch needs to build, test and demo,
# and build the tests' second database server (mongo-java-server, pinned in
# tools/mongojava/pom.xml; Maven fetches it into ~/.m2, nothing into git).
# Idempotent: packages already present are skipped; nothing runs when all are.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(
  build-essential pkg-config make git ca-certificates curl
  libncurses-dev libcurl4-openssl-dev libmongoc-dev libbson-dev
  libjansson-dev libyaml-dev libmicrohttpd-dev zlib1g-dev libsystemd-dev libsodium-dev check
  tmux valgrind cppcheck clang clang-format python3 python3-aiosmtpd python3-venv
  libclang-rt-14-dev # make fuzz: libFuzzer for clang
  chromium fonts-dejavu-core libxlsxwriter-dev
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# make test-mongo: a JDK (Maven compiles the launcher) and Maven
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)

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

# The sentiment scorer's venv (tools/sentiment, docs/alerts.md section 9):
# Debian's python3 with VADER pinned from PyPI, made again only when the pin
# is not what it holds. make writes its python into bin/launchwatch-sentiment.
venv=${LW_SENTIMENT_VENV:-$HOME/.cache/launchwatch/sentiment-venv}
vader=vadersentiment==3.3.2
if ! "$venv/bin/python3" -c 'import importlib.metadata as m, sys; sys.exit(m.version("vaderSentiment") != "3.3.2")' 2>/dev/null; then
  echo "install-deps: making $venv ($vader from PyPI)" >&2
  /usr/bin/python3 -m venv --clear "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$vader"
fi

# The launcher of mongo-java-server and its classpath (target/lib), built
# again only when its sources changed.
jar=tools/mongojava/target/launchwatch-mongojava.jar
if [ ! -f "$jar" ] || [ tools/mongojava/pom.xml -nt "$jar" ] ||
  [ -n "$(find tools/mongojava/src -newer "$jar" -type f 2>/dev/null)" ]; then
  echo "install-deps: building $jar (mongo-java-server from Maven Central)" >&2
  # quiet Maven still prints bare colour resets: its output only on failure
  if ! out=$(mvn -q -B -f tools/mongojava/pom.xml package 2>&1); then
    printf '%s\n' "$out" >&2
    exit 1
  fi
fi
exit 0
