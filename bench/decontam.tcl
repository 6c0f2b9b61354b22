# Decontamination on real text: an ngram_index of evaluation items cut from
# one corpus, items planted (verbatim and lightly edited) into the documents
# of other corpora, then the documents scanned with contamination() and
# cleaned with decontaminate().
#
#   tclsh bench/decontam.tcl LIB [-items N] [-plant K] [-n N] [-seed S]
#                            [-dir DIR] ITEMS.jsonl CORPUS.jsonl...
#
# Items: N (default 100,000) pieces of 40 words cut in order from the
# documents of ITEMS.jsonl (man pages: real, varied text).  K (default 1000)
# of them are planted into as many documents of the CORPUS files, one each,
# at a random word boundary; half verbatim, half edited: upper-cased, with
# punctuation added to every third word and one word in the middle replaced.
# Prints: index build time, rows and size on disk; scan speed in MB/s next
# to a plain scan of the same rows; the share of planted documents found
# (verbatim, edited) and of untouched documents with a match (false hits);
# decontaminate() speed and what it removed.  Figures, never a verdict.
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/decontam.tcl LIB \[-items N\] \[-plant K\] \[-n N\] \[-seed S\] \[-dir DIR\] ITEMS.jsonl CORPUS.jsonl..."
  exit 2
}
set nitems 100000
set nplant 1000
set n 13
set seed 1
set dir /tmp/corpus-bench
set files {}
if {[llength $argv] < 3} usage
set lib [lindex $argv 0]
for {set i 1} {$i < [llength $argv]} {incr i} {
  set a [lindex $argv $i]
  switch -- $a {
    -items { set nitems [lindex $argv [incr i]] }
    -plant { set nplant [lindex $argv [incr i]] }
    -n     { set n      [lindex $argv [incr i]] }
    -seed  { set seed   [lindex $argv [incr i]] }
    -dir   { set dir    [lindex $argv [incr i]] }
    default { if {[string match -* $a]} usage; lappend files $a }
  }
}
if {[llength $files] < 2} usage
expr {srand($seed)}
file mkdir $dir
set dbfile [file join $dir decontam.db]
file delete -force $dbfile
sqlite3 db $dbfile
db enable_load_extension 1
db eval {SELECT load_extension($lib)}
db eval {PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF}
puts "sqlite-corpus decontamination benchmark"
puts "date: [clock format [clock seconds] -format {%Y-%m-%d %H:%M:%S %Z}]; seed $seed; n=$n; items $nitems; planted $nplant"

# ---- items: 40-word pieces of the first file
set items {}
set f [open [lindex $files 0]]
fconfigure $f -encoding utf-8
while {[llength $items] < $nitems && [gets $f line] >= 0} {
  set words [regexp -all -inline {\S+} [db one {SELECT $line ->> '$.text'}]]
  for {set k 0} {$k + 40 <= [llength $words] && [llength $items] < $nitems} {incr k 40} {
    lappend items [join [lrange $words $k [expr {$k+39}]] " "]
  }
}
close $f
puts "items: [llength $items] pieces of 40 words from [file tail [lindex $files 0]]"

set t0 [clock microseconds]
db eval "CREATE VIRTUAL TABLE bench USING ngram_index(n=$n)"
db transaction {
  set id 0
  foreach it $items {
    incr id
    db eval {INSERT INTO bench(rowid, text, source) VALUES($id, $it, 'bench')}
  }
}
set build_s [expr {([clock microseconds] - $t0) / 1e6}]
set grams [db one {SELECT count(*) FROM bench_grams}]
db eval {VACUUM}
set size_mb [expr {[file size $dbfile] / 1e6}]
puts [format "index: built in %.1f s (%.0f items/s), %d n-gram rows, %.1f MB on disk (items' text included)" \
        $build_s [expr {[llength $items] / $build_s}] $grams $size_mb]

# ---- documents, with planted items
db eval {CREATE TEMP TABLE docs(id INTEGER PRIMARY KEY, text TEXT, planted INTEGER, edited INTEGER)}
db transaction {
  foreach file [lrange $files 1 end] {
    set f [open $file]
    fconfigure $f -encoding utf-8
    while {[gets $f line] >= 0} {
      db eval {INSERT INTO temp.docs(text) SELECT $line ->> '$.text'}
    }
    close $f
  }
}
set ndocs [db one {SELECT count(*) FROM temp.docs}]
proc edit {s} {
  set w [split [string toupper $s] " "]
  for {set k 0} {$k < [llength $w]} {incr k 3} { lset w $k "[lindex $w $k],." }
  lset w 20 "REPLACED"
  join $w " "
}
set chosen {}
while {[dict size $chosen] < min($nplant, $ndocs)} {
  dict set chosen [expr {1 + int(rand()*$ndocs)}] 1
}
set k 0
db transaction {
  foreach d [dict keys $chosen] {
    set item [expr {1 + int(rand()*[llength $items])}]
    set text [db one {SELECT text FROM temp.docs WHERE id = $d}]
    set edited [expr {$k % 2}]
    set it [lindex $items [expr {$item-1}]]
    if {$edited} { set it [edit $it] }
    set sp [regexp -all -indices -inline {\s} $text]
    set at [expr {[llength $sp] ? [lindex [lindex $sp [expr {int(rand()*[llength $sp])}]] 0] : 0}]
    set text "[string range $text 0 $at] $it [string range $text [expr {$at+1}] end]"
    db eval {UPDATE temp.docs SET text = $text, planted = $item, edited = $edited WHERE id = $d}
    incr k
  }
}
set mb [expr {[db one {SELECT sum(length(CAST(text AS BLOB))) FROM temp.docs}] / 1e6}]
puts [format "documents: %d (%.1f MB) from %s; %d with a planted item" $ndocs $mb \
        [join [lmap x [lrange $files 1 end] {file tail $x}] ", "] [dict size $chosen]]

