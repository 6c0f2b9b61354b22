# Language identification (issue 14): lang_id()'s accuracy on the
# multilingual test set (scripts/lang_testset.py) by text size, and its
# speed next to a plain scan measured in the same run; before that, CLD2
# next to libexttextcat called directly (bench/lang_compare.c), the
# figures the choice of CLD2 rests on.
#
#   tclsh bench/lang.tcl LIBRARY [-set SET.TSV] [-runs N]
#
# The set is built into SET.TSV (default dist/lang/set.tsv) when missing.
# The comparison needs libexttextcat-dev (apt-get install
# libexttextcat-dev); without it, it is skipped with a message.
package require sqlite3

set lib [lindex $argv 0]
set setfile dist/lang/set.tsv
set runs 3
foreach {k v} [lrange $argv 1 end] {
  switch -- $k {
    -set  { set setfile $v }
    -runs { set runs $v }
    default { puts stderr "usage: tclsh bench/lang.tcl LIBRARY \[-set SET.TSV\] \[-runs N\]"; exit 2 }
  }
}

if {![file exists $setfile]} {
  file mkdir [file dirname $setfile]
  puts "lang: building the test set into $setfile (scripts/lang_testset.py)"
  exec /usr/bin/python3 scripts/lang_testset.py > $setfile 2>@ stderr
}

puts "lang: [clock format [clock seconds] -gmt 1 -format {%Y-%m-%d %H:%M UTC}]"
catch {puts "cpu: [lindex [split [exec grep -m1 {model name} /proc/cpuinfo] :] 1]"}

# ---- CLD2 next to libexttextcat, each called directly -----------------------------

puts "\n== CLD2 next to libexttextcat (bench/lang_compare.c; accuracy, then MB/s; cld2-best: CLD2's best-effort flag, as lang_id calls it with min_score=0) =="
if {![file exists /usr/include/libexttextcat/textcat.h]} {
  puts "skipped: libexttextcat-dev is not installed (apt-get install libexttextcat-dev)"
} elseif {[catch {
  exec make -s dist/obj/lang_cld2.o
  exec cc -O2 -Iext -I/usr/include/libexttextcat -o dist/lang/lang_compare \
      bench/lang_compare.c dist/obj/lang_cld2.o \
      -Wl,--no-as-needed -lcld2_full -lcld2 -lexttextcat-2.0 -lstdc++
  # glibc's malloc would hand CLD2's per-call buffers (over 128 KB) back
  # to the kernel after every call, and the page faults would swamp both
  # libraries' figures: kept in the heap here (the SQL figures below are
  # without this)
  puts [exec env MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=134217728 \
            dist/lang/lang_compare $setfile]
} err]} {
  puts "lang_compare failed: $err"
}

# ---- lang_id through SQL ---------------------------------------------------------------

sqlite3 db :memory:
db enable_load_extension 1
db eval {SELECT load_extension($lib)}
db eval {CREATE TABLE s(id INTEGER PRIMARY KEY, lang TEXT, band TEXT, text TEXT)}
set f [open $setfile]
fconfigure $f -encoding utf-8
db transaction {
  while {[gets $f line] >= 0} {
    lassign [split $line \t] l b t
    db eval {INSERT INTO s(lang, band, text) VALUES($l, $b, $t)}
  }
}
close $f
# documents: ten long texts of one language joined, ~12 KB each
db eval {
  CREATE TABLE docs AS
  SELECT lang, 'doc' AS band, group_concat(text, char(10)) AS text
    FROM (SELECT lang, text, (row_number() OVER (PARTITION BY lang ORDER BY id) - 1) / 10 AS g
            FROM s WHERE band = 'long')
   GROUP BY lang, g;
  INSERT INTO s(lang, band, text) SELECT lang, band, text FROM docs;
}

proc best {sql} {
  set t Inf
  for {set i 0} {$i < $::runs} {incr i} {
    set t0 [clock microseconds]
    uplevel 1 [list db eval $sql]
    set t [expr {min($t, [clock microseconds] - $t0)}]
  }
  return [expr {$t / 1e6}]
}

puts "\n== lang_id() accuracy (min_score=0: CLD2's best guess; default: NULL below 0.5 counts wrong) =="
puts [format "%-7s %6s %8s %10s %10s %8s" size texts "bytes" "acc" "acc(def)" "NULL"]
db eval {
  SELECT band, count(*) AS n, avg(length(CAST(text AS BLOB))) AS bytes,
         avg(lang_id(text, 'min_score=0') IS lang) AS acc,
         avg(lang_id(text) IS lang) AS accd,
         avg(lang_id(text) IS NULL) AS nul
    FROM s GROUP BY band
   ORDER BY CASE band WHEN 'short' THEN 1 WHEN 'medium' THEN 2 WHEN 'long' THEN 3 ELSE 4 END
} r {
  puts [format "%-7s %6d %8.0f %10.4f %10.4f %8.4f" $r(band) $r(n) $r(bytes) $r(acc) $r(accd) $r(nul)]
}

puts "\n== lang_id() speed, best of $runs (MB = 10^6 bytes of text) =="
puts [format "%-7s %-40s %9s %9s" size query seconds MB/s]
foreach band {short medium long doc} {
  set mb [expr {[db onecolumn {SELECT sum(length(CAST(text AS BLOB))) FROM s WHERE band = $band}] / 1e6}]
  foreach {label sql} {
    "baseline: count(length(text))" {SELECT count(length(text)) FROM s WHERE band = $band}
    "count(lang_id(text))" {SELECT count(lang_id(text)) FROM s WHERE band = $band}
    "count(lang_id(text, 'sample=0'))" {SELECT count(lang_id(text, 'sample=0')) FROM s WHERE band = $band}
    "count(*) FROM lang_scores(text)" {SELECT count(*) FROM s, lang_scores(s.text) WHERE band = $band}
  } {
    set t [best $sql]
    puts [format "%-7s %-40s %9.3f %9.1f" $band $label $t [expr {$mb / $t}]]
  }
}
