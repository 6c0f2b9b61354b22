# histogram() and quantiles() over a column of N rows (issue 17), in rows/s,
# next to what plain SQLite does in the same run: a scan with count, min,
# max and sum (the floor of any aggregate), a fixed-width histogram by
# GROUP BY, and the exact median by ORDER BY ... LIMIT 1 OFFSET n/2 (a
# sort, as quantiles() does one).
#
#   tclsh bench/stats.tcl LIB [-n N] [-runs R] [-seed S]
#
# The column: N token counts of a log-normal-like spread (1 to ~10^6, as
# document lengths are), INTEGER, in a table in memory; then the same as
# REAL.  Figures, never a verdict.
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/stats.tcl LIB \[-n N\] \[-runs R\] \[-seed S\]"
  exit 2
}
set n 10000000
set runs 3
set seed 1
parse_args $argv {-n n -runs runs -seed seed}

header "stats: histogram() and quantiles() (bench/stats.tcl)" 8
machine_fields " (one used)"
field rows $n
field runs "$runs (best time)"
field seed $seed
open_db $lib
print_corpus_debug 1

# exp() of a sum of three uniforms (from xxh64 of the row number and the
# seed, so that a seed gives the same column): a bell on a log scale, 1 to
# ~10^6
db eval {CREATE TABLE v(t INTEGER)}
db eval {
  WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $n - 1),
  h(x) AS (SELECT xxh64(i, CAST($seed AS INTEGER)) & 1073741823 FROM c)
  INSERT INTO v SELECT 1 + CAST(round(exp(
      ((x % 1000) + ((x / 1000) % 1000) + ((x / 1000000) % 1000)) / 3000.0 * 13.8)) AS INTEGER)
    FROM h
}
db eval {CREATE TABLE vr AS SELECT t + 0.5 AS t FROM v}

proc row {label sql base} {
  lassign [time_query $sql] s r
  set rate [expr {$::n / $s}]
  puts [format "   %-44s %8.3f %10s %8.2fx  %s" $label $s [fmt_rate $rate] \
            [expr {$s / $base}] [string range $r 0 60]]
  return $s
}
foreach {tab kind} {v INTEGER vr REAL} {
  puts "\n== $kind column ($n rows)"
  puts [format "   %-44s %8s %10s %9s  %s" query seconds rows/s "x scan" result]
  lassign [time_query "SELECT count(*), min(t), max(t), sum(t) FROM $tab"] base r
  puts [format "   %-44s %8.3f %10s %8.2fx  %s" "scan: count, min, max, sum" $base \
            [fmt_rate [expr {$n / $base}]] 1.0 $r]
  row "GROUP BY t / 100000 (plain SQL histogram)" \
      "SELECT count(*) FROM (SELECT CAST(t / 100000 AS INTEGER) AS b, count(*) FROM $tab GROUP BY b)" $base
  row "median by ORDER BY LIMIT 1 OFFSET n/2" \
      "SELECT t FROM $tab ORDER BY t LIMIT 1 OFFSET (SELECT count(*) / 2 FROM $tab)" $base
  row "histogram(t)" "SELECT length(histogram(t)) FROM $tab" $base
  row "histogram(t, 'scale=log bins=12')" "SELECT length(histogram(t, 'scale=log bins=12')) FROM $tab" $base
  row "histogram(t, 'scale=quantile bins=10')" "SELECT length(histogram(t, 'scale=quantile bins=10')) FROM $tab" $base
  row "quantiles(t, 'p10,p50,p90,p99')" "SELECT quantiles(t, 'p10,p50,p90,p99') FROM $tab" $base
}
