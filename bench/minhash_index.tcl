# Benchmark of the persistent near-duplicate index, the minhash_index
# virtual table (issue 15): bulk insert throughput, query latency and
# database bytes per document at each -n indexed documents, each next to a
# baseline measured in the same run on plain tables, then datasketch's
# in-memory MinHashLSH on the same documents (bench/minhash_index_datasketch.py).
#
#   tclsh bench/minhash_index.tcl LIB [-n "100000 1000000"] [-queries Q]
#         [-cache "default -1000000"] [-text-cache "..."] [-dir DIR] [-seed S] [-regen]
#         [-corpora-dir DIR] [-python PATH] [-datasketch DIR]
#         [-datasketch-sign-n N] [-keep] [-prepare] [-docs M]
#
# LIB is the extension without its suffix (dist/corpus).  Figures, never a
# verdict: the issue's targets are printed next to them.
#
# Documents: bench/make_dupes.py (the pipeline benchmark's generator: real
# text of the ten corpora cut into paragraphs and joined into documents of
# 1-5 KB, 10% planted near-duplicates, 3% exact copies), max(-n) + Q
# documents (or -docs M, to reuse a larger file) in DIR/docs-M-sS.db, made
# when missing (untimed); -prepare makes the files and stops.  Q of them
# (default 10,000) are held out as queries: half are planted near-duplicates
# (any kind but exact copies) whose source is indexed at every -n, half are
# originals nothing was copied from ("new" texts).  The others, in id order,
# are the indexed documents: the first n of them at scale n.  Their
# signatures (minhash(text), the defaults: 128 slots, word 5-grams of the
# normalized text) are made once into DIR/mhi-prep-M-sS-qQ.db (untimed):
# ix(k, id, sig) with k = 1..M-Q, and q(k, id, kind, source_id, sig, text).
#
# At each n:
#  (a) inserts into a fresh database file, in one transaction, in statements
#      of 100,000 rows (INSERT INTO seen(rowid, sig) SELECT id, sig FROM
#      prep.ix WHERE k BETWEEN ...; the same with (rowid, text) from the
#      documents), for every -cache setting; the time includes COMMIT.  The
#      rate of each 100,000-row statement shows whether inserts stay linear.
#      Baselines: the same signatures into plain tables shaped like the
#      index's shadow tables (plain_sig(id INTEGER PRIMARY KEY, sig BLOB) and
#      plain_bucket(band, bucket, id, PRIMARY KEY(band, bucket, id)) WITHOUT
#      ROWID, filled from lsh_bands(sig, 16, 8)); sql/dedup.sql's way (CREATE
#      TABLE AS, then CREATE INDEX); and minhash(text) alone for the text
#      inserts.
#  (b) Q queries, each timed alone: SELECT rowid, similarity FROM seen WHERE
#      seen MATCH ? AND similarity >= 0.8 ORDER BY similarity DESC LIMIT 10,
#      with the query's signature and with its text (the text's time
#      includes signing it); the baseline is the same query on the plain
#      tables.  Their answers are compared.
#  (c) bytes per document: page_count * page_size before and after
#      'optimize' and VACUUM, and dbstat's bytes per table.
package require sqlite3
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/minhash_index.tcl LIB \[-n \"N...\"\] \[-queries Q\] \[-cache \"default|KIB...\"\] \[-text-cache \"...\"\] \[-dir DIR\] \[-seed S\] \[-regen\] \[-corpora-dir DIR\] \[-python PATH\] \[-datasketch DIR\] \[-datasketch-sign-n N\] \[-keep\] \[-prepare\] \[-docs M\]"
  exit 2
}

set ns {100000 1000000}
set nq 10000
set caches {default -1000000}
set text_caches ""
set dir /tmp/corpus-bench
set seed 1
set regen 0
set python /usr/bin/python3
set datasketch [expr {[info exists env(DATASKETCH_SRC)] ? $env(DATASKETCH_SRC) : "/tmp/datasketch"}]
set ds_sign_n 100000
set keep 0
set prepare_only 0
set pool ""
set corpora_dir [expr {[info exists env(CORPORA_DIR)] ? $env(CORPORA_DIR) : "/tmp/corpora"}]
set spec {-n ns -queries nq -cache caches -text-cache text_caches -dir dir -seed seed -regen {regen flag}
          -corpora-dir corpora_dir -python python -datasketch datasketch
          -datasketch-sign-n ds_sign_n -keep {keep flag} -prepare {prepare_only flag} -docs pool}
