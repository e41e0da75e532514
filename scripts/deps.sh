#!/usr/bin/env bash
# Installs the system libraries the package links against, only when missing.
# Idempotent: on a machine that has everything it prints one line and exits 0.
set -euo pipefail

packages=(librdkafka-dev libcurl4-openssl-dev libsqlite3-dev pkg-config etcd-server)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ! command -v swift >/dev/null 2>&1; then
  echo "deps: the Swift toolchain (6.0 or newer) is not on PATH; install it first" >&2
  exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all system packages present (${packages[*]})"
  exit 0
fi

echo "deps: installing missing packages: ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: apt-get not found; install these packages by hand: ${missing[*]}" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "deps: not root and no sudo; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}"; }; then
  echo "deps: apt-get could not install ${missing[*]}; check the package sources" >&2
  exit 1
fi
echo "deps: installed ${missing[*]}"
