# Benchmark of the whole near-duplicate pipeline, sql/dedup.sql, on N
# documents of real text with planted duplicates (bench/make_dupes.py):
# wall time, CPU time, peak RSS and rows produced per step, then how many of
# the planted duplicates were found and what else was merged.
#
#   tclsh bench/pipeline.tcl LIB [-n N] [-dir DIR] [-seed S] [-regen]
#         [-sample K] [-recipe FILE] [-sqlite3 PATH] [-python PATH]
#         [-corpora-dir DIR] [-keep] [-neardup] [-length MIN,MAX] [-no-eval]
#
# LIB is the extension without its suffix (dist/corpus).  The corpus is the
# SQLite file DIR/docs-N-sS.db (default DIR /tmp/corpus-bench, N 100000,
# S 1), made by `python3 bench/make_dupes.py` when missing (or with -regen)
# from the JSONL corpora in -corpora-dir (default $CORPORA_DIR or
# /tmp/corpora).  It holds docs(id, text), planted(id, source_id, kind,
# detail) and origin(id, corpus).  -length MIN,MAX sets the originals'
# lengths in bytes (make_dupes.py's --length, default 1000,5000: mean 2,000
# bytes); another than the default is in the file's name (docs-N-sS-lMIN-MAX.db).
# -no-eval stops after the steps (and -neardup): the evaluation below reads
# every planted pair's texts, minutes at 10 million documents.
#
# The recipe (default sql/dedup.sql) is cut at its numbered step comments
# ("-- 1. Sign ...") and each step runs as it is, in a fresh process:
#     /usr/bin/time -f '%e %U %S %M' sqlite3 -bail DB < step.sql
# with `.load LIB` in front, so each step's figures are its own (RSS is the
# sqlite3 process's peak resident set, which includes the page cache of
# SQLite, 2 MB by default, and not the OS's file cache).  Rows produced are
# counted afterwards, untimed.  The tables the recipe creates are dropped,
# untimed, before step 1, and (unless -keep) dropped again at the end, so
# the file keeps only the corpus.
#
# -neardup: after the recipe's steps, near_duplicates('docs', options)
# with the recipe's settings (read from its dedup_settings) runs in one
# fresh process, timed the same way, into table nd_result; printed: its
# wall and CPU seconds, peak RSS and rows next to the recipe's total, and
# whether its (id, cluster) rows are the recipe's dedup_cluster, row for
# row (untimed check).
#
# The evaluation afterwards (untimed) reads dedup_cluster and dedup_pair:
#  - recall on planted duplicates: a planted document counts as found when
#    it is in the same cluster as its source; by kind, and by the exact
#    Jaccard (jaccard(), the recipe's shingles) of the pair;
#  - clusters holding documents that were not planted together (possible
#    false merges: or natural near-duplicates of the real corpora); the
#    verified pairs (dedup_pair) that cross planted groups, a sample of -sample
#    K of them (default 200) checked with exact jaccard();
#  - a sample of K of all verified pairs checked with exact jaccard().
package require sqlite3
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/pipeline.tcl LIB \[-n N\] \[-dir DIR\] \[-seed S\] \[-regen\] \[-sample K\] \[-recipe FILE\] \[-sqlite3 PATH\] \[-python PATH\] \[-corpora-dir DIR\] \[-keep\] \[-neardup\] \[-length MIN,MAX\] \[-no-eval\]"
  exit 2
}

set n 100000
set dir /tmp/corpus-bench
set seed 1
set regen 0
set sample 200
set recipe sql/dedup.sql
set sqlite3_bin sqlite3
set python /usr/bin/python3
set keep 0
set neardup 0
set length 1000,5000
set noeval 0
set corpora_dir [expr {[info exists env(CORPORA_DIR)] ? $env(CORPORA_DIR) : "/tmp/corpora"}]
set spec {-n n -dir dir -seed seed -regen {regen flag} -sample sample
          -recipe recipe -sqlite3 sqlite3_bin -python python
          -corpora-dir corpora_dir -keep {keep flag} -neardup {neardup flag}
          -length length -no-eval {noeval flag}}