if {[llength [parse_args $argv $spec]]} usage
set lib [file normalize $lib]
foreach v {nq seed ds_sign_n} {
  if {![string is integer -strict [set $v]] || [set $v] < 0} usage
}
foreach n $ns {
  if {![string is integer -strict $n] || $n < 1} usage
}
if {$text_caches eq ""} { set text_caches $caches }
foreach c [concat $caches $text_caches] {
  if {$c ne "default" && ![string is integer -strict $c]} usage
}
set ns [lsort -integer -unique $ns]
set nmax [lindex $ns end]
set nmin [lindex $ns 0]
if {$nq % 2} { incr nq }

# The index's settings (the spec's defaults for threshold 0.8) and the
# issue's targets, printed next to the figures.
set bands 16
set rows 8
set sig_bytes 536
set chunk 100000
set qsql {SELECT rowid, similarity FROM seen WHERE seen MATCH @q AND similarity >= 0.8 ORDER BY similarity DESC LIMIT 10}
set qsql_text {SELECT rowid, similarity FROM seen WHERE seen MATCH $q AND similarity >= 0.8 ORDER BY similarity DESC LIMIT 10}
set qsql_plain {
  SELECT s.id, minhash_jaccard(s.sig, @q) AS sim FROM plain_sig AS s
   WHERE s.id IN (SELECT b.id FROM lsh_bands(@q, 16, 8) AS l
                    JOIN plain_bucket AS b ON b.band = l.band AND b.bucket = l.bucket)
     AND sim >= 0.8
   ORDER BY sim DESC LIMIT 10}

proc mb {bytes} { return [format %.1f [expr {$bytes / 1e6}]] }
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
# This process's resident set now and at its peak, in MB.
proc rss {} {
  set now ?; set peak ?
  if {![catch {open /proc/[pid]/status} f]} {
    while {[gets $f line] >= 0} {
      regexp {^VmRSS:\s*(\d+) kB} $line -> now
      regexp {^VmHWM:\s*(\d+) kB} $line -> peak
    }
    close $f
  }
  return [format "RSS %s MB, peak %s MB" [expr {$now eq "?" ? "?" : $now / 1000}] \
            [expr {$peak eq "?" ? "?" : $peak / 1000}]]
}
proc loadavg {} {
  if {[catch {open /proc/loadavg} f]} { return ? }
  set l [lrange [gets $f] 0 2]
  close $f
  return $l
}

header "sqlite-corpus minhash_index benchmark (issue 15)" 8
machine_fields " (one thread; load average at the start: [loadavg])"
field memory [mem_total]
field tcl "[info patchlevel], sqlite3 package [package require sqlite3]"
field settings "minhash_index(threshold=0.8): $bands bands x $rows rows of 128 slots, word 5-grams"
field targets "issue 15: >= 20,000 inserts/s (signatures precomputed), query p99 < 2 ms, bytes/doc <= 1.5 x (signature + one bucket entry per band)"

# ---------------------------------------------------------------- corpus
file mkdir $dir
set m [expr {$nmax + $nq}]
if {$pool ne ""} {
  if {![string is integer -strict $pool] || $pool < $m} usage
  set m $pool
}
set docs_file [file join $dir "docs-$m-s$seed.db"]
set prep_file [file join $dir "mhi-prep-$m-s$seed-q$nq.db"]
if {$regen || ![file exists $docs_file]} {
  puts "\n== generating $docs_file ($m documents, seed $seed; untimed)"
  set t0 [now]
  set cmd [list $python bench/make_dupes.py -n $m -o $docs_file --seed $seed \
             --corpora-dir $corpora_dir]
  if {[catch {exec {*}$cmd 2>@ stdout} err]} {
    puts stderr "minhash_index: the generator failed: $err"
    exit 1
  }
  puts [format "   generated in %.0f s" [expr {[now] - $t0}]]
  file delete $prep_file
}

