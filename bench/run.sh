#!/bin/sh
# The benchmarks (`make bench`): finds the real corpora and runs, in order,
# bench/text.tcl (the text layer, then with -set quality the quality filters
# and classifier), bench/minhash.tcl (signing throughput),
# bench/pipeline.tcl (sql/dedup.sql end to end on generated documents) and
# bench/quality.tcl (precision and recall of dedup on real near-duplicates).
# Prints figures; never fails on a figure.
#
#   sh bench/run.sh [text.tcl options: -runs N, -cap-mb N, -only GLOB]
#   sh bench/run.sh text|minhash|pipeline|quality [that script's options]
#                  (quality: the precision and recall of dedup)
#   sh bench/run.sh filters [text.tcl options]   the quality filters and the
#                  classifier's speed (text.tcl -set quality)
#   sh bench/run.sh bpe [bpe.tcl options]        BPE speed, next to the JS
#                  tiktoken implementations (also the last of the default run)
#   sh bench/run.sh files [files.tcl options]   write_jsonl and read_jsonl on
#                  man.jsonl, next to zstd and Python's json (issue 13)
#   sh bench/run.sh warc [warc.tcl options]     read_warc over a 100 MB
#                  per-record-gzip WARC built from /usr/share/doc, next to zcat
#   sh bench/run.sh html [OPTIONS]               html_to_text on the public
#                  article-extraction benchmark (F1 by its evaluate.py, MB/s
#                  next to libxml2's parse alone); needs $ARTICLE_BENCH
#   sh bench/run.sh lang [lang.tcl options]     lang_id's accuracy on the
#                  multilingual test set and its speed next to a plain
#                  scan; CLD2 next to libexttextcat (bench/lang.tcl)
#   sh bench/run.sh pii [pii.tcl options]       pii_redact/pii_spans: precision
#                  and recall per kind on a planted set (seed printed), and
#                  MB/s next to a plain scan (issue 14)
#   sh bench/run.sh substr [substr.tcl options]  exact-substring dedup
#                  (issue 16): substring_dups and substring_index, time and
#                  peak memory at width=32 and 64, next to a plain scan and
#                  libdivsufsort alone, and the bytes each source loses at
#                  min_length 50, 100, 200; BENCH_SUBSTR_MB of text (default
#                  20, ~1 min; 1000 for the issue's 1 GB, ~1 hour)
#   sh bench/run.sh stats [stats.tcl options]   histogram() and quantiles()
#                  over BENCH_STATS_ROWS generated token counts (default
#                  10,000,000), rows/s next to a plain scan, a GROUP BY
#                  histogram and an ORDER BY median (issue 17)
#   sh bench/run.sh verify [verify.tcl options]   step 4 of sql/dedup.sql on
#                  a quarter, a half and all of BENCH_VERIFY (default man
#                  spamassassin debian-handbook, 34,000 documents): jaccard()
#                  per candidate against dedup_verify(), and near_duplicates()
#                  (issue 18; ~2 min)
#   sh bench/run.sh rouge [rouge.tcl options]   rouge_l() and rouge_n() on
#                  100,000 generated sentence pairs, pairs/s next to a plain
#                  scan and test/rouge_ref.py (issue 19; ~30 s)
#   sh bench/run.sh llm [llm.tcl options]       llm_request(), llm_response(),
#                  regexp*, fewshot() on 200,000 prompts (-n) cut from the
#                  corpora of BENCH_LLM, rows/s next to json_object(),
#                  json_extract(), LIKE and replace() (issue 19; ~3 min)
#   sh bench/run.sh self_instruct [self_instruct.py options]   opt-in: the
#                  Self-Instruct filter's ROUGE-L step with and without its
#                  MinHash-LSH prefilter, and the prefilter's recall
#                  (/usr/bin/python3 bench/self_instruct.py; long)
#   sh bench/run.sh dask [dedup_dask.py options]      opt-in: the Dask pipeline
#                  (python3 -m sqlite_corpus.dedup) on BENCH_DASK_SCALE
#                  generated documents (default 100000; pipeline.tcl's
#                  corpus, originals of 300-1,500 bytes) in BENCH_DASK_SHARDS
#                  shards (default 64), with 1 and 2 workers, next to
#                  sql/dedup.sql in one sqlite3 process, whose clusters it
#                  must give (issue 18; ~3 min; 10,000,000: ~1 hour)
#   sh bench/run.sh minhash_index [minhash_index.tcl options]   opt-in, ~45 min
#                  at its default -n "100000 1000000": the minhash_index
#                  virtual table's inserts, queries and bytes per document
#                  next to plain tables, then datasketch's MinHashLSH on the
#                  same documents (issue 15; ~2 GB of generated text and a
#                  few GB of disk in BENCH_DIR)
#   sh bench/run.sh bpe-parity [bpe_parity.tcl options]   opt-in, ~5 min:
#                  every document's BPE ids against npm tiktoken; exit 1 on
#                  any mismatch
#
# With no benchmark named, text, filters, minhash, pipeline, quality, bpe,
# files, warc, html, lang, pii, substr, stats, verify, rouge and llm run, and
# the options (if any) go to the first, text.tcl.  Naming one runs
# only that one, with the options.
#
#   CORPORA_DIR    where the JSONL corpora live (default /tmp/corpora)
#   BENCH_CORPORA  corpora of text.tcl and minhash.tcl (default: sqlite-doc
#                  sotu man spamassassin)
#   BENCH_ENGLISH  corpora of minhash.tcl's "english 1-50 KB" line (default:
#                  sotu sqlite-doc pydoc-3.11 man; English pages only of man)
#   BENCH_QUALITY  corpora of quality.tcl (default: spamassassin deb-copyright)
#   BENCH_SCALE    documents of pipeline.tcl (default 100000; the issue's
#                  figure is 1000000, about 2 GB of text and 6 GB of disk)
#   BENCH_DIR      pipeline.tcl's and minhash_index.tcl's scratch directory (default /tmp/corpus-bench)
#   BENCH_DASK_SCALE, BENCH_DASK_SHARDS   dedup_dask.py's documents and shards
#   BENCH_PII      corpora of pii.tcl (default: fortunes jargon man)
#   BENCH_LLM      corpora of llm.tcl (default: debian-handbook man)
#   BENCH_BPE      corpora of bpe.tcl (default: sotu man spamassassin; man's
#                  non-English pages are also timed alone, as man-i18n)
#   BENCH_BPE_LANGS  languages of man also timed one by one, as man-LANG
#                  (default: de fr es pl ru ja; "" for none)
#   BENCH_BPE_PARITY  corpora of bpe_parity.tcl (default: man sqlite-doc
#                  spamassassin pydoc-3.11 sotu deb-copyright)
#   BENCH_SUBSTR_MB  MB of text of substr.tcl (default 20: an equal share
#                  of each of the ten corpora).  Past 200, the corpus is
#                  BENCH_SUBSTR_DB, made by bench/corpus-1g.sh when missing
#                  (~1.07 GB of real text: the ten corpora and more
#                  Debian documentation and source code, apt-installed)
#   BENCH_SUBSTR_DB  that database (default /tmp/corpus-1g.db), cut to
#                  BENCH_SUBSTR_MB by substr.tcl when larger
#   NODE           node, for the JS references of bpe and bpe-parity
#   BPE_MODULES    where `npm install tiktoken js-tiktoken gpt-tokenizer` ran
#                  (default /tmp/tk/node_modules)
#   DATASKETCH_SRC datasketch's source tree, for minhash_index (default
#                  /tmp/datasketch: git clone https://github.com/ekzhu/datasketch;
#                  numpy and scipy from Debian: apt-get install python3-numpy
#                  python3-scipy)
#   ARTICLE_BENCH  a checkout of scrapinghub/article-extraction-benchmark
#                  (default /tmp/article-extraction-benchmark)
#   TCLSH          the Tcl shell (default tclsh)
#   CORPUS_LIB     the extension, without suffix (default dist/corpus)
#   CORPORA_BUILD  the corpus builder (default scripts/corpora.sh;
#                  a path that does not exist turns building off)
#
# A corpus is $CORPORA_DIR/NAME.jsonl, one {"id","text"} object a line.  When
# some are missing, scripts/corpora.sh is run to build them (it
# apt-installs Debian packages and npm-installs two datasets).  The /tmp
# paths above are defaults only: every one is set by its variable.  When none can
# be found, text.tcl uses the small bundled examples/data/sqlite-doc.json
# instead; the other benchmarks need the real corpora.
set -u
cd "$(dirname "$0")/.." || exit 1

