# The verification step of near-duplicate removal (sql/dedup.sql's step 4)
# as the corpus grows, on a quarter, a half and all of the documents: as
# the recipe verified before issue 18 (jaccard() of every candidate: both
# texts read and shingled for each pair, the baseline), with dedup_verify()
# (each text read and shingled once; skip=none verifies every candidate,
# skip=connected, the default, skips those whose two documents are already
# joined), the docs query alone (reading the texts), and near_duplicates()
# end to end.  Families of similar documents
# (generated manual pages, templated mail) make candidate pairs grow with
# the square of a family; the skipping verification should grow with the
# documents.
#
#   tclsh bench/verify.tcl LIB [-runs R] [-db FILE] FILE.jsonl...
#
# The documents: every line of the JSONL files ({"text": ...}), numbered in
# file order; "a quarter" is the documents whose number is 0 mod 4, so each
# fraction takes from every file.  For each fraction the recipe runs once,
# untimed, to make its candidates (dedup_candidate), then each way runs,
# timed (the best of R runs, default 1).  Figures, never a verdict; the
# clusters of the ways are compared (untimed), and a difference printed.
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/verify.tcl LIB \[-runs R\] \[-db FILE\] FILE.jsonl..."
  exit 2
}
set runs 1
set dbfile /tmp/corpus-bench/verify.db
set files [parse_args $argv {-runs runs -db dbfile}]
if {[llength $files] == 0} usage

header "verify: step 4 of sql/dedup.sql as documents grow (bench/verify.tcl)" 8
machine_fields " (one used)"
field files [join [lmap f $files {file rootname [file tail $f]}] " "]
field runs "$runs (best time)"
file mkdir [file dirname $dbfile]
file delete -force $dbfile
open_db $lib $dbfile
print_corpus_debug 1

db eval {CREATE TABLE all_docs(n INTEGER PRIMARY KEY, text TEXT)}
set t0 [now]
foreach f $files {
  db eval {INSERT INTO all_docs(text) SELECT json ->> '$.text' FROM read_jsonl($f)}
}
lassign [db eval {SELECT count(*), sum(length(CAST(text AS BLOB))) FROM all_docs}] total bytes
puts [format "== %d documents, %.1f MB of text (loaded in %.1f s)" $total \
        [expr {$bytes / 1e6}] [expr {[now] - $t0}]]

set root [file dirname [file dirname [file normalize [info script]]]]
set fh [open [file join $root sql dedup.sql]]
set recipe [read $fh]
close $fh

# Step 4 as the recipe before issue 18 wrote it: jaccard() of every
# candidate, each text read and shingled once per pair.
set per_pair {SELECT count(*) FROM dedup_candidate AS c
               JOIN dedup_id AS ia ON ia.n = c.n_a
               JOIN dedup_id AS ib ON ib.n = c.n_b
               JOIN docs AS a ON a.id = ia.id
               JOIN docs AS b ON b.id = ib.id
              WHERE jaccard(a.text, b.text, (SELECT printf('ngram=%d', ngram) FROM dedup_settings))
                    >= (SELECT threshold FROM dedup_settings)}
# Step 4 as it is: dedup_verify(), each text read and shingled once.
set pairs_q {SELECT n_a, n_b FROM dedup_candidate}
set docs_q {SELECT m.n, d.text FROM dedup_id AS m JOIN docs AS d ON d.id = m.id
             WHERE m.n IN (SELECT n_a FROM dedup_candidate UNION ALL SELECT n_b FROM dedup_candidate)
             ORDER BY m.n}

puts ""
puts "   seconds of step 4 (candidates verified at the recipe's settings) and of"
puts "   near_duplicates() end to end; us/doc: microseconds per document"
puts [format "   %-8s %6s %7s %8s | %-16s | %-16s | %-16s | %-16s | %-8s" "" "" "" "" \
        "jaccard() a pair" "dedup_verify()" "dedup_verify()" "docs query" "near_dup"]
puts [format "   %-8s %6s %7s %8s | %-16s | %-16s | %-16s | %-16s | %-8s" "" "" "" "" \
        "(before)" "skip=none" "skip=connected" "alone" "licates()"]
puts [format "   %-8s %6s %7s %8s | %7s %8s | %7s %8s | %7s %8s | %7s %8s | %8s" fraction docs \
        cand pairs s us/doc s us/doc s us/doc s us/doc s]
foreach {label k} {quarter 1 half 2 all 4} {
  db eval {
    DROP TABLE IF EXISTS docs;
    CREATE TABLE docs(id INTEGER PRIMARY KEY, text TEXT);
    INSERT INTO docs SELECT n, text FROM all_docs WHERE n % 4 < CAST($k AS INTEGER);
  }
  db eval $recipe
  set ndocs [db onecolumn {SELECT count(*) FROM docs}]
  set ncand [db onecolumn {SELECT count(*) FROM dedup_candidate}]
  set opts [db onecolumn {SELECT printf('threshold=%!.17g ngram=%d', threshold, ngram) FROM dedup_settings}]
  set out [list $label $ndocs $ncand]
  lassign [time_query $per_pair] s npairs
  lappend out $npairs $s
  set clusters {}
  foreach skip {none connected} {
    lassign [time_query {SELECT count(*) FROM dedup_verify($pairs_q, $docs_q, $opts || ' skip=' || $skip)}] s n
    if {$skip eq "none" && $n != $npairs} { puts "   !! skip=none gave $n pairs, jaccard() $npairs" }
    lappend clusters [db eval {
      SELECT id, cluster FROM dedup_clusters(
        'SELECT a, b FROM dedup_verify(' || quote($pairs_q) || ', ' || quote($docs_q) || ', '
          || quote($opts || ' skip=' || $skip) || ')')
    }]
    lappend out $s
  }
  # the docs query alone: reading the texts, the floor of dedup_verify
  lassign [time_query "SELECT count(*) FROM ($docs_q) WHERE instr(text, 'zqzq') > 0"] s n
  lappend out $s
  set ndopts [db onecolumn {
    SELECT printf('threshold=%!.17g num_perm=%d ngram=%d bands=%d rows=%d all_pairs=%d',
                  threshold, num_perm, ngram, bands, rows, all_pairs) FROM dedup_settings}]
  lassign [time_query {SELECT count(*) FROM near_duplicates('docs', $ndopts)}] nds ndrows
  lassign $out l nd nc np s0 s1 s2 s3
  set us [lmap x [list $s0 $s1 $s2 $s3] {expr {$x * 1e6 / $nd}}]
  puts [format "   %-8s %6d %7d %8d | %7.2f %8.1f | %7.2f %8.1f | %7.2f %8.1f | %7.2f %8.1f | %8.2f" \
          $l $nd $nc $np $s0 [lindex $us 0] $s1 [lindex $us 1] $s2 [lindex $us 2] $s3 [lindex $us 3] $nds]
  if {[lindex $clusters 0] ne [lindex $clusters 1]} {
    puts "   !! the clusters of skip=none and skip=connected differ"
  }
  set want [db eval {SELECT id, cluster FROM dedup_cluster ORDER BY id}]
  if {$want ne [db eval {SELECT id, cluster FROM near_duplicates('docs', $ndopts)}]} {
    puts "   !! near_duplicates() and the recipe differ"
  }
}
puts ""
puts "   cand: candidate pairs; pairs: those at or above the threshold.  Constant"
puts "   us/doc is linear growth.  'docs query alone' reads the texts dedup_verify()"
puts "   reads, without shingling them."
db close
file delete -force $dbfile