open_db $lib
print_corpus_debug 1
set has_index [expr {![catch {
  db eval {CREATE VIRTUAL TABLE temp.probe USING minhash_index(threshold=0.8); DROP TABLE temp.probe}
} probe_err]}]
if {!$has_index} {
  puts "NOTE: this build has no minhash_index ($probe_err): only the baselines run"
}
db close

# The held-out queries and every signature, made once (untimed).
if {![file exists $prep_file]} {
  puts "\n== preparing $prep_file (signatures and queries; untimed)"
  set t0 [now]
  file delete $prep_file.tmp
  open_db $lib $prep_file.tmp
  db eval {PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF}
  db eval {ATTACH $docs_file AS src}
  set half [expr {$nq / 2}]
  # dup: planted near-duplicates (not exact copies) whose exact Jaccard
  # with their source is >= 0.8; their sources come first in ix, so that
  # they are indexed at every n; the others follow in id order
  db eval {
    CREATE TABLE qpick(id INTEGER PRIMARY KEY, kind TEXT, source_id INTEGER);
    INSERT INTO qpick
      SELECT p.id, 'dup', p.source_id FROM src.planted AS p
        JOIN src.docs AS a ON a.id = p.id JOIN src.docs AS b ON b.id = p.source_id
       WHERE p.kind <> 'exact' AND jaccard(a.text, b.text) >= 0.8
       ORDER BY xxh3(p.id || ':dup:' || $seed) LIMIT $half;
    INSERT INTO qpick
      SELECT d.id, 'new', NULL FROM src.docs AS d
       WHERE d.id NOT IN (SELECT id FROM src.planted)
         AND d.id NOT IN (SELECT source_id FROM src.planted)
       ORDER BY xxh3(d.id || ':new:' || $seed) LIMIT $half;
    CREATE TABLE ix(k INTEGER PRIMARY KEY, id INTEGER NOT NULL, sig BLOB);
    INSERT INTO ix(k, id, sig)
      SELECT row_number() OVER (ORDER BY d.id IN (SELECT source_id FROM qpick) DESC, d.id),
             d.id, minhash(d.text) FROM src.docs AS d
       WHERE d.id NOT IN (SELECT id FROM qpick);
    CREATE TABLE q(k INTEGER PRIMARY KEY, id INTEGER, kind TEXT, source_id INTEGER,
                   sig BLOB, text TEXT);
    INSERT INTO q(k, id, kind, source_id, sig, text)
      SELECT row_number() OVER (ORDER BY xxh3(p.id || ':order')), p.id, p.kind, p.source_id,
             minhash(d.text), d.text
        FROM qpick AS p JOIN src.docs AS d ON d.id = p.id;
    DROP TABLE qpick;
  }
  set got [db onecolumn {SELECT count(*) FROM q}]
  set ndocs_ix [db onecolumn {SELECT count(*) FROM ix}]
  db close
  if {$got != $nq || $ndocs_ix < $nmax} {
    puts stderr "minhash_index: only $got queries / $ndocs_ix indexable documents could be picked"
    exit 1
  }
  file rename -force $prep_file.tmp $prep_file
  puts [format "   prepared in %.0f s" [expr {[now] - $t0}]]
}

if {$prepare_only} {
  puts "-prepare: $docs_file and $prep_file are ready"
  exit 0
}

open_db $lib
db eval {ATTACH $docs_file AS src; ATTACH $prep_file AS prep}
db eval {
  SELECT count(*) AS nix, sum(minhash_info(sig) ->> '$.empty') AS nempty FROM prep.ix
} break
set qinfo [db eval {SELECT kind || ' ' || count(*) FROM prep.q GROUP BY kind ORDER BY kind}]
set near_kinds [db eval {
  SELECT p.kind || ' ' || count(*) FROM prep.q AS q JOIN src.planted AS p ON p.id = q.id
   GROUP BY p.kind ORDER BY p.kind}]