CORPORA_DIR=${CORPORA_DIR:-/tmp/corpora}
ARTICLE_BENCH=${ARTICLE_BENCH:-/tmp/article-extraction-benchmark}
DATASKETCH_SRC=${DATASKETCH_SRC:-/tmp/datasketch}
BENCH_CORPORA=${BENCH_CORPORA:-"sqlite-doc sotu man spamassassin"}
BENCH_ENGLISH=${BENCH_ENGLISH:-"sotu sqlite-doc pydoc-3.11 man"}
BENCH_QUALITY=${BENCH_QUALITY:-"spamassassin deb-copyright"}
BENCH_VERIFY=${BENCH_VERIFY:-"man spamassassin debian-handbook"}
BENCH_SCALE=${BENCH_SCALE:-100000}
BENCH_DIR=${BENCH_DIR:-/tmp/corpus-bench}
# every corpus scripts/corpora.sh makes: the pipeline's documents are cut from all
PIPELINE_CORPORA="deb-copyright foldoc fortunes gcide jargon man pydoc-3.11 sotu spamassassin sqlite-doc"
BENCH_PII=${BENCH_PII:-"fortunes jargon man"}
BENCH_LLM=${BENCH_LLM:-"debian-handbook man"}
BENCH_SUBSTR_MB=${BENCH_SUBSTR_MB:-20}
BENCH_SUBSTR_DB=${BENCH_SUBSTR_DB:-/tmp/corpus-1g.db}
BENCH_BPE=${BENCH_BPE:-"sotu man spamassassin"}
BENCH_BPE_LANGS=${BENCH_BPE_LANGS-"de fr es pl ru ja"}
BENCH_BPE_PARITY=${BENCH_BPE_PARITY:-"man sqlite-doc spamassassin pydoc-3.11 sotu deb-copyright"}
NODE=${NODE:-node}
BPE_MODULES=${BPE_MODULES:-/tmp/tk/node_modules}
TCLSH=${TCLSH:-tclsh}
CORPUS_LIB=${CORPUS_LIB:-dist/corpus}
BUILD=${CORPORA_BUILD:-scripts/corpora.sh}
FALLBACK=examples/data/sqlite-doc.json

