# Benchmark of the text layer's hot paths: normalize(), tokenize(),
# token_count(), the tokens and ngrams tables, the xxHash functions and
# sample_keep(), each timed over every document of a real corpus.  With
# -set quality, the quality functions instead: quality_signals(),
# quality_reject(), the heuristic quality_score(), c4_clean(), and the
# classifier (quality_classify(text, model) with the model bound as a parameter
# and from a subquery, and quality_train(), whose model is trained once per
# corpus, before the timings, on labels id % 2).
#
#   tclsh bench/text.tcl LIB [-set text|quality] [-runs N] [-cap-mb N] [-only GLOB] CORPUS...
#
# LIB is the extension without its suffix (dist/corpus).  A CORPUS is a JSONL
# file ({"id","text"} per line) or a JSON array of objects with a "text" key
# (examples/data/sqlite-doc.json).  Every query is run -runs times (default 3)
# and the best wall-clock time is reported; a corpus larger than -cap-mb MB
# of text (default 50) is cut to its first documents.  -only keeps the
# queries whose SQL matches GLOB (the baseline always runs).  The output is
# figures, never a verdict.
package require sqlite3
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/text.tcl LIB \[-set text|quality\] \[-runs N\] \[-cap-mb N\] \[-only GLOB\] CORPUS..."
  exit 2
}

set runs 3
set set text
set cap_mb 50
set only *
set files [parse_args $argv {-runs runs -set set -cap-mb cap_mb -only only}]
if {![string is integer -strict $runs] || $runs < 1} usage
if {![string is double -strict $cap_mb] || $cap_mb <= 0} usage
if {$set ni {text quality}} usage
if {![llength $files]} usage

open_db $lib

# The baseline: a plain scan that touches every text (length() of a TEXT
# value counts characters, so it reads every byte).
set baseline {SELECT count(length(text)) FROM docs}

# {SQL unit}: unit is the throughput column, MB/s of text or rows/s.
# count(*) over tokens() and ngrams() reads no output column, so it measures
# tokenizing and row stepping only; count(token) and count(hash) also build
# each token's or n-gram's text (and, for hash, hash it).
set queries {
  {{SELECT count(normalize(text)) FROM docs} MB}
  {{SELECT count(normalize(text, 'form=nfc case=keep punct=keep space=keep')) FROM docs} MB}
  {{SELECT count(normalize(text, 'accents=strip digits=zero')) FROM docs} MB}
  {{SELECT sum(token_count(text)) FROM docs} MB}
  {{SELECT sum(token_count(text, 'chars')) FROM docs} MB}
  {{SELECT count(tokenize(text)) FROM docs} MB}
  {{SELECT count(*) FROM docs, tokens(docs.text)} MB}
  {{SELECT count(token) FROM docs, tokens(docs.text)} MB}
  {{SELECT count(*) FROM docs, ngrams(docs.text, 5)} MB}
  {{SELECT count(hash) FROM docs, ngrams(docs.text, 5)} MB}
  {{SELECT count(xxh3(text)) FROM docs} MB}
  {{SELECT count(xxh64(text)) FROM docs} MB}
  {{SELECT count(xxh128(text)) FROM docs} MB}
  {{SELECT sum(sample_keep(id, 0.5)) FROM docs} rows}
}
# The quality set.  $::model is bound as a parameter (SQLite passes it
# without copying); the subquery form copies the model BLOB for every row.
if {$set eq "quality"} {
  set queries {
    {{SELECT count(quality_signals(text)) FROM docs} MB}
    {{SELECT count(quality_reject(text)) FROM docs} MB}
    {{SELECT count(quality_reject(text, 'rules=c4')) FROM docs} MB}
    {{SELECT sum(quality_score(text)) FROM docs} MB}
    {{SELECT count(c4_clean(text)) FROM docs} MB}
    {{SELECT sum(quality_classify(text, $::model)) FROM docs} MB}
    {{SELECT sum(quality_classify(text, (SELECT model FROM models))) FROM docs} MB}
    {{SELECT length(quality_train(text, id % 2)) FROM docs} MB}
    {{SELECT sum(quality_keep(0.5, id)) FROM docs} rows}
  }
}

header "sqlite-corpus $set benchmark" 7
machine_fields
field tcl [info patchlevel]
field runs "best of $runs, wall clock"
print_corpus_debug
puts ""

# ---------------------------------------------------------------- loading
# Loads FILE into a fresh docs table, at most CAP bytes of text: a JSONL
# file by the shared loader, a JSON array (the small bundled
# examples/data/sqlite-doc.json, the fallback when no real corpus is built)
# parsed whole by SQLite's json_each().  Returns {docs bytes capped}.
proc load_corpus {file cap} {
  if {![string match {*.json} $file]} { return [load_jsonl $file $cap] }
  new_docs
  set f [open $file r]
  fconfigure $f -encoding utf-8 -translation lf
  set data [read $f]
  close $f
  set n 0
  set bytes 0
  set capped 0
  db transaction {
    db eval {SELECT value ->> '$.text' AS t FROM json_each($data)} {
      set len [string length [encoding convertto utf-8 $t]]
      if {$n > 0 && $bytes + $len > $cap} { set capped 1; break }
      db eval {INSERT INTO docs(text) VALUES($t)}
      incr n
      incr bytes $len
    }
  }
  return [list $n $bytes $capped]
}

set total0 [clock microseconds]
foreach file $files {
  lassign [load_and_report load_corpus $file $cap_mb] ndocs mb
  if {$set eq "quality"} {
    db eval {
      DROP TABLE IF EXISTS models;
      CREATE TABLE models AS SELECT quality_train(text, id % 2) AS model FROM docs;
    }
    set ::model [db onecolumn {SELECT model FROM models}]
  }
  query_table $baseline $queries $only $mb $ndocs 13
}
puts [format "total: %.1f s" [expr {([clock microseconds] - $total0) / 1e6}]]
db close