puts ""
puts "== documents: $docs_file"
puts "   bench/make_dupes.py, seed $seed: real text of [db onecolumn {SELECT value FROM src.bench_info WHERE key = 'corpora'}],"
puts "   [db onecolumn {SELECT count(*) FROM src.docs}] documents, of which $nq held out as queries ([join $qinfo {, }];"
puts "   the dup ones by planted kind: [join $near_kinds {, }]) and $nix indexable ($nempty with the empty signature)"
puts "   signatures and queries: $prep_file"
set text_mb {}
foreach n $ns {
  set b [db onecolumn {
    SELECT sum(length(CAST(d.text AS BLOB))) FROM prep.ix AS x JOIN src.docs AS d ON d.id = x.id
     WHERE x.k <= $n}]
  dict set text_mb $n [expr {$b / 1e6}]
  puts [format "   first %d indexed documents: %s MB of text (%.0f bytes a document)" \
          $n [mb $b] [expr {double($b) / $n}]]
}
set qtext [db onecolumn {SELECT sum(length(CAST(text AS BLOB))) FROM prep.q}]
puts [format "   queries: %s MB of text (%.0f bytes a query)" [mb $qtext] [expr {double($qtext) / $nq}]]
db close

# ---------------------------------------------------------------- helpers
proc cache_pragma {c} {
  if {$c eq "default"} { return "" }
  return "PRAGMA cache_size=$c;"
}
proc cache_label {c} {
  if {$c eq "default"} { return "default ([db onecolumn {PRAGMA cache_size}])" }
  return "$c ([expr {-$c / 1000}] MB)"
}
# A fresh database FILE with the extension and the two sources attached.
proc fresh_db {file c} {
  global lib docs_file prep_file
  foreach f [list $file $file-journal $file-wal $file-shm] { file delete $f }
  open_db $lib $file
  db eval [cache_pragma $c]
  db eval {ATTACH $docs_file AS src; ATTACH $prep_file AS prep}
}
proc chunks {n} {
  set out {}
  for {set lo 0} {$lo < $n} {incr lo $::chunk} {
    lappend out [list $lo [expr {min($lo + $::chunk, $n)}]]
  }
  return $out
}
# Runs the statements of BODY (a list of SQL, each with $lo and $hi) for
# every chunk of N rows in one transaction.  Returns {total_s chunk_s...}:
# the total includes BEGIN and COMMIT.
proc timed_load {n body} {
  set t0 [now]
  db eval BEGIN
  set per {}
  foreach ch [chunks $n] {
    lassign $ch lo hi
    set c0 [now]
    foreach sql $body { db eval $sql }
    lappend per [expr {[now] - $c0}]
  }
  set c0 [now]
  db eval COMMIT
  set commit [expr {[now] - $c0}]
  return [list [expr {[now] - $t0}] $commit $per]
}
proc rate {n s} { return [format %.0f [expr {$n / max($s, 1e-6)}]] }
set ifmt "   %-62s %9s %10s  %s"
proc iline {what n res {note ""}} {
  lassign $res total commit per
  puts [format $::ifmt $what [format %.2f $total] [rate $n $total] \
          [string trim "commit [format %.2f $commit] s $note"]]
}
# per-100,000-row statement rates, kept for the linearity table
set chunk_rates [dict create]
proc keep_chunks {key n res} {
  lassign $res total commit per
  set i 0
  set out {}
  foreach ch [chunks $n] s $per {
    lassign $ch lo hi
    lappend out [expr {($hi - $lo) / max($s, 1e-6)}]
  }
  dict set ::chunk_rates $key $out
}
proc db_bytes {} {
  return [expr {[db onecolumn {PRAGMA page_count}] * [db onecolumn {PRAGMA page_size}]}]
}
proc dbstat_lines {n} {
  if {[catch {db eval {SELECT name, sum(pgsize) AS b FROM dbstat('main') GROUP BY name ORDER BY b DESC}} r]} {
    puts "      dbstat: $r"
    return
  }
  foreach {name b} $r {
    puts [format "      %-28s %12d bytes  %8.1f bytes/doc" $name $b [expr {double($b) / $n}]]
  }
}
proc pct {sorted p} {
  set k [expr {int(ceil($p * [llength $sorted])) - 1}]
  return [lindex $sorted [expr {max(0, min($k, [llength $sorted] - 1))}]]
}
proc lat_line {what times} {
  set s [lsort -real $times]
  set sum 0.0
  foreach t $s { set sum [expr {$sum + $t}] }
  puts [format "   %-44s %8.3f %8.3f %8.3f %8.3f %8.3f" $what \
          [expr {[pct $s 0.5] * 1e3}] [expr {[pct $s 0.9] * 1e3}] \
          [expr {[pct $s 0.99] * 1e3}] [expr {[lindex $s end] * 1e3}] \
          [expr {$sum / [llength $s] * 1e3}]]
}