mode=all
case "${1:-}" in
  text|filters|minhash|minhash_index|pipeline|quality|bpe|bpe-parity|files|warc|html|lang|pii|substr|stats|verify|dask|rouge|llm|self_instruct|all) mode=$1; shift ;;
esac

if [ ! -f "$CORPUS_LIB.so" ]; then
  echo "bench: $CORPUS_LIB.so not found; run make first" >&2
  exit 1
fi

missing() {
  m=""
  for n in "$@"; do
    [ -s "$CORPORA_DIR/$n.jsonl" ] || m="$m $n"
  done
  echo "$m"
}

# Builds the named corpora that are missing, when the builder is there.
ensure() {
  need=$(missing "$@")
  if [ -n "$need" ] && [ -f "$BUILD" ]; then
    echo "bench: corpora missing in $CORPORA_DIR:$need; building them with $BUILD"
    # shellcheck disable=SC2086
    if ! CORPORA_DIR="$CORPORA_DIR" bash "$BUILD" $need; then
      echo "bench: $BUILD failed; going on with what there is" >&2
    fi
    need=$(missing "$@")
  fi
  if [ -n "$need" ]; then
    echo "bench: not found in $CORPORA_DIR, skipped:$need"
  fi
}

# Whether any of the corpora named in $1 is built.
have_corpora() {
  for n in $1; do
    [ -s "$CORPORA_DIR/$n.jsonl" ] && return 0
  done
  return 1
}

# Runs the command "$@" (after the names, $1) with the files of the corpora
# named in $1 that are built appended to its arguments, so that a
# CORPORA_DIR with spaces in it survives.
with_corpora() {
  names=$1
  shift
  for n in $names; do
    if [ -s "$CORPORA_DIR/$n.jsonl" ]; then
      set -- "$@" "$CORPORA_DIR/$n.jsonl"
    fi
  done
  echo
  "$@"
}

