# pii_redact() and pii_spans(): precision and recall per kind on a planted
# set (test/pii_gen.tcl: real paragraphs of the corpora with generated
# e-mail addresses, IPs, phone numbers, card numbers and IBANs planted at
# recorded offsets, and distractors), then speed on the corpora as they
# are, next to a baseline measured in the same run.
#
#   tclsh bench/pii.tcl LIB [-seed N] [-docs N] [-runs N] [-cap-mb N] CORPUS...
#
# LIB is the extension without its suffix (dist/corpus); a CORPUS is a
# JSONL file ({"id","text"} per line).  The seed (default: from the clock)
# is printed, so that a set can be made again.  The output is figures,
# never a verdict.
package require sqlite3
set here [file dirname [info script]]
source [file join $here lib.tcl]
source [file join $here .. test pii_gen.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/pii.tcl LIB \[-seed N\] \[-docs N\] \[-runs N\] \[-cap-mb N\] CORPUS..."
  exit 2
}
set seed [expr {[clock microseconds] % 1000000007}]
set ndocs 5000
set runs 3
set cap_mb 50
set files [parse_args $argv {-seed seed -docs ndocs -runs runs -cap-mb cap_mb}]
if {![llength $files]} usage
foreach v {seed ndocs runs} {
  if {![string is integer -strict [set $v]]} usage
}
open_db $lib

header "sqlite-corpus pii benchmark" 7
machine_fields

# ---- Precision and recall on the planted set ------------------------------------

# The base paragraphs: the first 2 MB of each corpus.
set texts {}
foreach f $files {
  load_jsonl $f 2000000
  lappend texts {*}[db eval {SELECT text FROM docs}]
}
set paragraphs [pii_gen_paragraphs {*}$texts]
expr {srand($seed)}
set set [pii_gen_set $paragraphs $ndocs]
set nplanted 0
foreach e $set { incr nplanted [llength [lindex $e 1]] }
puts ""
puts "planted set: seed $seed, $ndocs documents from [llength $paragraphs] base paragraphs, $nplanted items"
puts "(tclsh bench/pii.tcl $lib -seed $seed -docs $ndocs ... makes it again)"
set score [pii_gen_score db $set "" samples]
puts [format "%-6s %7s %6s %6s %9s %7s" kind planted found wrong precision recall]
dict for {k v} $score {
  lassign $v tp fp fn
  lassign [pii_gen_pr $v] p r
  puts [format "%-6s %7d %6d %6d %9.4f %7.4f" $k [expr {$tp + $fn}] [expr {$tp + $fp}] $fp $p $r]
}
foreach s $samples {
  lassign $s d kind start e text what
  puts "  $what: doc $d $kind \[$start,$e) [string map {"\n" " "} $text]"
}

# ---- Speed on the corpora --------------------------------------------------------

# A row of timings of the docs table.
proc speed_row {name bytes} {
  set mb [expr {$bytes / 1e6}]
  set tb [lindex [time_query {SELECT count(length(text)) FROM docs} $::runs] 0]
  set tr [lindex [time_query {SELECT count(pii_redact(text)) FROM docs} $::runs] 0]
  set ts [lindex [time_query {SELECT count(*) FROM docs, pii_spans(docs.text)} $::runs] 0]
  set nspans [db onecolumn {SELECT count(*) FROM docs, pii_spans(docs.text)}]
  puts [format "%-16s %8.1f %12s %12s %12s %8d" $name $mb \
          "[fmt_rate [expr {$mb / $tb}]] MB/s" "[fmt_rate [expr {$mb / $tr}]] MB/s" \
          "[fmt_rate [expr {$mb / $ts}]] MB/s" $nspans]
}

puts ""
puts [format "%-16s %8s %12s %12s %12s %8s" corpus MB baseline pii_redact pii_spans spans]
# Text without personal data: the base paragraphs (nothing like any kind
# in them), as documents of about 4 KB.
new_docs
set doc ""
db transaction {
  foreach p $paragraphs {
    append doc $p "\n\n"
    if {[string length $doc] > 4000} {
      db eval {INSERT INTO docs(text) VALUES ($doc)}
      set doc ""
    }
  }
}
speed_row "no PII" [db onecolumn {SELECT sum(length(CAST(text AS BLOB))) FROM docs}]
foreach f $files {
  lassign [load_jsonl $f [expr {wide($cap_mb * 1e6)}]] n bytes
  speed_row [file rootname [file tail $f]] $bytes
}
puts "baseline: count(length(text)), which reads every byte of every text"
puts "no PII: the planted set's base paragraphs (nothing like any kind in them), 4 KB documents"
