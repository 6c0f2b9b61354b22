# Exact-substring dedup's speed and memory (issue 16): substring_dups and the
# substring_index virtual table on real text, next to baselines measured in
# the same run.
#
#   tclsh bench/substr.tcl LIB [-db FILE | CORPUS.jsonl...] [-size MB]
#         [-shape docs|one|same] [-widths "32 64"] [-min-length N]
#         [-dir DIR] [-skip LIST] [-losses "50 100 200"]
#
# LIB is the extension without its suffix (dist/corpus).  Figures, never a
# verdict: the issue's targets (build and find on 1 GB in <= 10 minutes on one
# core; peak memory <= 6x the corpus with width=32) are printed next to them.
#
# The corpus: the table docs(id, text) of -db FILE (bench/corpus-1g.sh makes
# /tmp/corpus-1g.db: ~1 GB of real text), or the JSONL corpora given, loaded
# into DIR/substr-corpus.db with at most -size MB (default 20) of text in
# all, an equal share from each (its first documents).  -size also caps a
# -db's table (its documents in id order).  -shape makes another corpus of
# -size MB from it first (DIR/substr-SHAPE-SIZE.db): "one" is one document,
# the texts joined with a newline; "same" is copies of one real document of
# about 10 KB (the first document of 8-16 KB), as many as -size holds.
#
# Each line is one child process (this script with -child), so that its peak
# resident set (VmHWM of /proc/self/status) is its own:
#   scan           baseline: SELECT sum(length(CAST(text AS BLOB))) FROM docs,
#                  the cost of reading the texts through SQLite
#   divsufsort     baseline: the texts read into one buffer and sorted with
#                  libdivsufsort alone (bench/sa_baseline.c, compiled into DIR
#                  with cc; skipped when that fails), the sort's floor
#   dups W         SELECT count(*), sum(end - start) FROM substring_dups('docs',
#                  'min_length=N width=W'): read + sort + find in one go
#   index W        CREATE VIRTUAL TABLE ix.sx USING substring_index(source=docs,
#                  width=W) in a scratch database DIR/substr-ix.db (read + sort
#                  + write to the shadow tables, COMMIT included), then the
#                  query SELECT count(*), sum(end - start) FROM ix.sx WHERE
#                  min_length = N on the build left loaded (find alone), then
#                  the same query on a new connection (load from the shadow
#                  tables + find).  Each phase's time, and the peak after it.
# seconds are wall clock, "cpu s" the child's CPU time (user + system) over
# the same span: on a shared machine, where the two part, the CPU time is the
# figure of the work.  MB/s is MB of text (10^6 bytes) over seconds; "peak MiB" the peak resident
# set (VmHWM); "x corp" is the peak resident
# set over the corpus's bytes (the SQLite page cache, Tcl and the extension's
# code, ~20 MB, included: the scan line shows them).
#
# -losses "50 100 200" (the default run's: "" for none) also prints, per
# source (the docs table's source column, else the JSONL file), the bytes
# substring_dups finds in spans at each min_length (the bytes a removal of
# the spans cuts: spans do not overlap within a document), width=auto.
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/substr.tcl LIB \[-db FILE | CORPUS.jsonl...\] \[-size MB\] \[-shape docs|one|same\] \[-widths \"32 64\"\] \[-min-length N\] \[-dir DIR\] \[-skip LIST\] \[-losses \"50 100 200\"\]"
  exit 2
}

set dbfile ""
set size ""
set shape docs
set widths {32 64}
set minlen 100
set dir /tmp/corpus-bench-substr
set skip ""
set losses {50 100 200}
set child ""
set cwidth 32
set operands [parse_args $argv {-db dbfile -size size -shape shape -widths widths
  -min-length minlen -dir dir -skip skip -losses losses -child child -width cwidth}]