run_text() {
  ensure $BENCH_CORPORA
  if ! have_corpora "$BENCH_CORPORA"; then
    echo "bench: no real corpus found; falling back to the small bundled $FALLBACK"
    echo "bench: (its figures are noisy; bench/README.md says how to build the real corpora)"
    echo
    "$TCLSH" bench/text.tcl "$CORPUS_LIB" "$@" "$FALLBACK"
    return
  fi
  with_corpora "$BENCH_CORPORA" "$TCLSH" bench/text.tcl "$CORPUS_LIB" "$@"
}

run_minhash() {
  ensure $BENCH_CORPORA $BENCH_ENGLISH
  nfiles=0
  for n in $BENCH_ENGLISH; do
    if [ -s "$CORPORA_DIR/$n.jsonl" ]; then
      set -- "$@" -english "$CORPORA_DIR/$n.jsonl"
      nfiles=$((nfiles + 1))
    fi
  done
  for n in $BENCH_CORPORA; do
    if [ -s "$CORPORA_DIR/$n.jsonl" ]; then
      set -- "$@" "$CORPORA_DIR/$n.jsonl"
      nfiles=$((nfiles + 1))
    fi
  done
  if [ "$nfiles" = 0 ]; then
    echo "bench: minhash: no real corpus found; skipped"
    return 0
  fi
  echo
  "$TCLSH" bench/minhash.tcl "$CORPUS_LIB" "$@"
}

run_pipeline() {
  ensure $PIPELINE_CORPORA
  if [ -z "$(ls "$CORPORA_DIR"/*.jsonl 2>/dev/null)" ]; then
    echo "bench: pipeline: no real corpus found; skipped"
    return 0
  fi
  echo
  CORPORA_DIR="$CORPORA_DIR" "$TCLSH" bench/pipeline.tcl "$CORPUS_LIB" \
    -n "$BENCH_SCALE" -dir "$BENCH_DIR" "$@"
}

run_quality() {
  ensure $BENCH_QUALITY
  if ! have_corpora "$BENCH_QUALITY"; then
    echo "bench: quality: no real corpus found; skipped"
    return 0
  fi
  with_corpora "$BENCH_QUALITY" "$TCLSH" bench/quality.tcl "$CORPUS_LIB" "$@"
}

# minhash_index.tcl: its documents are generated from all the corpora, as
# the pipeline's; datasketch's source is found in DATASKETCH_SRC.
run_minhash_index() {
  ensure $PIPELINE_CORPORA
  if [ -z "$(ls "$CORPORA_DIR"/*.jsonl 2>/dev/null)" ]; then
    echo "bench: minhash_index: no real corpus found; skipped"
    return 0
  fi
  echo
  CORPORA_DIR="$CORPORA_DIR" "$TCLSH" bench/minhash_index.tcl "$CORPUS_LIB" \
    -dir "$BENCH_DIR" -datasketch "$DATASKETCH_SRC" "$@"
}

# bpe.tcl: the BPE encodings' speed; the JS references are timed if node and
# BPE_MODULES are there, else skipped with a message.
run_bpe() {
  ensure $BENCH_BPE
  nfiles=0
  for n in $BENCH_BPE; do
    if [ -s "$CORPORA_DIR/$n.jsonl" ]; then
      set -- "$@" "$CORPORA_DIR/$n.jsonl"
      nfiles=$((nfiles + 1))
      if [ "$n" = man ]; then
        # the pages in de, ja, fr, pl, es, ru, ... (ids man/LANG/...)
        set -- "$@" -subset man-i18n '^\{"id": "man/[a-z][a-z](_[A-Z][A-Z])?/' \
          "$CORPORA_DIR/man.jsonl"
        for lang in $BENCH_BPE_LANGS; do
          set -- "$@" -subset "man-$lang" "^\\{\"id\": \"man/$lang/" \
            "$CORPORA_DIR/man.jsonl"
        done
      fi
    fi
  done
  if [ "$nfiles" = 0 ]; then
    echo "bench: bpe: no real corpus found; skipped"
    return 0
  fi
  echo
  "$TCLSH" bench/bpe.tcl "$CORPUS_LIB" -node "$NODE" -modules "$BPE_MODULES" "$@"
}

