# The harness the bench scripts share (text, minhash, bpe, bpe_parity,
# pipeline, quality), sourced by each:
#
#   source [file join [file dirname [info script]] lib.tcl]
#
# One copy, so that every benchmark takes its arguments, describes the
# machine, loads a corpus and times a query the same way, and their figures
# stay comparable.  Not a benchmark itself.
package require sqlite3

# ---------------------------------------------------------------- arguments
# Every script takes "LIB [-option value | -flag]... [operand]...", options
# and operands in any order.  SPEC maps an option to the caller's variable:
# {var} takes the next word, {var list} appends it (a repeatable option),
# {var flag} sets 1.  Sets lib in the caller and returns the operands; any
# other word starting with "-" calls the caller's usage.  The values are
# the caller's to check.
proc parse_args {argv spec} {
  if {[llength $argv] < 1} usage
  uplevel 1 [list set lib [lindex $argv 0]]
  set operands {}
  for {set i 1} {$i < [llength $argv]} {incr i} {
    set a [lindex $argv $i]
    if {[dict exists $spec $a]} {
      lassign [dict get $spec $a] var kind
      switch -- $kind {
        flag    { uplevel 1 [list set $var 1] }
        list    { uplevel 1 [list lappend $var [lindex $argv [incr i]]] }
        default { uplevel 1 [list set $var [lindex $argv [incr i]]] }
      }
    } elseif {[string match -* $a]} {
      usage
    } else {
      lappend operands $a
    }
  }
  return $operands
}

# ---------------------------------------------------------------- header
# A figure means little without when and on what it was measured, so every
# output opens with these lines.  The labels are padded to W, the width of
# the script's longest label, so that its own lines (field) line up.
proc header {title w} {
  set ::header_w $w
  puts $title
  field date [clock format [clock seconds] -format {%Y-%m-%d %H:%M:%S %Z}]
}
proc field {label value} {
  puts [format "%-*s %s" $::header_w $label: $value]
}
# NOTE follows the number of CPUs: how many of them the figures use.
proc machine_fields {{note ""}} {
  field cpu [cpu_model]
  field nproc "[ncpu]$note"
}
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
# corpus_debug() says which build ran (version, SIMD level, release or
# debug): a debug build's figures are not comparable.  ONELINE for the
# scripts whose header is dense already.
proc print_corpus_debug {{oneline 0}} {
  set lines [split [db onecolumn {SELECT corpus_debug()}] \n]
  if {$oneline} {
    puts "corpus_debug(): [join $lines {; }]"
    return
  }
  puts "corpus_debug():"
  foreach line $lines { puts "  $line" }
}

# ---------------------------------------------------------------- database
# The connection is the global command db, which every script's SQL uses.
proc open_db {lib {file :memory:}} {
  sqlite3 db $file
  db enable_load_extension 1
  db eval {SELECT load_extension($lib)}
}

# ---------------------------------------------------------------- loading
proc new_docs {} {
  db eval {
    DROP TABLE IF EXISTS docs;
    CREATE TABLE docs(id INTEGER PRIMARY KEY, text TEXT);
  }
}

# Appends the documents of a JSONL FILE to docs, at most CAP bytes of text
# but always at least one document, so that a small cap still times
# something.  WHERE, an SQL condition on the JSON line $line, skips the
# lines it is false for.  SQLite extracts the text and counts its UTF-8
# bytes, so Tcl never converts it.  Returns {docs bytes capped}.
proc append_jsonl {file cap {where 1}} {
  set sql [string cat {INSERT INTO docs(text) SELECT $line ->> '$.text' WHERE } \
             $where { RETURNING coalesce(length(CAST(text AS BLOB)), 0)}]
  set f [open $file r]
  fconfigure $f -encoding utf-8 -translation lf
  set n 0
  set bytes 0
  set capped 0
  db transaction {
    while {[gets $f line] >= 0} {
      if {$line eq ""} continue
      set len [db onecolumn $sql]
      if {$len eq ""} continue
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
proc load_jsonl {file cap} {
  new_docs
  return [append_jsonl $file $cap]
}

# Loads FILE with LOADER (a command: LOADER FILE CAP_BYTES returns {docs
# bytes capped}) and prints the line that heads the corpus's figures, and
# whether the cap cut it.  CAP_MB "" loads the whole file.  Returns
# {docs MB}.
proc load_and_report {loader file cap_mb} {
  set cap [expr {$cap_mb eq "" ? 1e15 : wide($cap_mb * 1e6)}]
  set t0 [clock microseconds]
  lassign [{*}$loader $file $cap] ndocs bytes capped
  set load_s [expr {([clock microseconds] - $t0) / 1e6}]
  set mb [expr {$bytes / 1e6}]
  puts [format "== %s: %d docs, %.1f MB of text (%s; loaded in %.2f s)" \
          [file rootname [file tail $file]] $ndocs $mb $file $load_s]
  if {$capped} {
    puts [format "   capped at %g MB: only the first %d documents of the file" \
            $cap_mb $ndocs]
  }
  return [list $ndocs $mb]
}

# ---------------------------------------------------------------- timing
proc now {} { return [expr {[clock microseconds] / 1e6}] }

# The best of NRUNS (default $::runs) wall-clock times of SQL, in seconds,
# and its result: the best, because the noise of a shared machine only ever
# adds time.  SQL's variables are the caller's.  Never 0, as figures are
# divided by it.
proc time_query {sql {nruns {}}} {
  if {$nruns eq ""} { set nruns $::runs }
  set best {}
  set result {}
  for {set r 0} {$r < $nruns} {incr r} {
    set t0 [clock microseconds]
    set result [uplevel 1 [list db onecolumn $sql]]
    set dt [expr {([clock microseconds] - $t0) / 1e6}]
    if {$best eq "" || $dt < $best} { set best $dt }
  }
  return [list [expr {max($best, 1e-6)}] $result]
}

proc fmt_rate {x} {
  if {$x >= 1e6}  { return [format %.2fM [expr {$x / 1e6}]] }
  if {$x >= 1e4}  { return [format %.0fk [expr {$x / 1e3}]] }
  return [format %.1f $x]
}

# Times BASELINE, then each of QUERIES ({sql unit}) whose SQL matches the
# glob ONLY, on the docs table, and prints the table.  A query of unit MB is
# rated in MB/s of the MB of text loaded, one of unit rows in rows/s of
# NDOCS.  "x baseline" divides by the time of the plain scan, so that it
# shows the function's cost apart from SQLite's.  RATEW: the width of the
# rate column.  A failing query is a row, not the end of the run.
proc query_table {baseline queries only mb ndocs ratew} {
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
  puts [format "   %-${w}s %9s %${ratew}s %11s  %s" query seconds MB/s "x baseline" result]
  foreach row $rows {
    lassign $row sql s r unit
    if {$s eq "error"} {
      puts [format "   %-${w}s %9s  %s" $sql error $r]
      continue
    }
    if {$unit eq "rows"} {
      set rate "[fmt_rate [expr {$ndocs / $s}]] rows/s"
    } else {
      set rate [format %.1f [expr {$mb / $s}]]
    }
    set x [format %.1f [expr {$s / $base_s}]]
    puts [format "   %-${w}s %9.5f %${ratew}s %11s  %s" $sql $s $rate $x $r]
  }
  puts ""
}