# ---------------------------------------------------------------- queries
# Loads the queries: lists of kind, id, sig, text in the order of q.k.
proc load_queries {} {
  global qk qid qsig qtxt
  set qk {}; set qid {}; set qsig {}; set qtxt {}
  db eval {SELECT kind, id, sig, text FROM prep.q ORDER BY k} {
    lappend qk $kind; lappend qid $id; lappend qsig $sig; lappend qtxt $text
  }
}
# Runs SQL once per query (the signature as @q, or the text as $q) and
# returns {times_by_kind answers}: each query timed alone, wall clock.
proc run_queries {sql what} {
  global qk qsig qtxt
  set times [dict create dup {} new {}]
  set answers {}
  foreach kind $qk sig $qsig text $qtxt {
    set q [expr {$what eq "text" ? $text : $sig}]
    set t0 [clock microseconds]
    set r [db eval $sql]
    dict lappend times $kind [expr {([clock microseconds] - $t0) / 1e6}]
    lappend answers $r
  }
  return [list $times $answers]
}
# The answers as compared: the rowids when all above the cut are there (fewer
# than 10), else the similarities only (ties at the 10th may differ).
proc canon {ans} {
  set ids {}; set sims {}
  foreach {id s} $ans { lappend ids $id; lappend sims [format %.6f $s] }
  if {[llength $ids] < 10} { return [list [lsort -integer $ids] [lsort -real $sims]] }
  return [list * [lsort -real $sims]]
}
proc answer_stats {answers} {
  global qk
  set hit [dict create dup 0 new 0]
  set rows 0
  set sum 0.0
  foreach kind $qk ans $answers {
    if {[llength $ans]} { dict incr hit $kind }
    incr rows [expr {[llength $ans] / 2}]
    foreach {id s} $ans { set sum [expr {$sum + $s}] }
  }
  return [format "%d of %d dup queries and %d of %d new ones found a row >= 0.8; %d rows in all, similarities summing to %.4f" \
            [dict get $hit dup] [expr {$::nq / 2}] [dict get $hit new] [expr {$::nq / 2}] $rows $sum]
}
proc compare_answers {a b} {
  set diff 0
  set first ""
  set i 0
  foreach x $a y $b {
    if {[canon $x] ne [canon $y]} {
      incr diff
      if {$first eq ""} { set first "query id [lindex $::qid $i]: {$x} vs {$y}" }
    }
    incr i
  }
  if {$diff == 0} { return "same answers" }
  return "$diff answers differ, e.g. $first"
}
proc latency_table {label res} {
  lassign $res times answers
  lat_line "$label, dup queries" [dict get $times dup]
  lat_line "$label, new queries" [dict get $times new]
  lat_line "$label, all" [concat [dict get $times dup] [dict get $times new]]
}

