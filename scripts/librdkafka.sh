#!/usr/bin/env bash
# Builds librdkafka 2.8.0 from Debian's source package (suite trixie) into .deps/librdkafka,
# which Package.swift links against (with an rpath) and Sources/CRdKafka/shim.h includes.
#
# Why not the system's: Debian bookworm ships librdkafka 2.0.2, which mis-skips tagged fields
# (fixed upstream in 2.2.0, confluentinc/librdkafka PR #4278): a broker that answers
# ApiVersions v3 with tagged fields (Tansu, recent Apache Kafka) gets "Protocol read buffer
# underflow" and every probe calls it degraded. Only the source package is used, never
# another release's binary packages; apt verifies it against trixie's signed Sources index
# and this script checks the upstream tarball's SHA-256 as well.
#
# Idempotent: with the stamp in place it prints one line and exits 0. The build happens in a
# temporary folder and the prefix is moved into place whole, so an interrupted run leaves
# either the previous prefix or none, never half of one.
set -euo pipefail
cd "$(dirname "$0")/.."

version=2.8.0
debian_version=2.8.0-1
orig_sha256=5bd1c46f63265f31c6bfcedcde78703f77d28238eadf23821c2b43fc30be3e25
prefix="$PWD/.deps/librdkafka"
stamp="$prefix/.stamp"
want="librdkafka $version $orig_sha256"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$prefix/lib/librdkafka.so.1" ]; then
  echo "deps: librdkafka $version present in .deps/librdkafka"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# What librdkafka's configure looks for (Debian's Build-Depends for 2.8.0-1, less what only
# its own tests use): compression, TLS, SASL, and libcurl for OIDC.
build_deps=(make gcc libc6-dev pkg-config liblz4-dev libsasl2-dev libssl-dev libzstd-dev zlib1g-dev libcurl4-openssl-dev)
missing=()
for p in "${build_deps[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    echo "deps: librdkafka needs ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "deps: installing librdkafka's build dependencies: ${missing[*]}"
  $SUDO apt-get update -qq
  if ! $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; then
    echo "deps: apt-get could not install ${missing[*]}; check the package sources" >&2
    exit 1
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

# A private apt configuration with trixie's source index only: the machine's own sources
# (and its binary packages) are left as they are.
mkdir -p "$work/apt/lists/partial" "$work/apt/parts" "$work/apt/cache/archives/partial" "$work/src"
cat >"$work/apt/parts/trixie-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/apt/parts"
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o "APT::Sandbox::User=root")
echo "deps: fetching Debian's librdkafka $debian_version source package (trixie)"
if ! apt-get "${apt_opts[@]}" -qq update; then
  echo "deps: could not read trixie's source index from deb.debian.org; check that Debian's archive is reachable" >&2
  exit 1
fi
if ! (cd "$work/src" && apt-get "${apt_opts[@]}" -qq source --download-only "librdkafka=$debian_version") >/dev/null; then
  echo "deps: Debian's archive no longer offers librdkafka $debian_version in trixie; update version and" \
    "orig_sha256 in scripts/librdkafka.sh" >&2
  exit 1
fi
tarball="$work/src/librdkafka_$version.orig.tar.gz"
if ! echo "$orig_sha256  $tarball" | sha256sum --check --quiet; then
  echo "deps: librdkafka_$version.orig.tar.gz does not have the SHA-256 this script expects" >&2
  exit 1
fi

tar -xzf "$tarball" -C "$work/src"
jobs=$(nproc 2>/dev/null || echo 2)
staging="$prefix.partial"
rm -rf "$staging"
echo "deps: building librdkafka $version into .deps/librdkafka ($jobs jobs)"
(
  cd "$work/src/librdkafka-$version"
  # --no-download: configure uses only what is on the machine.
  ./configure --prefix="$prefix" --no-download >"$work/configure.log" 2>&1 ||
    { tail -30 "$work/configure.log" >&2; exit 1; }
  # The C library only (`make libs` would build the C++ wrapper too, which nothing here uses).
  make -j"$jobs" -C src >"$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; exit 1; }
  # Installed under a staging DESTDIR, then moved: the prefix is whole or absent.
  make -C src install DESTDIR="$work/destdir" >"$work/install.log" 2>&1 || { tail -20 "$work/install.log" >&2; exit 1; }
)
mkdir -p "$(dirname "$prefix")"
mv "$work/destdir$prefix" "$staging"
echo "$want" >"$staging/.stamp"
rm -rf "$prefix"
mv "$staging" "$prefix"
echo "deps: built librdkafka $version in $(($(date +%s) - started)) s"
