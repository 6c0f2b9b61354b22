#!/bin/sh
# Installs the Debian 12 packages that building, testing and the demo need,
# if any is missing: with apt-get as root, with sudo otherwise, and when
# neither can be used prints the exact command to run.
set -e
# python3 and xxhash (xxhsum) only run documentation snippets in the tests;
# python3-venv, -pip, -setuptools and -wheel install the Python package
# into a scratch venv, offline (test/python01.test), whose notebook runs
# with jupyter-nbconvert, python3-ipykernel and python3-matplotlib;
# sqlite-utils and pkgconf (pkg-config) run in their tests.
PACKAGES="gcc make libc6-dev libsqlite3-dev libxxhash-dev libutf8proc-dev libpcre2-dev zlib1g-dev libzstd-dev zstd libpsl-dev libxml2-dev libdivsufsort-dev g++ libcld2-dev sqlite3 tcl libsqlite3-tcl python3 xxhash python3-venv python3-pip python3-setuptools python3-wheel jupyter-nbconvert python3-ipykernel python3-matplotlib sqlite-utils pkgconf"
# chromium: test/report01.test opens the HTML report in it (headless), and
# make report-shot takes its screenshot.
PACKAGES="$PACKAGES chromium"
# python3-distributed (Dask, with python3-numpy): the near-duplicate
# pipeline over shards, python/sqlite_corpus/dedup.py (test/dask01.test).
PACKAGES="$PACKAGES python3-distributed"
# `sh scripts/deps.sh fuzz` (make fuzz): also clang and its libFuzzer and
# sanitizer runtimes.
if [ "${1:-}" = fuzz ]; then
  PACKAGES="$PACKAGES clang-14 libclang-rt-14-dev"
fi
missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo"
else
  echo "deps: missing Debian packages; run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