if {[llength [parse_args $argv $spec]]} usage
set lib [file normalize $lib]
foreach v {n seed sample} {
  if {![string is integer -strict [set $v]] || [set $v] < 0} usage
}
set timebin /usr/bin/time
if {![file executable $timebin]} {
  puts stderr "pipeline: $timebin not found (Debian package time: apt-get install time)"
  exit 1
}

# ---------------------------------------------------------------- machine
proc mem_total {} {
  if {[catch {open /proc/meminfo} f]} { return unknown }
  set m unknown
  while {[gets $f line] >= 0} {
    if {[regexp {^MemTotal:\s*(\d+) kB} $line -> kb]} {
      set m [format "%.1f GB" [expr {$kb / 1048576.0}]]
      break
    }
  }
  close $f
  return $m
}
proc mb {bytes} { return [format %.1f [expr {$bytes / 1e6}]] }

header "sqlite-corpus pipeline benchmark (sql/dedup.sql end to end)" 8
machine_fields " (every step runs on one thread)"
field memory [mem_total]
field sqlite3 [exec $sqlite3_bin -version]
field recipe $recipe

# ---------------------------------------------------------------- corpus
file mkdir $dir
# the default lengths keep the file names of the runs before -length
set db_file [file join $dir [expr {$length eq "1000,5000" ? "docs-$n-s$seed.db" : "docs-$n-s$seed-l[string map {, -} $length].db"}]]
if {$regen || ![file exists $db_file]} {
  puts "\n== generating $db_file ($n documents, seed $seed)"
  set t0 [now]
  set cmd [list $python bench/make_dupes.py -n $n -o $db_file --seed $seed \
             --corpora-dir $corpora_dir --length $length]
  if {[catch {exec {*}$cmd 2>@ stdout} err]} {
    puts stderr "pipeline: the generator failed: $err"
    exit 1
  }
  puts [format "   generated in %.0f s" [expr {[now] - $t0}]]
}

open_db $lib $db_file
print_corpus_debug 1
set info [dict create]
db eval {SELECT key, value FROM bench_info} { dict set info $key $value }
set ndocs [db onecolumn {SELECT count(*) FROM docs}]
set text_bytes [dict get $info text_bytes]
puts ""
puts "== corpus: $db_file"
puts [format "   %d documents, %s MB of text (UTF-8 bytes), file %s MB" \
        $ndocs [mb $text_bytes] [mb [file size $db_file]]]
puts "   from: [dict get $info corpora] (pool of [mb [dict get $info pool_bytes]] MB of distinct segments)"
puts -nonewline "   planted:"
db eval {SELECT kind, count(*) AS c FROM planted GROUP BY kind ORDER BY kind} {
  puts -nonewline " $kind $c"
}
puts ""

