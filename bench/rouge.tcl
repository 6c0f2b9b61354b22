# rouge_l() and rouge_n() over N sentence pairs (default 100,000), in
# pairs/s and MB/s of text (target and prediction, UTF-8), next to what
# the same run measures on the same pairs: a plain scan that reads every
# text (length() of both), and test/rouge_ref.py, the Python reading of
# Google's rouge-score that test/rouge01.test checks the functions against,
# on the first -py-n pairs (default 5,000), with the extension timed on
# those same pairs beside it.
#
#   tclsh bench/rouge.tcl LIB [-n N] [-runs R] [-seed S] [-py-n K] [-dir DIR]
#
# The pairs are test/rouge01.py's (`--pairs SEED N FILE`, /usr/bin/python3):
# sentences of docs/*.md and README.md and texts of
# test/data/lang/sample.tsv, identical, unrelated, neighbouring, edited
# copies, spans, paragraphs of 3-8 sentences, repeated words, empty; in
# random order, so the first K are a sample of them all.  They are written
# to DIR/pairs.db (default /tmp/corpus-bench-rouge, removed at the end)
# and copied into a table in memory.  Each query is the best of R runs
# (default 3).  Figures, never a verdict.
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/rouge.tcl LIB \[-n N\] \[-runs R\] \[-seed S\] \[-py-n K\] \[-dir DIR\]"
  exit 2
}
set n 100000
set runs 3
set seed 1
set py_n 5000
set dir /tmp/corpus-bench-rouge
parse_args $argv {-n n -runs runs -seed seed -py-n py_n -dir dir}
foreach v {n runs py_n} {
  if {![string is integer -strict [set $v]] || [set $v] < 1} usage
}
if {![string is integer -strict $seed]} usage
if {$py_n > $n} { set py_n $n }
set testdir [file normalize [file join [file dirname [info script]] .. test]]

header "rouge: rouge_l() and rouge_n() (bench/rouge.tcl)" 8
machine_fields " (one used)"
field pairs $n
field runs "best of $runs, wall clock"
field seed $seed
open_db $lib
print_corpus_debug 1

# ---- the pairs ---------------------------------------------------------------
file mkdir $dir
set pairs_db [file join $dir pairs.db]
set t0 [now]
set made [exec /usr/bin/python3 [file join $testdir rouge01.py] --pairs $seed $n $pairs_db 2>@1]
db eval {
  ATTACH $pairs_db AS src;
  CREATE TABLE pairs(id INTEGER PRIMARY KEY, kind TEXT, target TEXT, prediction TEXT);
  INSERT INTO pairs SELECT id, kind, target, prediction FROM src.pairs ORDER BY id;
  DETACH src;
}
set bytes [db onecolumn {
  SELECT sum(length(CAST(target AS BLOB)) + length(CAST(prediction AS BLOB))) FROM pairs
}]
set sub_bytes [db onecolumn {
  SELECT sum(length(CAST(target AS BLOB)) + length(CAST(prediction AS BLOB))) FROM pairs WHERE id <= $py_n
}]
set mb [expr {$bytes / 1e6}]
set sub_mb [expr {$sub_bytes / 1e6}]
field text [format "%.2f MB (%.0f bytes a pair; %s)" $mb [expr {double($bytes) / $n}] $made]
set kinds {}
db eval {SELECT kind, count(*) AS c FROM pairs GROUP BY kind ORDER BY c DESC} {
  lappend kinds "$kind $c"
}
field kinds [join $kinds {, }]
field made [format "%.1f s" [expr {[now] - $t0}]]

# ---- the extension -----------------------------------------------------------
proc rate_row {label s npairs mb base result} {
  puts [format "   %-52s %9.4f %10s %9.2f %9.2fx  %s" $label $s \
            [fmt_rate [expr {$npairs / $s}]] [expr {$mb / $s}] [expr {$s / $base}] \
            [string range $result 0 24]]
}
proc table_head {} {
  puts [format "   %-52s %9s %10s %9s %10s  %s" query seconds pairs/s MB/s "x scan" result]
}

