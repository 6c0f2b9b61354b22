# Benchmark of the text layer's hot paths: normalize(), tokenize(),
# token_count(), the tokens and ngrams tables, the xxHash functions and
# sample_keep(), each timed over every document of a real corpus.  With
# -set quality, the quality functions instead: quality_signals(),
# quality_reject(), the heuristic quality_score(), c4_clean(), and the
# classifier (quality_score(text, model) with the model bound as a parameter
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

proc usage {} {
  puts stderr "usage: tclsh bench/text.tcl LIB \[-set text|quality\] \[-runs N\] \[-cap-mb N\] \[-only GLOB\] CORPUS..."
  exit 2
}

set runs 3
set set text
set cap_mb 50
set only *
set files {}
if {[llength $argv] < 1} usage
set lib [lindex $argv 0]
for {set i 1} {$i < [llength $argv]} {incr i} {
  set a [lindex $argv $i]
  switch -- $a {
    -runs   { set runs   [lindex $argv [incr i]] }
    -set    { set set    [lindex $argv [incr i]] }
    -cap-mb { set cap_mb [lindex $argv [incr i]] }
    -only   { set only   [lindex $argv [incr i]] }
    default {
      if {[string match -* $a]} usage
      lappend files $a
    }
  }
}
if {![string is integer -strict $runs] || $runs < 1} usage
if {![string is double -strict $cap_mb] || $cap_mb <= 0} usage
if {$set ni {text quality}} usage
if {![llength $files]} usage

sqlite3 db :memory:
db enable_load_extension 1
db eval {SELECT load_extension($lib)}

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
    {{SELECT sum(quality_score(text, $::model)) FROM docs} MB}
    {{SELECT sum(quality_score(text, (SELECT model FROM models))) FROM docs} MB}
    {{SELECT length(quality_train(text, id % 2)) FROM docs} MB}
    {{SELECT sum(quality_keep(0.5, id)) FROM docs} rows}
  }
}

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

puts "sqlite-corpus $set benchmark"
puts "date:   [clock format [clock seconds] -format {%Y-%m-%d %H:%M:%S %Z}]"
puts "cpu:    [cpu_model]"
puts "nproc:  [ncpu]"
puts "tcl:    [info patchlevel]"
puts "runs:   best of $runs, wall clock"
puts "corpus_debug():"
foreach line [split [db onecolumn {SELECT corpus_debug()}] \n] {
  puts "  $line"
}
puts ""

# ---------------------------------------------------------------- loading
# Loads FILE into a fresh docs table, at most $cap bytes of text (always at
# least one document).  Returns {docs bytes capped}.
proc load_corpus {file cap} {
  db eval {
    DROP TABLE IF EXISTS docs;
    CREATE TABLE docs(id INTEGER PRIMARY KEY, text TEXT);
  }
  set f [open $file r]
  fconfigure $f -encoding utf-8 -translation lf
  set n 0
  set bytes 0
  set capped 0
  db transaction {
    if {[string match {*.json} $file]} {
      # A JSON array: parsed whole by SQLite's json_each().
      set data [read $f]
      db eval {SELECT value ->> '$.text' AS t FROM json_each($data)} {
        set len [string length [encoding convertto utf-8 $t]]
        if {$n > 0 && $bytes + $len > $cap} { set capped 1; break }
        db eval {INSERT INTO docs(text) VALUES($t)}
        incr n
        incr bytes $len
      }
      unset data
    } else {
      while {[gets $f line] >= 0} {
        if {$line eq ""} continue
        set len [db onecolumn {
          INSERT INTO docs(text) SELECT $line ->> '$.text'
          RETURNING coalesce(length(CAST(text AS BLOB)), 0)
        }]
        if {$n > 0 && $bytes + $len > $cap} {
          db eval {DELETE FROM docs WHERE id = last_insert_rowid()}
          set capped 1
          break
        }
        incr n
        incr bytes $len
      }
    }
  }
  close $f
  return [list $n $bytes $capped]
}

# ---------------------------------------------------------------- timing
# Best wall-clock time of $::runs runs, in seconds; also the result.
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

proc fmt_rate {x} {
  if {$x >= 1e6}  { return [format %.2fM [expr {$x / 1e6}]] }
  if {$x >= 1e4}  { return [format %.0fk [expr {$x / 1e3}]] }
  return [format %.1f $x]
}

set total0 [clock microseconds]
foreach file $files {
  set name [file rootname [file tail $file]]
  set t0 [clock microseconds]
  lassign [load_corpus $file [expr {wide($cap_mb * 1e6)}]] ndocs bytes capped
  set load_s [expr {([clock microseconds] - $t0) / 1e6}]
  set mb [expr {$bytes / 1e6}]
  puts [format "== %s: %d docs, %.1f MB of text (%s; loaded in %.2f s)" \
          $name $ndocs $mb $file $load_s]
  if {$capped} {
    puts [format "   capped at %g MB: only the first %d documents of the file" \
            $cap_mb $ndocs]
  }

  if {$set eq "quality"} {
    db eval {
      DROP TABLE IF EXISTS models;
      CREATE TABLE models AS SELECT quality_train(text, id % 2) AS model FROM docs;
    }
    set ::model [db onecolumn {SELECT model FROM models}]
  }
  lassign [time_query $baseline] base_s base_r
  set rows [list [list $baseline $base_s $base_r MB]]
  foreach q $queries {
    lassign $q sql unit
    if {![string match $only $sql]} continue
    if {[catch {time_query $sql} tr]} {
      lappend rows [list $sql error $tr $unit]
      continue
    }
    lassign $tr s r
    lappend rows [list $sql $s $r $unit]
  }

  set w 0
  foreach row $rows { set w [expr {max($w, [string length [lindex $row 0]])}] }
  puts [format "   %-${w}s %9s %13s %11s  %s" query seconds MB/s "x baseline" result]
  foreach row $rows {
    lassign $row sql s r unit
    if {$s eq "error"} {
      puts [format "   %-${w}s %9s  %s" $sql error $r]
      continue
    }
    if {$s <= 0} { set s 1e-6 }
    if {$unit eq "rows"} {
      set rate "[fmt_rate [expr {$ndocs / $s}]] rows/s"
    } else {
      set rate [format %.1f [expr {$mb / $s}]]
    }
    set x [format %.1f [expr {$s / ($base_s > 0 ? $base_s : 1e-6)}]]
    puts [format "   %-${w}s %9.5f %13s %11s  %s" $sql $s $rate $x $r]
  }
  puts ""
}
puts [format "total: %.1f s" [expr {([clock microseconds] - $total0) / 1e6}]]
db close