# bpe_parity.tcl: needs node and npm tiktoken (the reference).
run_bpe_parity() {
  if ! command -v "$NODE" >/dev/null 2>&1 || [ ! -d "$BPE_MODULES/tiktoken" ]; then
    echo "bench: bpe-parity needs node and npm tiktoken in $BPE_MODULES:" >&2
    echo "  mkdir -p /tmp/tk && (cd /tmp/tk && npm init -y && npm install tiktoken js-tiktoken gpt-tokenizer)" >&2
    return 2
  fi
  ensure $BENCH_BPE_PARITY
  nfiles=0
  for n in $BENCH_BPE_PARITY; do
    if [ -s "$CORPORA_DIR/$n.jsonl" ]; then
      set -- "$@" "$CORPORA_DIR/$n.jsonl"
      nfiles=$((nfiles + 1))
    fi
  done
  if [ "$nfiles" = 0 ]; then
    echo "bench: bpe-parity: no real corpus found; only the synthetic pieces"
  fi
  echo
  "$TCLSH" bench/bpe_parity.tcl "$CORPUS_LIB" -node "$NODE" -modules "$BPE_MODULES" \
    -synth "$@"
}

# files.tcl: write_jsonl and read_jsonl on man.jsonl.
run_files() {
  ensure man
  if [ ! -s "$CORPORA_DIR/man.jsonl" ]; then
    echo "bench: files: man.jsonl not found; skipped"
    return 0
  fi
  echo
  "$TCLSH" bench/files.tcl "$CORPUS_LIB" "$@" "$CORPORA_DIR/man.jsonl"
}

# warc.tcl: builds its WARC from the HTML under /usr/share/doc.
run_warc() {
  echo
  "$TCLSH" bench/warc.tcl "$CORPUS_LIB" "$@"
}

# html_extraction.py: html_to_text on the article-extraction benchmark's
# pages, scored by its own evaluate.py; needs a checkout of it.
run_html() {
  echo
  if [ ! -f "$ARTICLE_BENCH/ground-truth.json" ]; then
    echo "bench: html: no checkout of the article-extraction benchmark in $ARTICLE_BENCH; skipped"
    echo "bench: (git clone https://github.com/scrapinghub/article-extraction-benchmark $ARTICLE_BENCH)"
    return 0
  fi
  python3=/usr/bin/python3
  [ -x "$python3" ] || python3=python3
  "$python3" bench/html_extraction.py "$ARTICLE_BENCH" "$@"
}

# lang.tcl: builds its test set from the gettext catalogs when missing.
run_lang() {
  echo
  "$TCLSH" bench/lang.tcl "$CORPUS_LIB" "$@"
}

# pii.tcl: its planted set is cut from the same corpora it times.
run_pii() {
  ensure $BENCH_PII
  nfiles=0
  for n in $BENCH_PII; do
    if [ -s "$CORPORA_DIR/$n.jsonl" ]; then
      set -- "$@" "$CORPORA_DIR/$n.jsonl"
      nfiles=$((nfiles + 1))
    fi
  done
  if [ "$nfiles" = 0 ]; then
    echo "bench: pii: no real corpus found; skipped"
    return 0
  fi
  echo
  "$TCLSH" bench/pii.tcl "$CORPUS_LIB" "$@"
}

# substr.tcl: up to 200 MB, an equal share of each of the ten corpora;
# past that, BENCH_SUBSTR_DB (bench/corpus-1g.sh), cut to the size.
run_substr() {
  echo
  if [ "$BENCH_SUBSTR_MB" -gt 200 ]; then
    if [ ! -s "$BENCH_SUBSTR_DB" ]; then
      echo "bench: substr: making $BENCH_SUBSTR_DB with bench/corpus-1g.sh"
      CORPORA_DIR="$CORPORA_DIR" OUT="$BENCH_SUBSTR_DB" \
        BYTES="${BENCH_SUBSTR_MB}000000" sh bench/corpus-1g.sh || return 0
    fi
    "$TCLSH" bench/substr.tcl "$CORPUS_LIB" -db "$BENCH_SUBSTR_DB" \
      -size "$BENCH_SUBSTR_MB" -dir "$BENCH_DIR" "$@"
    return
  fi
  ensure $PIPELINE_CORPORA
  nfiles=0
  for n in $PIPELINE_CORPORA; do
    if [ -s "$CORPORA_DIR/$n.jsonl" ]; then
      set -- "$@" "$CORPORA_DIR/$n.jsonl"
      nfiles=$((nfiles + 1))
    fi
  done
  if [ "$nfiles" = 0 ]; then
    echo "bench: substr: no real corpus found; skipped"
    return 0
  fi
  "$TCLSH" bench/substr.tcl "$CORPUS_LIB" -size "$BENCH_SUBSTR_MB" \
    -dir "$BENCH_DIR" "$@"
}

