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

proc usage {} {
  puts stderr "usage: tclsh bench/minhash.tcl LIB \[-runs N\] \[-cap-mb N\] \[-only GLOB\] \[-english FILE\]... CORPUS..."
  exit 2
}

set runs 3
set cap_mb 50
set only *
set files {}
set english {}
if {[llength $argv] < 1} usage
set lib [lindex $argv 0]
for {set i 1} {$i < [llength $argv]} {incr i} {
  set a [lindex $argv $i]
  switch -- $a {
    -runs    { set runs   [lindex $argv [incr i]] }
    -cap-mb  { set cap_mb [lindex $argv [incr i]] }
    -only    { set only   [lindex $argv [incr i]] }
    -english { lappend english [lindex $argv [incr i]] }
    default {
      if {[string match -* $a]} usage
      lappend files $a
    }
  }
}
if {![string is integer -strict $runs] || $runs < 1} usage
if {![string is double -strict $cap_mb] || $cap_mb <= 0} usage
if {![llength $files] && ![llength $english]} usage

sqlite3 db :memory:
db enable_load_extension 1
db eval {SELECT load_extension($lib)}

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

# ---------------------------------------------------------------- machine
proc cpu_model {} {
  if {[catch {open /proc/cpuinfo} f]} { return unknown }
  set model unknown
  while {[gets $f line] >= 0} {
    if {[regexp {^model name\s*:\s*(.*)$} $line -> m]} { set model $m; break }
  }
  close $f
  return $model
}
proc ncpu {} {
  if {[catch {exec nproc} n]} { return unknown }
  return $n
}

puts "sqlite-corpus minhash benchmark"
puts "date:   [clock format [clock seconds] -format {%Y-%m-%d %H:%M:%S %Z}]"
puts "cpu:    [cpu_model]"
puts "nproc:  [ncpu]"
puts "tcl:    [info patchlevel]"
puts "runs:   best of $runs, wall clock, one thread"
puts "simd levels this CPU runs: $simd_levels"
puts "corpus_debug():"
foreach line [split [db onecolumn {SELECT corpus_debug()}] \n] {
  puts "  $line"
}
puts "reference, NOT measured here: datasketch signs about 5 MB/s of English"
puts "  text per core (word 5-grams, 128 perms, update_batch; figure published"
puts "  in ../shared/REFERENCES.md; PyPI is not reachable on this machine)"
puts ""

# ---------------------------------------------------------------- loading
proc new_docs {} {
  db eval {
    DROP TABLE IF EXISTS docs;
    CREATE TABLE docs(id INTEGER PRIMARY KEY, text TEXT);
  }
}

# Appends FILE's documents to docs, at most $cap bytes of text (always at
# least one document); with english set, only documents of 1,000-50,000
# bytes and, from man, only the English pages.  Returns {docs bytes capped}.
proc load_corpus {file cap {english 0}} {
  set f [open $file r]
  fconfigure $f -encoding utf-8 -translation lf
  set n 0
  set bytes 0
  set capped 0
  set man [string equal [file tail $file] man.jsonl]
  db transaction {
    while {[gets $f line] >= 0} {
      if {$line eq ""} continue
      if {$english} {
        set len [db onecolumn {
          INSERT INTO docs(text)
            SELECT $line ->> '$.text'
             WHERE length(CAST($line ->> '$.text' AS BLOB)) BETWEEN 1000 AND 50000
               AND (NOT $man OR ($line ->> '$.id') GLOB 'man/man[0-9]*/*')
          RETURNING length(CAST(text AS BLOB))
        }]
        if {$len eq ""} continue
      } else {
        set len [db onecolumn {
          INSERT INTO docs(text) SELECT $line ->> '$.text'
          RETURNING coalesce(length(CAST(text AS BLOB)), 0)
        }]
      }
      if {$n > 0 && $bytes + $len > $cap} {
        db eval {DELETE FROM docs WHERE id = last_insert_rowid()}
        set capped 1
        break
      }
      incr n
      incr bytes $len
    }
  }
  close $f
  return [list $n $bytes $capped]
}

# ---------------------------------------------------------------- timing
proc time_query {sql} {
  set best {}
  set result {}
  for {set r 0} {$r < $::runs} {incr r} {
    set t0 [clock microseconds]
    set result [db onecolumn $sql]
    set dt [expr {([clock microseconds] - $t0) / 1e6}]
    if {$best eq "" || $dt < $best} { set best $dt }
  }
  return [list $best $result]
}

# Runs the baseline and the queries on the current docs table and prints
# the table of figures.
proc run_queries {mb} {
  global baseline queries only
  lassign [time_query $baseline] base_s base_r
  set rows [list [list $baseline $base_s $base_r]]
  foreach sql $queries {
    if {![string match $only $sql]} continue
    if {[catch {time_query $sql} tr]} {
      lappend rows [list $sql error $tr]
      continue
    }
    lappend rows [list $sql {*}$tr]
  }
  set w 0
  foreach row $rows { set w [expr {max($w, [string length [lindex $row 0]])}] }
  puts [format "   %-${w}s %9s %9s %11s  %s" query seconds MB/s "x baseline" result]
  foreach row $rows {
    lassign $row sql s r
    if {$s eq "error"} {
      puts [format "   %-${w}s %9s  %s" $sql error $r]
      continue
    }
    if {$s <= 0} { set s 1e-6 }
    set x [format %.1f [expr {$s / ($base_s > 0 ? $base_s : 1e-6)}]]
    puts [format "   %-${w}s %9.5f %9.1f %11s  %s" $sql $s [expr {$mb / $s}] $x $r]
  }
  puts ""
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
set cap [expr {wide($cap_mb * 1e6)}]
foreach file $files {
  set name [file rootname [file tail $file]]
  set t0 [clock microseconds]
  new_docs
  lassign [load_corpus $file $cap] ndocs bytes capped
  set load_s [expr {([clock microseconds] - $t0) / 1e6}]
  set mb [expr {$bytes / 1e6}]
  puts [format "== %s: %d docs, %.1f MB of text (%s; loaded in %.2f s)" \
          $name $ndocs $mb $file $load_s]
  if {$capped} {
    puts [format "   capped at %g MB: only the first %d documents of the file" \
            $cap_mb $ndocs]
  }
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
    lassign [load_corpus $file 1e15 1] n b
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
