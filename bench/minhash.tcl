# Benchmark of MinHash signing, the hot path of near-duplicate detection:
# minhash() over every document of a real corpus, next to the baseline scan
# count(length(text)) in the same run, plus the variants that show where
# the time goes (SIMD kernels, normalization, num_perm, char shingles) and
# the cost of exact verification (jaccard()).
#
#   tclsh bench/minhash.tcl LIB [-runs N] [-cap-mb N] [-only GLOB]
#                               [-english FILE]... CORPUS...
#
# LIB is the extension without its suffix (dist/corpus).  A CORPUS is a JSONL
# file ({"id","text"} per line).  Every query runs -runs times (default 3)
# and the best wall-clock time is kept; a corpus larger than -cap-mb MB of
# text (default 50) is cut to its first documents.  -only keeps the queries
# whose SQL matches GLOB (the baseline always runs).
#
# Each -english FILE adds its documents of 1,000-50,000 bytes to one more
# table, "english 1-50 KB", the issue's target line (>= 150 MB/s per core on
# English prose of 1-50 KB documents).  From man.jsonl only the English
# pages are taken (ids man/manN/...; the other languages are man/LANG/manN).
# The output is figures, never a verdict.
package require sqlite3
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/minhash.tcl LIB \[-runs N\] \[-cap-mb N\] \[-only GLOB\] \[-english FILE\]... CORPUS..."
  exit 2
}

set runs 3
set cap_mb 50
set only *
set english {}
set files [parse_args $argv {-runs runs -cap-mb cap_mb -only only -english {english list}}]
if {![string is integer -strict $runs] || $runs < 1} usage
if {![string is double -strict $cap_mb] || $cap_mb <= 0} usage
if {![llength $files] && ![llength $english]} usage

open_db $lib

set baseline {SELECT count(length(text)) FROM docs}

# The SIMD levels this CPU runs: minhash() refuses the others with an error
# ("simd=avx512 is not supported by this CPU"), which is what corpus_debug()
# reports too.
set simd_levels {}
foreach level {portable avx2 avx512} {
  if {![catch {db onecolumn "SELECT minhash('a b c d e', 'simd=$level')"}]} {
    lappend simd_levels $level
  }
}

# The default first: num_perm=128, word 5-grams, the default normalization,
# the best SIMD kernel.  num_perm=1 keeps normalization, segmentation and
# shingle hashing and drops nearly all the permutation work, so the
# difference between the two lines is the kernels' share.
set queries {{SELECT count(minhash(text)) FROM docs}}
foreach level $simd_levels {
  lappend queries "SELECT count(minhash(text, 'simd=$level')) FROM docs"
}
lappend queries \
  {SELECT count(minhash(text, 'num_perm=1')) FROM docs} \
  {SELECT count(minhash(text, 'normalize=none')) FROM docs} \
  {SELECT count(minhash(text, 'num_perm=256')) FROM docs} \
  {SELECT count(minhash(text, 'unit=char ngram=5')) FROM docs} \
  {SELECT count(jaccard(text, text)) FROM docs}

header "sqlite-corpus minhash benchmark" 7
machine_fields
field tcl [info patchlevel]
field runs "best of $runs, wall clock, one thread"
puts "simd levels this CPU runs: $simd_levels"
print_corpus_debug
puts "reference, NOT measured here: datasketch signs about 5 MB/s of English"
puts "  text per core (word 5-grams, 128 perms, update_batch; a rule of thumb,"
puts "  docs/references.md; PyPI is not reachable on this machine)"
puts ""

# ---------------------------------------------------------------- timing
# Runs the baseline and the queries on the current docs table and prints
# the table of figures.
proc run_queries {mb} {
  global baseline queries only
  query_table $baseline [lmap q $queries {list $q MB}] $only $mb 0 9
}

proc size_line {} {
  db eval {
    SELECT min(n) AS lo, max(n) AS hi,
           (SELECT n FROM (SELECT length(CAST(text AS BLOB)) AS n FROM docs
                            ORDER BY n) LIMIT 1 OFFSET (SELECT count(*)/2 FROM docs)) AS med
      FROM (SELECT length(CAST(text AS BLOB)) AS n FROM docs)
  } break
  return "document sizes: $lo..$hi bytes, median $med"
}

set total0 [clock microseconds]
foreach file $files {
  lassign [load_and_report load_jsonl $file $cap_mb] ndocs mb
  puts "   [size_line]"
  run_queries $mb
}

if {[llength $english]} {
  set t0 [clock microseconds]
  new_docs
  set ndocs 0
  set bytes 0
  set parts {}
  foreach file $english {
    # of man, only the English pages (ids man/manN/...)
    set where {length(CAST($line ->> '$.text' AS BLOB)) BETWEEN 1000 AND 50000}
    if {[file tail $file] eq "man.jsonl"} {
      append where { AND ($line ->> '$.id') GLOB 'man/man[0-9]*/*'}
    }
    lassign [append_jsonl $file 1e15 $where] n b
    incr ndocs $n
    incr bytes $b
    set name [file rootname [file tail $file]]
    if {$name eq "man"} { set name "man (English pages)" }
    lappend parts [format "%s %d docs %.1f MB" $name $n [expr {$b / 1e6}]]
  }
  set load_s [expr {([clock microseconds] - $t0) / 1e6}]
  set mb [expr {$bytes / 1e6}]
  puts [format "== english 1-50 KB: %d docs, %.1f MB of text (loaded in %.2f s)" \
          $ndocs $mb $load_s]
  puts "   documents of 1,000-50,000 bytes from: [join $parts {; }]"
  puts "   [size_line]"
  run_queries $mb
}
puts [format "total: %.1f s" [expr {([clock microseconds] - $total0) / 1e6}]]
db close
