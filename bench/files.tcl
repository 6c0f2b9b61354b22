# Writing and reading JSON Lines on a real corpus (issue 13's speed targets):
#
#   tclsh bench/files.tcl LIB [-runs N] [-level N] [-dir DIR] [CORPUS.jsonl]
#
# CORPUS (default $CORPORA_DIR/man.jsonl, ~120 MB, from
# /work/shared/corpora/build.sh) is loaded line by line, as written, into
# an in-memory table lines(j TEXT).  Then, best of N runs (default 3):
#
# 1. write_jsonl(DIR/w.jsonl.zst, j) at zstd level N (default 3): MB/s of
#    uncompressed JSON, next to, in the same run and over the same bytes,
#    a plain scan of the table, write_jsonl to a plain file, the zstd
#    command compressing the same bytes at the same level on one thread
#    (`zstd -q -N -T1 -c file > /dev/null`) and Python writing the same
#    lines to a plain file (Debian 12's Python has no zstd module).
# 2. read_jsonl(FILE), plain and zstd: `SELECT count(*)`, and count(*)
#    and count(text) of the table form with 'columns=id,text' (CREATE
#    VIRTUAL TABLE temp.rj USING read_jsonl(...)), MB/s of uncompressed JSON, next to Python's
#    json.loads per line over the same file (/usr/bin/python3).  Skipped,
#    saying so, when the library has no read_jsonl.
#
# Generated files go to DIR (default /tmp/corpus-bench-files) and are
# removed at the end.  Figures, never a verdict.
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/files.tcl LIB \[-runs N\] \[-level N\] \[-dir DIR\] \[CORPUS.jsonl\]"
  exit 2
}
set runs 3
set level 3
set dir /tmp/corpus-bench-files
set operands [parse_args $argv {-runs runs -level level -dir dir}]
set corpora [expr {[info exists env(CORPORA_DIR)] ? $env(CORPORA_DIR) : "/tmp/corpora"}]
set corpus [expr {[llength $operands] ? [lindex $operands 0] : "$corpora/man.jsonl"}]
if {![file readable $corpus]} {
  puts stderr "files.tcl: $corpus not found (build it: sh /work/shared/corpora/build.sh man)"
  exit 2
}
file mkdir $dir

header "write_jsonl / read_jsonl: JSON Lines out and in" 14
machine_fields " (one used)"
open_db $lib
print_corpus_debug 1
field corpus $corpus
field runs "best of $runs"

# ---- the lines, as written --------------------------------------------------
db eval {CREATE TABLE lines(id INTEGER PRIMARY KEY, j TEXT)}
set t0 [now]
# as bytes, bound as a BLOB and cast: Tcl 8.6 strings hold no character
# past U+FFFF, and would write an emoji back as invalid UTF-8
set f [open $corpus rb]
db transaction {
  while {[gets $f line] >= 0} {
    if {$line eq ""} continue
    set b [binary format a* $line]
    db eval {INSERT INTO lines(j) VALUES (CAST(@b AS TEXT))}
  }
}
close $f
lassign [db eval {SELECT count(*), sum(length(CAST(j AS BLOB)) + 1) FROM lines}] nlines bytes
set mb [expr {$bytes / 1e6}]
field lines [format "%d, %.1f MB with their newlines (loaded in %.1f s)" $nlines $mb [expr {[now] - $t0}]]

proc rate {s} { return [format "%8.1f MB/s" [expr {$::mb / $s}]] }
proc row {label s {extra ""}} {
  puts [format "   %-46s %7.3f s %s  %s" $label $s [rate $s] $extra]
}
# The best of $runs wall-clock times of a shell command, in seconds.
proc time_exec {args} {
  set best {}
  for {set r 0} {$r < $::runs} {incr r} {
    set t0 [clock microseconds]
    exec {*}$args
    set dt [expr {([clock microseconds] - $t0) / 1e6}]
    if {$best eq "" || $dt < $best} { set best $dt }
  }
  return $best
}

# ---- 1. write_jsonl -----------------------------------------------------------
puts "\n== 1. write_jsonl, zstd level $level"
set plain $dir/w.jsonl
set zst $dir/w.jsonl.zst
set opts "overwrite=on level=$level"
lassign [time_query {SELECT count(length(j)) FROM lines}] scan_s
row "scan: count(length(j))" $scan_s "(baseline of the table)"
lassign [time_query {SELECT write_jsonl($plain, j, 'overwrite=on') FROM lines}] plain_s man
row "write_jsonl plain" $plain_s
if {[file size $plain] != $bytes} { puts "   !! plain output is [file size $plain] bytes, expected $bytes" }
lassign [time_query {SELECT write_jsonl($zst, j, $opts) FROM lines}] zst_s man
set disk [db onecolumn {SELECT json_extract($man, '$.bytes_on_disk')}]
row "write_jsonl zstd -$level" $zst_s [format "(%.1f MB on disk, ratio %.2f)" [expr {$disk / 1e6}] [expr {double($bytes) / $disk}]]
set zstd_s [time_exec zstd -q -$level -T1 -c $plain > /dev/null]
row "zstd -q -$level -T1 -c (same bytes) > /dev/null" $zstd_s "(baseline)"
set py {
import sys, time
lines = open(sys.argv[1], 'rb').read().decode('utf-8').split('\n')[:-1]
best = None
for _ in range(int(sys.argv[3])):
    t = time.perf_counter()
    with open(sys.argv[2], 'w', encoding='utf-8') as f:
        for line in lines:
            f.write(line + '\n')
    dt = time.perf_counter() - t
    best = dt if best is None or dt < best else best
print(best)
}
set py_s [exec /usr/bin/python3 -c $py $plain $dir/py.jsonl $runs]
row "python3: lines written plain (in memory first)" $py_s "(baseline)"
puts [format "   write_jsonl zstd: %.2fx the zstd command's time, %.2fx plain write_jsonl's" \
        [expr {$zst_s / $zstd_s}] [expr {$zst_s / $plain_s}]]

# ---- 2. read_jsonl (when the library has it) ------------------------------------
puts "\n== 2. read_jsonl"
if {[catch {db eval {SELECT count(*) FROM read_jsonl($plain) WHERE 0}} msg]} {
  puts "   skipped: $msg"
} else {
  foreach {label file} [list plain $plain zstd $zst] {
    lassign [time_query {SELECT count(*) FROM read_jsonl($file)}] s n
    row "count(*) FROM read_jsonl, $label" $s "($n rows)"
    # columns= makes columns, which only the table form has
    db eval "DROP TABLE IF EXISTS temp.rj;
             CREATE VIRTUAL TABLE temp.rj USING read_jsonl('[string map {' ''} $file]', 'columns=id,text')"
    lassign [time_query {SELECT count(*) FROM temp.rj}] s n
    row "count(*), 'columns=id,text', $label" $s
    lassign [time_query {SELECT count(text) FROM temp.rj}] s n
    row "count(text), 'columns=id,text', $label" $s
  }
  set py {
import json, sys, time
best = None
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    n = 0
    with open(sys.argv[1], 'rb') as f:
        for line in f:
            if line.strip():
                json.loads(line)
                n += 1
    dt = time.perf_counter() - t
    best = dt if best is None or dt < best else best
print(best)
}
  set py_s [exec /usr/bin/python3 -c $py $plain $runs]
  row "python3: json.loads per line, plain" $py_s "(baseline)"
}

file delete -force $dir