# ---------------------------------------------------------------- child
proc status_kb {key} {
  set kb 0
  set f [open /proc/self/status]
  while {[gets $f line] >= 0} {
    if {[regexp "^$key:\\s*(\\d+) kB" $line -> kb]} break
  }
  close $f
  return $kb
}
# This process's CPU time (user + system), in seconds.
proc cpu_s {} {
  set f [open /proc/self/stat]
  set stat [read $f]
  close $f
  set rest [string range $stat [expr {[string last ")" $stat] + 2}] end]
  return [expr {([lindex $rest 11] + [lindex $rest 12]) / double($::clk_tck)}]
}
set clk_tck 100
catch {set clk_tck [exec getconf CLK_TCK]}
# "label seconds peak_kB rss_kB result cpu_seconds": the children's lines
proc emit {label s result {cpu ""}} {
  puts [list $label $s [status_kb VmHWM] [status_kb VmRSS] $result $cpu]
  flush stdout
}
# Runs SQL: its wall-clock seconds, its result, its CPU seconds.
proc timed {sql} {
  set c0 [cpu_s]
  set t0 [clock microseconds]
  set r [db eval $sql]
  set dt [expr {([clock microseconds] - $t0) / 1e6}]
  return [list $dt $r [expr {[cpu_s] - $c0}]]
}
if {$child ne ""} {
  # one measurement; prints "label seconds peak_kB rss_kB result" lines
  open_db $lib $dbfile
  switch -- $child {
    scan {
      lassign [timed {SELECT sum(length(CAST(text AS BLOB))) FROM docs}] s r c
      emit scan $s $r $c
    }
    dups {
      lassign [timed "SELECT count(*), sum(end - start) FROM substring_dups('docs',
                      'min_length=$minlen width=$cwidth')"] s r c
      emit dups $s $r $c
    }
    index {
      set ixf $dir/substr-ix.db
      file delete $ixf $ixf-journal
      db eval {ATTACH $ixf AS ix}
      lassign [timed "CREATE VIRTUAL TABLE ix.sx USING substring_index(
                      source=docs, width=$cwidth)"] s r c
      emit build $s "" $c
      lassign [timed "SELECT count(*), sum(end - start) FROM ix.sx
                      WHERE min_length = $minlen"] s r c
      emit find $s $r $c
    }
    index-load {
      # the index the index child left, on a new connection
      set ixf $dir/substr-ix.db
      db eval {ATTACH $ixf AS ix}
      lassign [timed "SELECT count(*), sum(end - start) FROM ix.sx
                      WHERE min_length = $minlen"] s r c
      emit load+find $s $r $c
      db close
      file delete $ixf
    }
    losses {
      foreach l $losses {
        set t0 [clock microseconds]
        set per [db eval "
          SELECT coalesce(d.source, '?'), sum(s.end - s.start)
            FROM substring_dups('SELECT id, text FROM docs', 'min_length=$l') AS s
            JOIN docs AS d ON d.id = s.doc GROUP BY 1"]
        emit losses-$l [expr {([clock microseconds] - $t0) / 1e6}] $per
      }
    }
  }
  exit 0
}

# ---------------------------------------------------------------- corpus
# Whether the docs table of FILE holds at most MB of text.
proc whole_fits {file mb} {
  sqlite3 dbq $file -readonly 1
  set b [dbq onecolumn {SELECT sum(length(CAST(text AS BLOB))) FROM docs}]
  dbq close
  return [expr {$b eq "" || $b <= $mb * 1e6}]
}
file mkdir $dir
set corpora_note ""
if {$dbfile eq ""} {
  if {![llength $operands]} {
    puts stderr "substr.tcl: give -db FILE or JSONL corpora"
    usage
  }
  if {$size eq ""} { set size 20 }
  set dbfile $dir/substr-corpus.db
  file delete $dbfile
  sqlite3 db $dbfile
  db eval {
    PRAGMA journal_mode = OFF;
    CREATE TABLE docs(id INTEGER PRIMARY KEY, source TEXT, text TEXT);
  }
  set cap [expr {wide($size * 1e6 / [llength $operands])}]
  foreach f $operands {
    set src [file rootname [file tail $f]]
    append_jsonl $f $cap
    db eval {UPDATE docs SET source = $src WHERE source IS NULL}
  }
  db close
  set corpora_note "[llength $operands] JSONL corpora, at most [format %.1f [expr {$cap / 1e6}]] MB of each (their first documents)"
} elseif {$shape eq "docs" && ($size eq "" || [whole_fits $dbfile $size])} {
  # the table as it is
} else {
  # a copy of -size MB of the table, or the shape made from it
  set src $dbfile
  set tag [expr {$size eq "" ? "all" : $size}]
  set dbfile $dir/substr-$shape-$tag.db
  file delete $dbfile
  sqlite3 db $dbfile
  db eval {PRAGMA journal_mode = OFF; ATTACH $src AS src}
  set cap [expr {$size eq "" ? 1e18 : wide($size * 1e6)}]
  switch -- $shape {
    docs {
      db eval {
        CREATE TABLE docs(id INTEGER PRIMARY KEY, source TEXT, text TEXT);
        INSERT INTO docs SELECT id, source, text FROM (
          SELECT id, source, text, sum(length(CAST(text AS BLOB))) OVER (ORDER BY id) AS run
            FROM src.docs) WHERE run <= $cap;
      }
    }
    one {
      # the texts in id order until -size, joined with newlines, as one
      # document (made in SQL: no Tcl string of that size)
      db eval {
        CREATE TABLE docs(id INTEGER PRIMARY KEY, source TEXT, text TEXT);
        INSERT INTO docs SELECT 1, 'one', group_concat(text, char(10)) FROM (
          SELECT text, sum(length(CAST(text AS BLOB)) + 1) OVER (ORDER BY id) AS run
            FROM src.docs ORDER BY id) WHERE run <= $cap;
      }
    }
    same {
      db eval {
        CREATE TABLE docs(id INTEGER PRIMARY KEY, source TEXT, text TEXT);
        CREATE TEMP TABLE one AS SELECT text FROM src.docs
          WHERE length(CAST(text AS BLOB)) BETWEEN 8000 AND 16000 ORDER BY id LIMIT 1;
        WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c
          WHERE i < $cap / (SELECT length(CAST(text AS BLOB)) FROM one))
        INSERT INTO docs SELECT i, 'same', (SELECT text FROM one) FROM c;
      }
    }
    default { usage }
  }
  db close
  set corpora_note "$shape, made from $src"
}
sqlite3 db $dbfile
lassign [db eval {SELECT count(*), sum(length(CAST(text AS BLOB))) FROM docs}] ndocs bytes
set has_source [db exists {SELECT 1 FROM pragma_table_info('docs') WHERE name = 'source'}]
db close
if {$bytes eq ""} { set bytes 0 }
set mb [expr {$bytes / 1e6}]

# ---------------------------------------------------------------- header
proc mem_total {} {
  set m ?
  catch {
    set f [open /proc/meminfo]
    while {[gets $f line] >= 0} {
      if {[regexp {^MemTotal:\s*(\d+) kB} $line -> kb]} {
        set m [format "%.1f GiB" [expr {$kb / 1048576.0}]]
        break
      }
    }
    close $f
  }
  return $m
}
proc loadavg {} {
  if {[catch {open /proc/loadavg} f]} { return ? }
  set l [lrange [gets $f] 0 2]
  close $f
  return $l
}
header "sqlite-corpus exact-substring dedup benchmark (issue 16)" 10
machine_fields " (one thread; load average at the start: [loadavg])"
field memory [mem_total]
open_db $lib
print_corpus_debug 1
db close
field corpus [format "%s: %d docs, %.1f MB of text%s" $dbfile $ndocs $mb \
               [expr {$corpora_note eq "" ? "" : " ($corpora_note)"}]]
field settings "min_length=$minlen (bytes), min_count=2, widths $widths"
field targets "build + find on 1 GB <= 600 s on one core; peak <= 6x the corpus at width=32"
puts ""

# ---------------------------------------------------------------- run
set self [info script]
set tclsh [info nameofexecutable]
proc run_child {mode args} {
  global tclsh self lib dbfile dir minlen losses
  set out [exec $tclsh $self $lib -child $mode -db $dbfile -dir $dir \
             -min-length $minlen -losses $losses {*}$args 2>@ stderr]
  return [split [string trim $out] \n]
}
proc row {label s peak_kb result {base ""} {cpu ""}} {
  global mb bytes
  set rate [format %9s -]
  if {$s > 0} { set rate [format %9.1f [expr {$mb / $s}]] }
  set x [format %7s -]
  if {$base ne "" && $base > 0} { set x [format %7.1f [expr {$s / $base}]] }
  set peak [format %8.0f [expr {$peak_kb / 1024.0}]]
  set xc [format %6s -]
  if {$bytes > 0} { set xc [format %6.2f [expr {$peak_kb * 1024.0 / $bytes}]] }
  set c [format %8s -]
  if {$cpu ne ""} { set c [format %8.2f $cpu] }
  puts [format "   %-34s %9.2f %s %s %s %s %s  %s" $label $s $c $rate $x $peak $xc $result]
}
puts [format "   %-34s %9s %8s %9s %7s %8s %6s  %s" run seconds "cpu s" MB/s "x scan" "peak MiB" "x corp" result]
set base ""
if {[lsearch $skip scan] < 0} {
  lassign [lindex [run_child scan] 0] - s peak - r c
  set base $s
  row "scan (baseline)" $s $peak $r "" $c
}
set sa_bin ""
if {[lsearch $skip divsufsort] < 0} {
  set src [file join [file dirname $self] sa_baseline.c]
  if {[catch {exec cc -O2 -o $dir/sa_baseline $src -lsqlite3 -ldivsufsort -ldivsufsort64} err]} {
    puts "   (divsufsort baseline skipped: cc failed: [lindex [split $err \n] 0])"
  } else {
    set sa_bin $dir/sa_baseline
  }
}
foreach w $widths {
  if {$sa_bin ne ""} {
    if {[catch {exec $sa_bin $dbfile $w} out]} {
      puts "   divsufsort$w alone: failed: $out"
    } else {
      lassign $out n read_s sort_s peak read_c sort_c
      row "read into a buffer (C)" $read_s $peak "" $base $read_c
      row "divsufsort$w alone (C, sort only)" $sort_s $peak "read+sort [format %.2f [expr {$read_s + $sort_s}]] s" $base $sort_c
    }
  }
  if {[lsearch $skip dups] < 0} {
    if {[catch {run_child dups -width $w} lines]} {
      puts "   substring_dups width=$w: failed: $lines"
    } else {
      lassign [lindex $lines 0] - s peak - r c
      row "substring_dups width=$w" $s $peak "spans, bytes: $r" $base $c
    }
  }
  if {[lsearch $skip index] < 0} {
    if {[catch {concat [run_child index -width $w] [run_child index-load -width $w]} lines]} {
      puts "   substring_index width=$w: failed: $lines"
    } else {
      set total 0
      set ctotal 0
      foreach l $lines {
        lassign $l label s peak - r c
        if {$label ne "load+find"} {
          set total [expr {$total + $s}]
          set ctotal [expr {$ctotal + $c}]
          set bpeak $peak
        }
        row "index width=$w: $label" $s $peak $r $base $c
      }
      row "index width=$w: build + find" $total $bpeak "" $base $ctotal
    }
  }
}
puts ""

if {[llength $losses] && $has_source && [lsearch $skip losses] < 0} {
  puts "Bytes in spans (what remove_spans cuts) per source, width=auto:"
  set res {}
  foreach l [run_child losses] {
    lassign $l label s peak - r
    dict set res [string range $label 7 end] [dict create {*}$r]
    puts [format "   min_length=%-4s %8.2f s, peak %.0f MB" [string range $label 7 end] $s [expr {$peak / 1024.0}]]
  }
  sqlite3 db $dbfile
  puts [format "   %-18s %10s %s" source MB [join [lmap l $losses {format "%17s" "lost at $l"}] ""]]
  set tot [dict create]
  db eval {SELECT source, sum(length(CAST(text AS BLOB))) AS b FROM docs GROUP BY source ORDER BY source} {
    set line [format "   %-18s %10.1f" $source [expr {$b / 1e6}]]
    dict incr tot all $b
    foreach l $losses {
      set x 0
      if {[dict exists $res $l $source]} { set x [dict get $res $l $source] }
      dict incr tot $l $x
      append line [format " %9.1f MB %4.1f%%" [expr {$x / 1e6}] [expr {100.0 * $x / max($b, 1)}]]
    }
    puts $line
  }
  set line [format "   %-18s %10.1f" all [expr {[dict get $tot all] / 1e6}]]
  foreach l $losses {
    append line [format " %9.1f MB %4.1f%%" [expr {[dict get $tot $l] / 1e6}] [expr {100.0 * [dict get $tot $l] / max([dict get $tot all], 1)}]]
  }
  puts $line
  db close
  puts ""
}
