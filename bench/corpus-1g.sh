#!/bin/sh
# The ~1 GB of real text of bench/substr.tcl's large run (issue 16):
#
#   sh bench/corpus-1g.sh            builds $OUT (default /tmp/corpus-1g.db)
#   BYTES=500000000 OUT=/tmp/corpus-500m.db sh bench/corpus-1g.sh
#
# OUT is a SQLite database with one table,
#   docs(id INTEGER PRIMARY KEY, source TEXT, name TEXT, copy INTEGER, text TEXT)
# (source: the corpus, name: its JSONL id, copy: 1 unless repeated), holding
# BYTES (default 10^9) bytes of real text, no corpus taken twice when the
# sources below are there (1.07 GB of them; the sources' own exact copies
# stay, e.g. 422 of deb-copyright's 836 files):
#
# 1. the ten corpora of scripts/corpora.sh (== /work/shared/corpora/build.sh),
#    244 MB: man, pydoc-3.11, sqlite-doc, gcide, jargon, foldoc, fortunes,
#    deb-copyright, sotu, spamassassin; built in CORPORA_DIR when missing;
# 2. more Debian documentation, prose (bench/corpus_1g.py extract): linux-doc
#    (the kernel's Documentation/), debian-handbook (30 languages),
#    postgresql-doc, git-doc, perl-pod, vim-doc, info (the Info manuals),
#    openjdk-api and rust-doc (templated API pages), 264 MB;
# 3. source code: emacs-lisp, python-src, openjdk-src, go-src, rust-src and,
#    last (the one cut at BYTES), linux-src (the kernel's C but drivers/ and
#    arch/), 590 MB.
#
# The Debian packages of 2 and 3 are apt-installed when missing (root; about
# 450 MB of downloads, once); EXTRA=0 leaves 2 and 3 out.  When the sources
# found hold fewer than BYTES, they are taken again, whole, as copy 2, 3, ...,
# and the output says how many MB are repeated (exact copies are the easy case
# for the sort and the hard one for the find: every window of a copy repeats).
set -eu
cd "$(dirname "$0")/.."
CORPORA_DIR=${CORPORA_DIR:-/tmp/corpora}
OUT=${OUT:-/tmp/corpus-1g.db}
BYTES=${BYTES:-1000000000}
EXTRA=${EXTRA:-1}
BUILD=${CORPORA_BUILD:-scripts/corpora.sh}
export CORPORA_DIR
TEN="man pydoc-3.11 sqlite-doc gcide jargon foldoc fortunes deb-copyright sotu spamassassin"
PROSE="linux-doc debian-handbook postgresql-doc git-doc perl-pod vim-doc info openjdk-api rust-doc"
CODE="emacs-lisp python-src openjdk-src go-src rust-src linux-src"
PKGS="linux-doc-6.1 debian-handbook postgresql-doc-15 git-doc perl-doc vim-doc emacs-el
openjdk-17-doc rust-doc openjdk-17-source golang-1.19-src rust-src linux-source-6.1"

missing() {
  m=""
  for n in "$@"; do [ -s "$CORPORA_DIR/$n.jsonl" ] || m="$m $n"; done
  echo "$m"
}

need=$(missing $TEN)
if [ -n "$need" ]; then
  echo "corpus-1g: building$need with $BUILD"
  # shellcheck disable=SC2086
  bash "$BUILD" $need
fi
names=$TEN
if [ "$EXTRA" = 1 ]; then
  need=$(missing $PROSE $CODE)
  if [ -n "$need" ]; then
    echo "corpus-1g: installing the Debian packages of$need"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PKGS \
      >/dev/null || echo "corpus-1g: apt-get failed; going on with what there is" >&2
    # shellcheck disable=SC2086
    /usr/bin/python3 bench/corpus_1g.py extract $need
  fi
  names="$TEN $PROSE $CODE"
fi
# shellcheck disable=SC2086
/usr/bin/python3 bench/corpus_1g.py assemble "$OUT" "$BYTES" $names