# ---- scan
proc best {sql} {
  set best {}
  for {set r 0} {$r < 3} {incr r} {
    set t0 [clock microseconds]
    set res [db eval $sql]
    set dt [expr {([clock microseconds] - $t0) / 1e6}]
    if {$best eq "" || $dt < $best} { set best $dt }
  }
  list $best $res
}
lassign [best {SELECT count(length(text)) FROM temp.docs}] base_s
# a statement reads the index's hashes into memory once: timed alone
lassign [best {SELECT contamination('x', 'bench')}] load_s
lassign [best {SELECT count(contamination(text, 'bench')) FROM temp.docs}] scan_s
puts [format "scan: contamination() %.2f s in all: %.2f s reading the index's hashes once, then %.1f MB/s; plain scan %.1f MB/s" \
        $scan_s $load_s [expr {$mb / max($scan_s - $load_s, 1e-6)}] [expr {$mb / $base_s}]]
# the untouched documents alone: what a mostly clean corpus costs (each
# match is a lookup in the grams table, and the planted ones make many)
set cmb [expr {[db one {SELECT sum(length(CAST(text AS BLOB))) FROM temp.docs WHERE planted IS NULL}] / 1e6}]
lassign [best {SELECT count(contamination(text, 'bench')) FROM temp.docs WHERE planted IS NULL}] clean_scan_s
puts [format "scan of the %.1f MB of untouched documents alone: %.1f MB/s after the load" \
        $cmb [expr {$cmb / max($clean_scan_s - $load_s, 1e-6)}]]
db eval {
  CREATE TEMP TABLE hits AS
    SELECT d.id, d.planted, d.edited,
           (SELECT count(*) FROM json_each(contamination(d.text, 'bench'))) AS matches,
           (SELECT count(*) FROM json_each(contamination(d.text, 'bench')) AS m
              JOIN bench_grams AS g ON g.hash = m.value ->> '$.hash'
             WHERE g.item = d.planted) AS own
      FROM temp.docs AS d
}
db eval {
  SELECT sum(planted IS NOT NULL AND NOT edited) AS pv, sum(planted IS NOT NULL AND NOT edited AND own > 0) AS fv,
         sum(planted IS NOT NULL AND edited) AS pe, sum(planted IS NOT NULL AND edited AND own > 0) AS fe,
         sum(planted IS NULL) AS pu, sum(planted IS NULL AND matches > 0) AS fu
    FROM temp.hits
} {
  puts [format "recall: verbatim %d/%d (%.3f), edited %d/%d (%.3f); false hits: %d of %d untouched documents (%.4f)" \
          $fv $pv [expr {$pv ? double($fv)/$pv : 0}] $fe $pe [expr {$pe ? double($fe)/$pe : 0}] \
          $fu $pu [expr {$pu ? double($fu)/$pu : 0}]]
}
# edited items: those with letters beyond ASCII, which the upper-casing
# changes and the janitor's ASCII-only folding does not undo, apart
db eval {
  SELECT sum(NOT ascii) AS a1, sum(NOT ascii AND own > 0) AS a2, sum(ascii) AS a3,
         sum(ascii AND own > 0) AS a4 FROM (
    SELECT h.own, NOT (b.text GLOB ('*[^' || char(1) || '-' || char(127) || ']*')) AS ascii
      FROM temp.hits AS h JOIN bench AS b ON b.rowid = h.planted WHERE h.edited)
} {
  puts [format "edited items found: ASCII-only %d/%d; with other letters %d/%d" $a4 $a3 $a2 $a1]
} 
lassign [best {SELECT count(decontaminate(text, 'bench')) FROM temp.docs}] clean_s
db eval {
  SELECT sum(length(text)) AS before,
         sum(coalesce(length(decontaminate(text, 'bench')), 0)) AS after,
         sum(decontaminate(text, 'bench') IS NULL) AS dropped
    FROM temp.docs WHERE planted IS NOT NULL
} {
  puts [format "decontaminate(): %.1f MB/s after the load; on the planted documents %d of %d characters kept, %d documents dropped" \
          [expr {$mb / max($clean_s - $load_s, 1e-6)}] $after $before $dropped]
}
db close
file delete -force $dbfile