puts "\n== all $n pairs ([format %.2f $mb] MB)"
table_head
lassign [time_query {SELECT sum(length(target) + length(prediction)) FROM pairs}] base r
rate_row "scan: sum(length(target) + length(prediction))" $base $n $mb $base $r
foreach {label sql} {
  "rouge_l(target, prediction)"
  {SELECT sum(rouge_l(target, prediction)) FROM pairs}
  "rouge_l(target, prediction, 'measure=recall')"
  {SELECT sum(rouge_l(target, prediction, 'measure=recall')) FROM pairs}
  "rouge_n(target, prediction, 1)"
  {SELECT sum(rouge_n(target, prediction, 1)) FROM pairs}
  "rouge_n(target, prediction, 2)"
  {SELECT sum(rouge_n(target, prediction, 2)) FROM pairs}
  "rouge_n(target, prediction, 4)"
  {SELECT sum(rouge_n(target, prediction, 4)) FROM pairs}
} {
  if {[catch {time_query $sql} tr]} {
    puts [format "   %-52s %9s  %s" $label error $tr]
    continue
  }
  lassign $tr s r
  rate_row $label $s $n $mb $base $r
}

# ---- next to the Python reference, on the first py_n pairs -------------------
# The reference as it runs in rouge-score: tokenize both texts, then the
# full LCS table (or the n-gram Counters), per pair; the pairs read into
# a list first, outside the timing.
puts "\n== the first $py_n pairs ([format %.2f $sub_mb] MB): the extension next to test/rouge_ref.py (/usr/bin/python3)"
table_head
lassign [time_query {SELECT sum(length(target) + length(prediction)) FROM pairs WHERE id <= $py_n}] sbase r
rate_row "scan: sum(length(target) + length(prediction))" $sbase $py_n $sub_mb $sbase $r
lassign [time_query {SELECT sum(rouge_l(target, prediction)) FROM pairs WHERE id <= $py_n}] ext_l r
rate_row "rouge_l(target, prediction)" $ext_l $py_n $sub_mb $sbase $r
lassign [time_query {SELECT sum(rouge_n(target, prediction, 2)) FROM pairs WHERE id <= $py_n}] ext_n r
rate_row "rouge_n(target, prediction, 2)" $ext_n $py_n $sub_mb $sbase $r
set py {
import sqlite3, sys, time
sys.path.insert(0, sys.argv[1])
import rouge_ref
con = sqlite3.connect(sys.argv[2])
pairs = con.execute("SELECT target, prediction FROM pairs WHERE id <= ? ORDER BY id",
                    (int(sys.argv[3]),)).fetchall()
runs = int(sys.argv[4])
for name, f in (("rouge_l", lambda t, p: rouge_ref.rouge_l(t, p).fmeasure),
                ("rouge_n2", lambda t, p: rouge_ref.rouge_n(t, p, 2).fmeasure)):
    best = None
    for _ in range(runs):
        t0 = time.perf_counter()
        s = 0.0
        for t, p in pairs:
            s += f(t, p)
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    print(name, best, s)
}
set out [exec /usr/bin/python3 -c $py $testdir $pairs_db $py_n $runs 2>@1]
foreach line [split $out \n] {
  lassign $line name s sum
  switch -- $name {
    rouge_l  { rate_row "python3 rouge_ref: rouge_l (tokenize, LCS table)" $s $py_n $sub_mb $sbase $sum
               set py_l $s }
    rouge_n2 { rate_row "python3 rouge_ref: rouge_n 2 (tokenize, Counters)" $s $py_n $sub_mb $sbase $sum
               set py_n2 $s }
  }
}
if {[info exists py_l] && [info exists py_n2]} {
  puts [format "   rouge_l: %.1fx the reference's pairs/s; rouge_n 2: %.1fx (same pairs, same run)" \
            [expr {$py_l / $ext_l}] [expr {$py_n2 / $ext_n}]]
}

db close
file delete -force $dir
