#!/usr/bin/env bash
# Installs every Debian 12 package strata needs to build, test, fuzz and benchmark.
# Idempotent: when everything is present it does nothing (no apt-get update, no network).
set -euo pipefail

packages=(
  cmake make g++ pkg-config ccache
  libsqlite3-dev sqlite3 libpq-dev libpg-query-dev nlohmann-json3-dev libfmt-dev libcli11-dev
  libtomlplusplus-dev libssl-dev
  libgtest-dev libbenchmark-dev postgresql-15
  libmariadb-dev mariadb-server mariadb-client openssl
  clang-19 libclang-rt-19-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