# stats.tcl: histogram() and quantiles() over a generated column of
# BENCH_STATS_ROWS rows (default 10,000,000), next to plain SQL.
run_stats() {
  echo
  "$TCLSH" bench/stats.tcl "$CORPUS_LIB" -n "${BENCH_STATS_ROWS:-10000000}" "$@"
}

# verify.tcl: the recipe's verification step as documents grow (issue 18).
run_verify() {
  ensure $BENCH_VERIFY
  if ! have_corpora "$BENCH_VERIFY"; then
    echo "bench: verify: no real corpus found; skipped"
    return 0
  fi
  with_corpora "$BENCH_VERIFY" "$TCLSH" bench/verify.tcl "$CORPUS_LIB" \
    -db "$BENCH_DIR/verify.db" "$@"
}

# rouge.tcl: its sentence pairs are made by test/rouge01.py (/usr/bin/python3).
run_rouge() {
  echo
  "$TCLSH" bench/rouge.tcl "$CORPUS_LIB" "$@"
}

# llm.tcl: its prompts are cut from the corpora of BENCH_LLM.
run_llm() {
  ensure $BENCH_LLM
  if ! have_corpora "$BENCH_LLM"; then
    echo "bench: llm: no real corpus found; skipped"
    return 0
  fi
  with_corpora "$BENCH_LLM" "$TCLSH" bench/llm.tcl "$CORPUS_LIB" "$@"
}

# self_instruct.py: Debian's python3 (the first on PATH may not load
# extensions); it finds its corpora in CORPORA_DIR.
run_self_instruct() {
  echo
  CORPORA_DIR="$CORPORA_DIR" /usr/bin/python3 bench/self_instruct.py --lib "$CORPUS_LIB" "$@"
}

# dedup_dask.py: the corpus is pipeline.tcl's (made here by make_dupes.py when
# missing), the shards dedup_dask.py's, under /tmp/dask-bench.
run_dask() {
  ensure $PIPELINE_CORPORA
  if [ -z "$(ls "$CORPORA_DIR"/*.jsonl 2>/dev/null)" ]; then
    echo "bench: dask: no real corpus found; skipped"
    return 0
  fi
  if ! /usr/bin/python3 -c "import distributed" 2>/dev/null; then
    echo "bench: dask: python3-distributed not installed; skipped"
    return 0
  fi
  n=${BENCH_DASK_SCALE:-100000}
  db="$BENCH_DIR/docs-$n-s1-l300-1500.db"
  if [ ! -f "$db" ]; then
    mkdir -p "$BENCH_DIR"
    /usr/bin/python3 bench/make_dupes.py -n "$n" -o "$db" --seed 1 \
      --corpora-dir "$CORPORA_DIR" --length 300,1500 || return 0
  fi
  echo
  /usr/bin/python3 bench/dedup_dask.py --db "$db" --shards "${BENCH_DASK_SHARDS:-64}" \
    --workers 1,2 --sql --extension "$CORPUS_LIB" "$@"
}

case $mode in
  substr)   run_substr "$@" ;;
  dask)     run_dask "$@" ;;
  rouge)    run_rouge "$@" ;;
  llm)      run_llm "$@" ;;
  self_instruct) run_self_instruct "$@" ;;
  verify)   run_verify "$@" ;;
  stats)    run_stats "$@" ;;
  html)     run_html "$@" ;;
  lang)     run_lang "$@" ;;
  pii)      run_pii "$@" ;;
  files)    run_files "$@" ;;
  warc)     run_warc "$@" ;;
  text)     run_text "$@" ;;
  filters)  run_text -set quality "$@" ;;
  minhash)  run_minhash "$@" ;;
  pipeline) run_pipeline "$@" ;;
  minhash_index) run_minhash_index "$@" ;;
  quality)  run_quality "$@" ;;
  bpe)      run_bpe "$@" ;;
  bpe-parity) run_bpe_parity "$@" ;;
  all)
    run_text "$@"
    run_text -set quality
    run_minhash
    run_pipeline
    run_quality
    run_bpe
    run_files
    run_warc
    run_html
    run_lang
    run_pii
    run_substr
    run_stats
    run_verify
    run_rouge
    run_llm
    ;;
esac