# ---------------------------------------------------------------- recipe
# Cuts the recipe at "-- N. " comment lines; what precedes step 0 is the
# header and is not run, nor are its BEGIN and COMMIT (each step is a
# process of its own) and the check after its last step ("-- The end").
set f [open $recipe r]
set text [read $f]
close $f
set steps {}
set cur {}
set title {}
foreach line [split $text \n] {
  if {[regexp {^-- The end} $line]} break
  if {[regexp {^(BEGIN|COMMIT);$} $line]} continue
  if {[regexp {^-- (\d+)\.\s+(.*)$} $line -> num rest]} {
    if {$title ne ""} { lappend steps [list $title $cur] }
    # the step's name: its first words, up to a colon, stop or parenthesis
    regsub {[.:(].*$} $rest {} rest
    set rest [string trim $rest]
    if {[string length $rest] > 40} { set rest "[string range $rest 0 38]~" }
    set title "$num. $rest"
    set cur "$line\n"
  } elseif {$title ne ""} {
    append cur "$line\n"
  }
}
if {$title ne ""} { lappend steps [list $title $cur] }
if {![llength $steps]} {
  puts stderr "pipeline: no numbered steps (-- 1. ...) in $recipe"
  exit 1
}
set made {}
foreach s $steps {
  foreach {- t} [regexp -all -inline -nocase {CREATE\s+TABLE\s+(\w+)} [lindex $s 1]] {
    lappend made $t
  }
}
if {$neardup} { lappend made nd_result }
proc drop_made {} {
  foreach t $::made { db eval "DROP TABLE IF EXISTS $t" }
}
set t0 [now]
drop_made
puts [format "   dropped the recipe's tables of an earlier run in %.1f s (untimed)" \
        [expr {[now] - $t0}]]
db close

# ---------------------------------------------------------------- steps
puts ""
puts "== steps (each a fresh `sqlite3` process; wall and CPU seconds, peak RSS)"
set fmt "   %-44s %9s %9s %9s %11s  %s"
puts [format $fmt step wall_s cpu_s rss_MB rows "table"]
set tot_wall 0
set tot_cpu 0
set peak 0
set results {}
set k 0
foreach s $steps {
  lassign $s title body
  incr k
  set sqlf [file join $dir "step-$k.sql"]
  set tf [file join $dir "step-$k.time"]
  set out [open $sqlf w]
  puts $out ".bail on"
  puts $out ".load $lib"
  puts -nonewline $out $body
  close $out
  if {[catch {exec $timebin -f {%e %U %S %M} -o $tf $sqlite3_bin -bail $db_file < $sqlf} err]} {
    puts stderr "pipeline: step $title failed: $err"
    exit 1
  }
  set tfh [open $tf r]
  set tl [lindex [split [string trim [read $tfh]] \n] end]
  close $tfh
  lassign $tl wall user sys rss_kb
  set cpu [expr {$user + $sys}]
  set tables [regexp -all -inline -nocase {CREATE\s+TABLE\s+(\w+)} $body]
  sqlite3 db $db_file
  set counts {}
  set names {}
  foreach {- t} $tables {
    lappend counts [db onecolumn "SELECT count(*) FROM $t"]
    lappend names $t
  }
  db close
  set tot_wall [expr {$tot_wall + $wall}]
  set tot_cpu [expr {$tot_cpu + $cpu}]
  set rss [expr {$rss_kb / 1024.0}]
  if {$rss > $peak} { set peak $rss }
  lappend results [list $title $wall $cpu $rss $counts $names]
  puts [format $fmt $title [format %.2f $wall] [format %.2f $cpu] \
          [format %.1f $rss] [join $counts /] [join $names /]]
}
puts [format $fmt total [format %.2f $tot_wall] [format %.2f $tot_cpu] \
        [format %.1f $peak] "" "(RSS: the largest step's)"]
puts [format "   text %s MB: %.1f MB/s end to end; peak RSS %.1f MB = %.2f%% of the text" \
        [mb $text_bytes] [expr {$text_bytes / 1e6 / max($tot_wall, 1e-6)}] \
        $peak [expr {100.0 * $peak * 1048576 / $text_bytes}]]
puts "   file after the run: [mb [file size $db_file]] MB"

# ---------------------------------------------------------------- near_duplicates
if {$neardup} {
  sqlite3 db $db_file
  set nd_opts [db onecolumn {
    SELECT printf('threshold=%s num_perm=%d ngram=%d bands=%d rows=%d all_pairs=%d',
                  threshold, num_perm, ngram, bands, rows, all_pairs) FROM dedup_settings
  }]
  db close
  puts ""
  puts "== near_duplicates('docs', '$nd_opts'): one call, a fresh `sqlite3` process"
  set sqlf [file join $dir "neardup.sql"]
  set tf [file join $dir "neardup.time"]
  set out [open $sqlf w]
  puts $out ".bail on"
  puts $out ".load $lib"
  puts $out "CREATE TABLE nd_result AS SELECT id, cluster, keep FROM near_duplicates('docs', '$nd_opts');"
  close $out
  if {[catch {exec $timebin -f {%e %U %S %M} -o $tf $sqlite3_bin -bail $db_file < $sqlf} err]} {
    puts stderr "pipeline: near_duplicates failed: $err"
    exit 1
  }
  set tfh [open $tf r]
  lassign [lindex [split [string trim [read $tfh]] \n] end] wall user sys rss_kb
  close $tfh
  sqlite3 db $db_file
  db eval {
    SELECT (SELECT count(*) FROM nd_result) AS nd_rows,
           (SELECT count(*) FROM dedup_cluster) AS rc_rows,
           (SELECT count(*) FROM (SELECT id, cluster FROM nd_result EXCEPT
                                  SELECT id, cluster FROM dedup_cluster)) AS only_nd,
           (SELECT count(*) FROM (SELECT id, cluster FROM dedup_cluster EXCEPT
                                  SELECT id, cluster FROM nd_result)) AS only_rc,
           (SELECT count(*) FROM nd_result WHERE keep) AS nd_kept
  } {}
  db close
  puts [format $fmt "near_duplicates" [format %.2f $wall] [format %.2f [expr {$user + $sys}]] \
          [format %.1f [expr {$rss_kb / 1024.0}]] $nd_rows nd_result]
  puts [format $fmt "the recipe (total of its steps)" [format %.2f $tot_wall] [format %.2f $tot_cpu] \
          [format %.1f $peak] $rc_rows dedup_cluster]
  puts [format "   wall time: near_duplicates %.2f s, the recipe %.2f s (%.2fx); %d groups" \
          $wall $tot_wall [expr {$tot_wall / max($wall, 1e-6)}] $nd_kept]
  puts "   same (id, cluster) rows as dedup_cluster: [expr {$only_nd == 0 && $only_rc == 0 ? "yes" : "NO ($only_nd rows only in nd_result, $only_rc only in dedup_cluster)"}]"
}

# ---------------------------------------------------------------- evaluation
if {$noeval} {
  if {!$keep} {
    open_db $lib $db_file
    drop_made
    db close
  }
  exit 0
}
open_db $lib $db_file
set t_eval [now]
puts ""
puts "== planted duplicates found (same cluster as their source; untimed)"
db eval {
  CREATE TEMP TABLE cl AS SELECT id, cluster FROM dedup_cluster;
  CREATE INDEX temp.cl_id ON cl(id);
  CREATE TEMP TABLE pj AS
    SELECT p.id, p.source_id, p.kind,
           jaccard(d.text, s.text) AS j,
           coalesce(ca.cluster = cb.cluster, 0) AS found
      FROM planted AS p
      JOIN docs AS d ON d.id = p.id
      JOIN docs AS s ON s.id = p.source_id
      LEFT JOIN cl AS ca ON ca.id = p.id
      LEFT JOIN cl AS cb ON cb.id = p.source_id;
}
set fmt2 "   %-22s %8s %8s %8s   %s"
puts [format $fmt2 kind planted found recall "exact Jaccard to the source: min / median / max"]
proc kind_line {label where} {
  db eval "SELECT count(*) AS c, sum(found) AS f, min(j) AS lo, max(j) AS hi FROM pj WHERE $where" {}
  if {$c == 0} return
  set med [db onecolumn "SELECT j FROM pj WHERE $where ORDER BY j LIMIT 1 OFFSET [expr {$c / 2}]"]
  puts [format $::fmt2 $label $c $f [format %.4f [expr {double($f) / $c}]] \
          [format "%.3f / %.3f / %.3f" $lo $med $hi]]
}
db eval {SELECT DISTINCT kind FROM pj ORDER BY kind = 'exact', kind} {
  lappend kinds $kind
}
foreach kind $kinds { kind_line $kind "kind = '$kind'" }
kind_line "all" 1
puts ""
puts [format $fmt2 "exact Jaccard" planted found recall ""]
foreach {label where} {
  "J = 1"          {j >= 1.0}
  "0.9 <= J < 1"   {j >= 0.9 AND j < 1.0}
  "0.8 <= J < 0.9" {j >= 0.8 AND j < 0.9}
  "0.7 <= J < 0.8" {j >= 0.7 AND j < 0.8}
  "0.5 <= J < 0.7" {j >= 0.5 AND j < 0.7}
  "J < 0.5"        {j < 0.5}
  "J >= 0.8 (target)" {j >= 0.8}
} {
  kind_line $label $where
}

puts ""
puts "== clusters"
db eval {
  CREATE TEMP TABLE grp AS
    SELECT c.id, c.cluster, coalesce(p.source_id, c.id) AS g
      FROM cl AS c LEFT JOIN planted AS p ON p.id = c.id;
  CREATE TEMP TABLE cstat AS
    SELECT cluster, count(*) AS size, count(DISTINCT g) AS groups
      FROM grp GROUP BY cluster;
}
db eval {
  SELECT count(*) AS nc, sum(size) AS nd, max(size) AS mx,
         sum(groups > 1) AS mixed, sum(CASE WHEN groups > 1 THEN size END) AS mixed_docs
    FROM cstat
} {}
set removed [expr {$ndocs - [db onecolumn {SELECT count(*) FROM docs_dedup}]}]
puts "   $nc clusters holding $nd documents (largest $mx); $removed documents removed"
puts "   [expr {$mixed eq {} ? 0 : $mixed}] clusters ([expr {$mixed_docs eq {} ? 0 : $mixed_docs}] documents) hold documents of more than one planted group"
puts "   (a planted group: an original and the duplicates planted from it)"
set cross [db onecolumn {
  SELECT count(*) FROM dedup_pair AS e
    JOIN grp AS a ON a.id = e.id_a JOIN grp AS b ON b.id = e.id_b
   WHERE a.g <> b.g
}]
puts "   verified pairs (dedup_pair) across planted groups: $cross"

# Exact Jaccard of a sample of pairs; prints a histogram.
proc check_pairs {label sql} {
  set n 0
  set hist [dict create hi 0 mid 0 lo 0]
  set corp [dict create]
  db eval $sql {
    set j [db onecolumn {
      SELECT jaccard(a.text, b.text) FROM docs AS a, docs AS b
       WHERE a.id = $id_a AND b.id = $id_b
    }]
    incr n
    if {$j >= 0.8} { dict incr hist hi } elseif {$j >= 0.5} { dict incr hist mid } else { dict incr hist lo }
    dict incr corp $corpus
  }
  if {$n == 0} { puts "   $label: none"; return }
  puts [format "   %s: %d checked: exact J >= 0.8: %d (%.1f%%), 0.5-0.8: %d, < 0.5: %d" \
          $label $n [dict get $hist hi] [expr {100.0 * [dict get $hist hi] / $n}] \
          [dict get $hist mid] [dict get $hist lo]]
  set parts {}
  dict for {c k} $corp { lappend parts "$c $k" }
  puts "     corpus of the first document: [join [lsort -integer -decreasing -index 1 $parts] {, }]"
}
check_pairs "cross-group verified pairs" "
  SELECT e.id_a, e.id_b, o.corpus FROM dedup_pair AS e
    JOIN grp AS a ON a.id = e.id_a JOIN grp AS b ON b.id = e.id_b
    JOIN origin AS o ON o.id = e.id_a
   WHERE a.g <> b.g
   ORDER BY xxh3(e.id_a || ',' || e.id_b) LIMIT $sample"
check_pairs "all verified pairs (random sample)" "
  SELECT e.id_a, e.id_b, o.corpus FROM dedup_pair AS e
    JOIN origin AS o ON o.id = e.id_a
   ORDER BY xxh3(e.id_a || ',' || e.id_b) LIMIT $sample"
puts [format "   (evaluation took %.0f s)" [expr {[now] - $t_eval}]]
db eval {DROP TABLE temp.cl; DROP TABLE temp.pj; DROP TABLE temp.grp; DROP TABLE temp.cstat}
if {!$keep} {
  drop_made
  puts "   (the recipe's tables were dropped; -keep keeps them)"
}
db close
