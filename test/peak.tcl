# The child process of test/big02.test: one call's peak memory.
#   tclsh test/peak.tcl LIBRARY BUILD SETUP QUERY
# Stores the text the SQL expression BUILD makes as input(t), runs SETUP,
# resets the kernel's peak RSS (VmHWM, by writing 5 to /proc/self/
# clear_refs) and SQLite's high-water mark (corpus_debug('memory')), runs
# QUERY once and prints a list: input bytes, growth of the peak RSS over
# the RSS before the call, growth of SQLite's high-water mark over its use
# before the call, ms, 0 or 1 (error), the result (or error) cut to 200
# bytes.  big02.test sets MALLOC_MMAP_THRESHOLD_ so that the C library
# maps each large block and unmaps it when freed: RSS then follows the
# allocations rather than the free lists of the input's construction.
package require sqlite3
lassign $argv lib build setup query
sqlite3 db :memory:
db enable_load_extension 1
db eval {SELECT load_extension($lib)}
proc status {key} {
  set f [open /proc/self/status]
  set s [read $f]
  close $f
  regexp "$key:\\s+(\\d+) kB" $s -> v
  expr {$v * 1024}
}
proc memory {} {
  regexp {"used":(\d+),"highwater":(\d+)} [db onecolumn {SELECT corpus_debug('memory')}] -> u h
  list $u $h
}
db eval "CREATE TABLE input AS SELECT ($build) AS t"
if {$setup ne ""} { db eval $setup }
set in [db onecolumn {SELECT length(CAST(t AS BLOB)) FROM input}]
set rss0 [status VmRSS]
set f [open /proc/self/clear_refs w]
puts -nonewline $f 5
close $f
lassign [memory] used0
set t0 [clock milliseconds]
set rc [catch {db onecolumn $query} res]
set ms [expr {[clock milliseconds] - $t0}]
set hwm [status VmHWM]
lassign [memory] -> hi
puts [list $in [expr {$hwm - $rss0}] [expr {$hi - $used0}] $ms $rc [string range $res 0 199]]
