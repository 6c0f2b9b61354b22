#!/bin/sh
# The benchmark of the text layer (`make bench`): finds the real corpora and
# runs bench/text.tcl over them.  Prints figures; never fails on a figure.
#
#   sh bench/run.sh [text.tcl options: -runs N, -cap-mb N, -only GLOB]
#
#   CORPORA_DIR    where the JSONL corpora live (default /tmp/corpora)
#   BENCH_CORPORA  which corpora (default: sqlite-doc sotu man spamassassin)
#   TCLSH          the Tcl shell (default tclsh)
#   CORPUS_LIB     the extension, without suffix (default dist/corpus)
#   CORPORA_BUILD  the corpus builder (default ../shared/corpora/build.sh;
#                  a path that does not exist turns building off)
#
# A corpus is $CORPORA_DIR/NAME.jsonl, one {"id","text"} object a line.  When
# some are missing and ../shared/corpora/build.sh exists (next to the repo),
# it is run to build them (it apt-installs Debian packages).  When none can
# be found, the small bundled examples/data/sqlite-doc.json is used instead.
set -u
cd "$(dirname "$0")/.." || exit 1

CORPORA_DIR=${CORPORA_DIR:-/tmp/corpora}
BENCH_CORPORA=${BENCH_CORPORA:-"sqlite-doc sotu man spamassassin"}
TCLSH=${TCLSH:-tclsh}
CORPUS_LIB=${CORPUS_LIB:-dist/corpus}
BUILD=${CORPORA_BUILD:-../shared/corpora/build.sh}
FALLBACK=examples/data/sqlite-doc.json

if [ ! -f "$CORPUS_LIB.so" ]; then
  echo "bench: $CORPUS_LIB.so not found; run make first" >&2
  exit 1
fi

missing() {
  m=""
  for n in $BENCH_CORPORA; do
    [ -s "$CORPORA_DIR/$n.jsonl" ] || m="$m $n"
  done
  echo "$m"
}

need=$(missing)
if [ -n "$need" ] && [ -f "$BUILD" ]; then
  echo "bench: corpora missing in $CORPORA_DIR:$need; building them with $BUILD"
  # shellcheck disable=SC2086
  if ! CORPORA_DIR="$CORPORA_DIR" bash "$BUILD" $BENCH_CORPORA; then
    echo "bench: $BUILD failed; going on with what there is" >&2
  fi
  need=$(missing)
fi

# The corpus files are appended to the pass-through arguments, so that a
# CORPORA_DIR with spaces in it survives.
nfiles=0
for n in $BENCH_CORPORA; do
  if [ -s "$CORPORA_DIR/$n.jsonl" ]; then
    set -- "$@" "$CORPORA_DIR/$n.jsonl"
    nfiles=$((nfiles + 1))
  fi
done
if [ -n "$need" ]; then
  echo "bench: not found in $CORPORA_DIR, skipped:$need"
fi
if [ "$nfiles" = 0 ]; then
  echo "bench: no real corpus found; falling back to the small bundled $FALLBACK"
  echo "bench: (its figures are noisy; bench/README.md says how to build the real corpora)"
  set -- "$@" "$FALLBACK"
fi
echo

exec "$TCLSH" bench/text.tcl "$CORPUS_LIB" "$@"