# ---------------------------------------------------------------- runs
set total0 [now]
set size_rows {}
set insert_rows {}
foreach n $ns {
  set mbn [dict get $text_mb $n]
  puts ""
  puts [format "== %d indexed documents (%.0f MB of text)" $n $mbn]
  puts "   (a) bulk inserts into a fresh file, one transaction, statements of $chunk rows;\
        the time includes COMMIT (journal_mode=delete, synchronous=full: the defaults)"
  puts [format $ifmt "what" seconds "docs/s" ""]
  set kept_index ""
  set kept_plain ""
  foreach c $caches {
    # the index, signatures precomputed
    if {$has_index} {
      set f [file join $dir "mhi-index-$n-[string map {- m} $c].db"]
      fresh_db $f $c
      set cl [cache_label $c]
      db eval {CREATE VIRTUAL TABLE seen USING minhash_index(threshold=0.8)}
      set res [timed_load $n {{INSERT INTO seen(rowid, sig) SELECT id, sig FROM prep.ix WHERE k > $lo AND k <= $hi}}]
      iline "index, rowid+sig, cache_size $cl" $n $res "[rss]"
      keep_chunks "index sig $c" $n $res
      dict set insert_rows "$n index-sig $c" [lindex $res 0]
      db close
      if {$kept_index eq ""} { set kept_index $f } else { file delete $f }

      # the index, texts (signed as they go in)
      if {$c in $text_caches} {
        set f [file join $dir "mhi-text-$n-[string map {- m} $c].db"]
        fresh_db $f $c
        db eval {CREATE VIRTUAL TABLE seen USING minhash_index(threshold=0.8)}
        set res [timed_load $n {{INSERT INTO seen(rowid, text) SELECT x.id, d.text FROM prep.ix AS x JOIN src.docs AS d ON d.id = x.id WHERE x.k > $lo AND x.k <= $hi}}]
        iline "index, rowid+text, cache_size $cl" $n $res \
          [format "%.0f MB/s of text; %s" [expr {$mbn / [lindex $res 0]}] [rss]]
        keep_chunks "index text $c" $n $res
        dict set insert_rows "$n index-text $c" [lindex $res 0]
        set same [db onecolumn {
          SELECT count(*) FROM seen_sig AS s JOIN prep.ix AS x ON x.id = s.id WHERE x.sig IS NOT s.sig}]
        if {$same != 0} { puts "   NOTE: $same signatures signed from the text differ from minhash(text)" }
        db close
        file delete $f
      }
    }

    # the baseline: the same signatures and their band keys into plain tables
    set f [file join $dir "mhi-plain-$n-[string map {- m} $c].db"]
    fresh_db $f $c
    set cl [cache_label $c]
    db eval {
      CREATE TABLE plain_sig(id INTEGER PRIMARY KEY, sig BLOB);
      CREATE TABLE plain_bucket(band INTEGER, bucket INTEGER, id INTEGER,
                                PRIMARY KEY(band, bucket, id)) WITHOUT ROWID;
    }
    set sig_s 0.0
    set t0 [now]
    db eval BEGIN
    set per {}
    foreach ch [chunks $n] {
      lassign $ch lo hi
      set c0 [now]
      db eval {INSERT INTO plain_sig(id, sig) SELECT id, sig FROM prep.ix WHERE k > $lo AND k <= $hi}
      set c1 [now]
      db eval {INSERT INTO plain_bucket(band, bucket, id)
                 SELECT b.band, b.bucket, x.id FROM prep.ix AS x, lsh_bands(x.sig, 16, 8) AS b
                  WHERE x.k > $lo AND x.k <= $hi}
      set sig_s [expr {$sig_s + $c1 - $c0}]
      lappend per [expr {[now] - $c0}]
    }
    set c0 [now]
    db eval COMMIT
    set res [list [expr {[now] - $t0}] [expr {[now] - $c0}] $per]
    iline "baseline: plain_sig + plain_bucket (indexed), cache $cl" $n $res \
      [format "of which plain_sig alone %.2f s (%s docs/s)" $sig_s [rate $n $sig_s]]
    keep_chunks "plain $c" $n $res
    dict set insert_rows "$n plain $c" [lindex $res 0]
    db close
    if {$kept_plain eq ""} { set kept_plain $f } else { file delete $f }
  }

  # sql/dedup.sql's way: the band table first, its index after
  set f [file join $dir "mhi-recipe-$n.db"]
  fresh_db $f default
  set t0 [now]
  db eval {
    BEGIN;
    CREATE TABLE r_sig AS SELECT id, sig FROM prep.ix WHERE k <= $n;
    CREATE TABLE r_band AS SELECT b.band AS band, b.bucket AS bucket, s.id AS id
      FROM r_sig AS s, lsh_bands(s.sig, 16, 8) AS b;
    CREATE INDEX r_band_key ON r_band(band, bucket, id);
    COMMIT;
  }
  set s [expr {[now] - $t0}]
  puts [format $ifmt "baseline: sql/dedup.sql's steps 1-2 on signatures, default" \
          [format %.2f $s] [rate $n $s] "CREATE TABLE AS, then CREATE INDEX"]
  db close
  file delete $f

  # signing alone, the floor of the text inserts
  open_db $lib
  db eval {ATTACH $docs_file AS src; ATTACH $prep_file AS prep}
  set t0 [now]
  db eval {SELECT count(minhash(d.text)) FROM prep.ix AS x JOIN src.docs AS d ON d.id = x.id WHERE x.k <= $n}
  set s [expr {[now] - $t0}]
  puts [format $ifmt "baseline: minhash(text) alone, no write" [format %.2f $s] [rate $n $s] \
          [format "%.0f MB/s of text" [expr {$mbn / $s}]]]
  db close

  if {!$has_index} continue

  # (b) queries on the index made from signatures (first cache setting),
  # a fresh connection with the default cache; the baseline on the plain tables
  puts ""
  puts "   (b) $nq queries, each timed alone (wall clock, Tcl's db eval included), fresh connection, default cache_size:"
  puts "       $qsql"
  puts "       a text query's time includes signing it; the baseline is the same query on plain_sig/plain_bucket:"
  puts "       [string trim [regsub -all {\s+} $qsql_plain { }]]"
  open_db $lib $kept_index
  db eval {ATTACH $prep_file AS prep}
  load_queries
  # candidates per query (untimed): MATCH without the similarity cut
  set cand 0
  set candmax 0
  foreach sig $qsig {
    set c [db onecolumn {SELECT count(*) FROM seen WHERE seen MATCH @sig}]
    incr cand $c
    set candmax [expr {max($candmax, $c)}]
  }
  set rs [run_queries $qsql sig]
  set rt [run_queries $qsql_text text]
  db close
  open_db $lib $kept_plain
  db eval {ATTACH $prep_file AS prep}
  set rp [run_queries $qsql_plain sig]
  db close
  puts [format "   %-44s %8s %8s %8s %8s %8s" "ms per query" p50 p90 p99 max mean]
  latency_table "index, signature" $rs
  latency_table "index, text (signing included)" $rt
  latency_table "baseline: plain tables, signature" $rp
  puts "   target (issue 15): p99 < 2 ms"
  puts [format "   candidates (MATCH without the cut): %.1f a query on average, at most %d" \
          [expr {double($cand) / $nq}] $candmax]
  puts "   answers, index by signature: [answer_stats [lindex $rs 1]]"
  puts "   index by text vs by signature: [compare_answers [lindex $rt 1] [lindex $rs 1]]"
  puts "   index vs baseline: [compare_answers [lindex $rs 1] [lindex $rp 1]]"
  set ::answers_$n [lindex $rs 1]

  # (c) size
  puts ""
  puts "   (c) database bytes (the index built from signatures, cache_size [lindex $caches 0]; the baseline's plain tables):"
  open_db $lib $kept_index
  set b0 [db_bytes]
  set t0 [now]
  if {[catch {db eval {INSERT INTO seen(seen) VALUES('integrity-check')}} err]} {
    puts [format "   integrity-check: ERROR after %.1f s: %s" [expr {[now] - $t0}] $err]
  } else {
    puts [format "   integrity-check: ok in %.1f s" [expr {[now] - $t0}]]
  }
  set t0 [now]
  if {[catch {db eval {INSERT INTO seen(seen) VALUES('optimize')}} err]} {
    puts "   optimize: ERROR $err"
  }
  set t_opt [expr {[now] - $t0}]
  set b1 [db_bytes]
  set t0 [now]
  db eval VACUUM
  set t_vac [expr {[now] - $t0}]
  set b2 [db_bytes]
  puts [format "   index file: %s MB as loaded (%.0f bytes/doc), %s MB after 'optimize' (%.1f s), %s MB after VACUUM (%.1f s): %.0f bytes/doc" \
          [mb $b0] [expr {double($b0) / $n}] [mb $b1] $t_opt [mb $b2] $t_vac [expr {double($b2) / $n}]]
  dbstat_lines $n
  db eval {
    SELECT count(*) AS nb, avg(length(CAST(bucket AS BLOB))) AS x FROM seen_bucket
  } break
  puts [format "      seen_bucket holds %d rows (%.2f a document)" $nb [expr {double($nb) / $n}]]
  db close
  set yard [expr {$sig_bytes + $bands * 12}]
  puts [format "   yardstick: signature %d bytes (minhash()'s BLOB: 24-byte header + 128 x 4) + %d bands x 12 bytes (a bucket entry:" $sig_bytes $bands]
  puts [format "      an 8-byte key and a 4-byte id, the band implied) = %d bytes/doc; 1.5x = %.0f; measured %.2fx" \
          $yard [expr {1.5 * $yard}] [expr {double($b2) / $n / $yard}]]
  open_db $lib $kept_plain
  db eval VACUUM
  set bp [db_bytes]
  puts [format "   baseline plain tables after VACUUM: %s MB, %.0f bytes/doc (%.2fx the yardstick)" \
          [mb $bp] [expr {double($bp) / $n}] [expr {double($bp) / $n / $yard}]]
  dbstat_lines $n
  db close
  lappend size_rows [list $n [expr {double($b2) / $n}] [expr {double($bp) / $n}]]
  if {!$keep} { file delete $kept_index $kept_plain }
  puts [format "   (so far %.0f s; %s)" [expr {[now] - $total0}] [rss]]
}

