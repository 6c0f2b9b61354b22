# Time budgets (test/budget*.test source this after tester.tcl): a case
# times one SQL call on an input of size n and of size 4n and fails when the
# ratio of the times exceeds what n log n allows, with a margin:
#
#     limit = 4 * log(4n) / log(n) * 2.5        (11.6 at n = 8192, 11.25 at 65,536)
#
# Linear work gives about 4, n log n 4.6, quadratic 16, and a cubic or
# exponential path far more.  The margin of 2.5 absorbs what a shared
# machine and the caches add (scaling01.test has seen linear work at 8).
# n stops at 65,536 units or an input of 256 KB (a table's column t, when
# it has one; 4n then reads about 1 MB): past that, page faults and the C library's
# choice between its heap and mmap() dominate (normalize of one 256 KB word
# took 7.5 ms, of 1 MB 1 ms, in one run; prompt() on 0.8 MB and 3 MB of
# sections gave 14), and below 32 KB the caches do
# (normalize on marks: 15 between 32 KB and 128 KB, 4 to 5 above).
#
# The input is built by SQL before any timing: BUILD is a SELECT (its rows
# become table input) or an expression (one row, column t), with %N
# replaced by the size; QUERY reads table input, and for 4n the same text
# runs over table input4 ("input" is replaced in it, quoted SQL included).
# n starts at 64 and doubles until the call on n takes budget_min_ms or n
# reaches MAXN (default budget_maxn); a faster call is repeated k times,
# k doubled until the k calls take budget_min_ms, the same k for both
# sizes (each size is called once before it is timed: the first call pays
# for tables built once and pages first touched).  Each time is the least of budget_reps runs,
# taken in turn with the other size's; a ratio over the limit is measured
# again, up to 5 times, and the least ratio counts: a quadratic path fails
# every time, a burst of load elsewhere does not.  n is the size argument
# (bytes, items or levels, as the case says), so the limit is stated in it.

set budget_min_ms 10.0
set budget_maxn 65536
set budget_maxbytes 262144
set budget_reps 3
set budget_cases {}     ;# function name -> number of cases
set budget_log {}

# Time, in ms, of k runs of the query (an error, such as a depth limit's,
# is a result like any other: its path is timed too).
proc budget_time {sql k} {
  set t0 [clock microseconds]
  for {set j 0} {$j < $k} {incr j} { catch {db eval $sql} }
  expr {([clock microseconds] - $t0) / 1000.0}
}

# SQL run after each input table is built, %T replaced by its name (input
# or input4), outside the timing: an index over the input, for a case that
# times its queries alone.  Empty: none.
set budget_prepare ""

proc budget_input {build n table} {
  db eval "DROP TABLE IF EXISTS $table"
  set b [string map [list %N $n] $build]
  if {[regexp -nocase {^\s*(SELECT|WITH)\s} $b]} {
    db eval "CREATE TABLE $table AS $b"
  } else {
    db eval "CREATE TABLE $table AS SELECT ($b) AS t"
  }
  if {$::budget_prepare ne ""} {
    db eval [string map [list %T $table] $::budget_prepare]
  }
}

# n copies of the SQL text expression unit, as an SQL expression.
proc rep {unit} { return "replace(hex(zeroblob(%N)), '00', $unit)" }
# The concatenation of expr for i = 0 .. %N-1 (an SQL expression).
proc seq {expr} {
  return "(WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM c WHERE i<%N-1) SELECT group_concat($expr, '') FROM c)"
}
# %N rows of integers i (a SELECT, for aggregates and tables).
proc rows {expr} {
  return "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM c WHERE i<%N-1) SELECT $expr FROM c"
}

# The sanitizer build's allocator (redzones, quarantine) moves between
# regimes at sizes the plain build does not (quality_keep on one 256 KB key
# measured 20, then 24, under ASan; 4 plain): its times say more about the
# allocator than about the code, so under `make asan` the cases only count
# (the registry checks still run) and `make test` times them.
set budget_sanitized [string match *sanitize* [db one {SELECT corpus_debug()}]]
if {$budget_sanitized} {
  puts "budget: the sanitizer build: cases counted, not timed (make test times them)"
}
set budget_margin 2.5
proc budget_limit {n} { expr {4.0 * log(4.0 * $n) / log($n) * $::budget_margin} }

# do_budget_test NAME FUNC BUILD QUERY ?MAXN? ?MAXBYTES?: a case of FUNC.
proc do_budget_test {name func build query {maxn 0} {maxbytes 0}} {
  if {$maxn == 0} {set maxn $::budget_maxn}
  if {$maxbytes == 0} {set maxbytes $::budget_maxbytes}
  dict incr ::budget_cases $func
  if {$::budget_sanitized} return
  set n 64
  while 1 {
    budget_input $build $n input
    budget_time $query 1    ;# tables built once, pages first touched
    set t1 [budget_time $query 1]
    if {[catch {db onecolumn {SELECT sum(length(CAST(t AS BLOB))) FROM input}} bytes]} {
      set bytes ""
    }
    if {$t1 >= $::budget_min_ms || 2 * $n > $maxn
        || ($bytes ne "" && 2 * $bytes > $maxbytes)} break
    set n [expr {$n * 2}]
  }
  set k 1
  while {$k < 4096 && [budget_time $query $k] < $::budget_min_ms} { set k [expr {2 * $k}] }
  budget_input $build [expr {4 * $n}] input4
  set query4 [string map {input input4} $query]
  budget_time $query4 1
  set limit [budget_limit $n]
  set ratio Inf
  for {set try 1} {$try <= 5 && $ratio > $limit} {incr try} {
    set t1 Inf
    set t4 Inf
    for {set i 0} {$i < $::budget_reps} {incr i} {
      set t1 [expr {min($t1, [budget_time $query $k])}]
      set t4 [expr {min($t4, [budget_time $query4 $k])}]
    }
    set ratio [expr {min($ratio, $t4 / max($t1, 0.001))}]
  }
  puts [format "%s: %-22s %-18s n=%-6d k=%-4d %8.1f ms  4n: %8.1f ms  ratio %5.2f (limit %5.2f)" \
            [file rootname [file tail [info script]]] $name $func $n $k $t1 $t4 $ratio $limit]
  do_test $name [list expr "$ratio <= $limit"] 1
}