# ---------------------------------------------------------------- linearity
if {[llength $ns] > 1} {
  puts ""
  puts "== (d) linearity: docs/s of the whole load at each n, and of each $chunk-row statement of the largest"
  set keys [lsort -unique [lmap k [dict keys $insert_rows] {lrange $k 1 end}]]
  puts -nonewline [format "   %-28s" "load"]
  foreach n $ns { puts -nonewline [format " %12s" "n=$n"] }
  puts [format " %10s" "ratio"]
  foreach k $keys {
    puts -nonewline [format "   %-28s" $k]
    set r {}
    foreach n $ns {
      if {[dict exists $insert_rows "$n $k"]} {
        set x [expr {$n / [dict get $insert_rows "$n $k"]}]
        lappend r $x
        puts -nonewline [format " %12.0f" $x]
      } else {
        puts -nonewline [format " %12s" -]
      }
    }
    if {[llength $r] > 1} {
      puts [format " %10.2f" [expr {[lindex $r end] / [lindex $r 0]}]]
    } else {
      puts ""
    }
  }
  puts "   ratio: docs/s at the largest n over docs/s at the smallest (1.00 = linear)"
  puts "   each statement of $chunk rows of the n=$nmax loads, docs/s, in order:"
  dict for {k rates} $chunk_rates {
    puts [format "   %-20s %s" $k [join [lmap x $rates {format %.0f $x}] " "]]
  }
}
puts [format "\ntotal (Tcl part): %.0f s; %s" [expr {[now] - $total0}] [rss]]

# ---------------------------------------------------------------- datasketch
puts ""
if {![file exists [file join $datasketch datasketch lsh.py]]} {
  puts "== datasketch: not found in $datasketch; skipped.  To get it (public source, not vendored):"
  puts "   git clone https://github.com/ekzhu/datasketch $datasketch   (and apt-get install python3-numpy python3-scipy)"
} else {
  set cmd [list $python bench/minhash_index_datasketch.py --datasketch $datasketch \
             --lib $lib --docs $docs_file --prep $prep_file --n [join $ns ,] \
             --sign-n $ds_sign_n]
  if {[catch {exec {*}$cmd 2>@ stdout >@ stdout} err]} {
    puts "datasketch run failed: $err"
  }
}
