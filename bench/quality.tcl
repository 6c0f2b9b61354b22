# Precision and recall of the near-duplicate pipeline (sql/dedup.sql,
# threshold 0.8) on real corpora with natural near-duplicates, against the
# exact truth: every pair of documents whose 5-word shingle sets (the
# shingles of minhash()'s defaults: ngrams(normalize(text), 5)) have
# Jaccard >= 0.8.
#
#   tclsh bench/quality.tcl LIB [-recipe FILE] [-sample K] [-only GLOB] CORPUS...
#
# LIB is the extension without its suffix (dist/corpus); a CORPUS is a JSONL
# file ({"id","text"} per line), loaded whole into an in-memory table
# docs(id, text).  -only runs the variants whose name matches GLOB.
#
# The truth, computed exactly in SQL (no MinHash, no jaccard()):
#   - documents with the same normalized text have the same shingle set:
#     they are grouped, and one representative (the least id) stands for
#     the group (exact: J = 1 inside a group when the set is not empty);
#   - sh(doc, hash) = the distinct shingle hashes of each representative,
#     n(doc) their count;
#   - intersections by a self-join of sh on hash over every pair of
#     representatives with min(n) >= 0.8 max(n) (exact: J <= min/max), no
#     shingle left out, whatever its frequency;
#   - a pair is true when 5*inter >= 4*(na + nb - inter), i.e. J >= 0.8 in
#     integers; rep pairs are expanded to every member pair.
# As a check, jaccard() is recomputed for every representative pair found,
# and the two must agree.
#
# The pipeline: the recipe is cut at its numbered step comments and run in
# this connection, step by step, without its BEGIN and COMMIT and the check
# after its last step.  Variants change step 4 (verification) and, for
# three of them, the bands and rows of the settings in step 0:
#   recipe        16 x 8 bands = lsh_params(0.8, 128, 0.05, 0.95), exact
#                 jaccard() >= 0.8: the recipe as it is
#   minhash       16 x 8, minhash_jaccard() >= 0.8 (the recipe's comment in
#                 step 4: the cheaper check that reads no text)
#   none          16 x 8, every candidate pair kept (no verification)
#   9x13-exact    9 x 13 bands = lsh_params(0.8, 128), exact jaccard()
#   9x13-minhash  9 x 13, minhash_jaccard(): the first recipe's banding and
#                 verification
#   21x6-exact    21 x 6 bands, exact jaccard()
#
# Figures per variant:
#   pairs        predicted = every pair of documents in one output cluster
#                (dedup_cluster); precision = true among predicted, recall =
#                predicted among true
#   edges        the verified pairs themselves (dedup_pair): precision only
#   docs:partner a document is predicted a duplicate when it is in a
#                cluster, truly one when it has a truth partner
#   docs:removed predicted = removed by docs_dedup; true = would be removed
#                by the same rule (keep the least id) applied to the
#                connected components of the truth pairs
# The output is figures, never a verdict.
package require sqlite3
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/quality.tcl LIB \[-recipe FILE\] \[-sample K\] \[-only GLOB\] CORPUS..."
  exit 2
}

set recipe sql/dedup.sql
set sample 200
set only *
set files [parse_args $argv {-recipe recipe -sample sample -only only}]
if {![llength $files]} usage

open_db $lib

header "sqlite-corpus dedup quality benchmark (sql/dedup.sql at threshold 0.8)" 7
field recipe $recipe
print_corpus_debug 1

# ---------------------------------------------------------------- recipe
set f [open $recipe r]
set text [read $f]
close $f
set steps [dict create]
set num {}
foreach line [split $text \n] {
  if {[regexp {^-- The end} $line]} break
  if {[regexp {^(BEGIN|COMMIT);$} $line]} continue
  if {[regexp {^-- (\d+)\.} $line -> n]} {
    set num $n
    dict set steps $num "$line\n"
  } elseif {$num ne ""} {
    dict append steps $num "$line\n"
  }
}
foreach k {0 1 2 3 4 5} {
  if {![dict exists $steps $k]} {
    puts stderr "quality: $recipe has no step $k (-- $k. ...)"
    exit 1
  }
}
set made {}
dict for {k body} $steps {
  foreach {- t} [regexp -all -inline -nocase {CREATE\s+TABLE\s+(\w+)} $body] {
    lappend made $t
  }
}

# Step 4 verifying with the signatures' estimate instead of the exact
# Jaccard of the recipe.
set minhash_step4 {
  DROP TABLE IF EXISTS dedup_pair;
  CREATE TABLE dedup_pair AS
    SELECT c.n_a, c.n_b, a.id AS id_a, b.id AS id_b, minhash_jaccard(a.sig, b.sig) AS similarity
      FROM dedup_candidate AS c
      JOIN dedup_sig AS a ON a.n = c.n_a
      JOIN dedup_sig AS b ON b.n = c.n_b
     WHERE minhash_jaccard(a.sig, b.sig) >= 0.8;
}
set none_step4 {
  DROP TABLE IF EXISTS dedup_pair;
  CREATE TABLE dedup_pair AS
    SELECT c.n_a, c.n_b, a.id AS id_a, b.id AS id_b, NULL AS similarity
      FROM dedup_candidate AS c
      JOIN dedup_id AS a ON a.n = c.n_a
      JOIN dedup_id AS b ON b.n = c.n_b;
}
# Step 0 with other bands: the settings' 16 bands of 8 rows replaced.
proc banded {b r} {
  set s0 [dict get $::steps 0]
  if {![regsub {\m16 +AS bands} $s0 "$b AS bands" s0] || ![regsub {\m8 +AS rows} $s0 "$r AS rows" s0]} {
    puts stderr "quality: the recipe's settings do not band 16 x 8"
    exit 1
  }
  return $s0
}
# recipe: 16 x 8 bands, exact verification (sql/dedup.sql as it is).
set variants [list \
  recipe       [list 0 [dict get $steps 0] 4 [dict get $steps 4]] \
  minhash      [list 0 [dict get $steps 0] 4 $minhash_step4] \
  none         [list 0 [dict get $steps 0] 4 $none_step4] \
  9x13-exact   [list 0 [banded 9 13] 4 [dict get $steps 4]] \
  9x13-minhash [list 0 [banded 9 13] 4 $minhash_step4] \
  21x6-exact   [list 0 [banded 21 6] 4 [dict get $steps 4]] \
]

# ---------------------------------------------------------------- truth
proc build_truth {} {
  set t0 [now]
  db eval {
    DROP TABLE IF EXISTS norm;
    DROP TABLE IF EXISTS sh;
    DROP TABLE IF EXISTS nsh;
    DROP TABLE IF EXISTS truth_rep;
    DROP TABLE IF EXISTS truth;
    -- rep: the least id of the documents with the same normalized text
    CREATE TABLE norm(id INTEGER PRIMARY KEY, rep INTEGER, words INTEGER);
    INSERT INTO norm
      SELECT id, min(id) OVER (PARTITION BY nt), token_count(nt)
        FROM (SELECT id, normalize(text) AS nt FROM docs WHERE text IS NOT NULL);
    CREATE INDEX norm_rep ON norm(rep);
    CREATE TABLE sh(doc INTEGER, hash INTEGER, PRIMARY KEY(doc, hash)) WITHOUT ROWID;
    INSERT OR IGNORE INTO sh
      SELECT d.id, g.hash FROM norm AS r JOIN docs AS d ON d.id = r.id,
             ngrams(normalize(d.text), 5) AS g
       WHERE r.id = r.rep;
    CREATE INDEX sh_hash ON sh(hash, doc);
    CREATE TABLE nsh(doc INTEGER PRIMARY KEY, n INTEGER);
    INSERT INTO nsh SELECT doc, count(*) FROM sh GROUP BY doc;
  }
  set t1 [now]
  # Every pair of representatives sharing a shingle, length-filtered.
  db eval {
    CREATE TABLE truth_rep AS
      SELECT a, b, inter, na, nb FROM (
        SELECT x.doc AS a, y.doc AS b, count(*) AS inter,
               nx.n AS na, ny.n AS nb
          FROM sh AS x
          JOIN sh AS y ON y.hash = x.hash AND y.doc > x.doc
          JOIN nsh AS nx ON nx.doc = x.doc
          JOIN nsh AS ny ON ny.doc = y.doc
         WHERE 5 * min(nx.n, ny.n) >= 4 * max(nx.n, ny.n)
         GROUP BY x.doc, y.doc)
       WHERE 5 * inter >= 4 * (na + nb - inter);
  }
  set t2 [now]
  # Expansion to every member: pairs inside a group (J = 1 when it has
  # shingles) and every member pair of two true representatives.
  db eval {
    CREATE TABLE truth(a INTEGER, b INTEGER, j REAL, PRIMARY KEY(a, b)) WITHOUT ROWID;
    INSERT OR IGNORE INTO truth
      SELECT x.id, y.id, 1.0 FROM norm AS x JOIN norm AS y
          ON y.rep = x.rep AND y.id > x.id
       WHERE x.rep IN (SELECT doc FROM nsh);
    INSERT OR IGNORE INTO truth
      SELECT min(x.id, y.id), max(x.id, y.id),
             CAST(t.inter AS REAL) / (t.na + t.nb - t.inter)
        FROM truth_rep AS t
        JOIN norm AS x ON x.rep = t.a
        JOIN norm AS y ON y.rep = t.b;
  }
  set t3 [now]
  # Cross-check with jaccard() on the representatives' texts.
  set bad 0
  set checked 0
  db eval {
    SELECT t.a, t.b, CAST(t.inter AS REAL) / (t.na + t.nb - t.inter) AS j,
           jaccard(da.text, db.text) AS jx
      FROM truth_rep AS t JOIN docs AS da ON da.id = t.a JOIN docs AS db ON db.id = t.b
  } {
    incr checked
    if {abs($j - $jx) > 1e-12} { incr bad }
  }
  return [list [expr {$t1 - $t0}] [expr {$t2 - $t1}] [expr {$t3 - $t2}] $checked $bad]
}

# Connected components of the truth pairs (union-find in Tcl, independent
# of dedup_clusters()); fills truth_removed(id) with every member but the
# least of each component.
proc truth_removed {} {
  array set parent {}
  proc ::find {x} {
    upvar #0 ::parent p
    while {$p($x) != $x} {
      set p($x) $p($p($x))
      set x $p($x)
    }
    return $x
  }
  array unset ::parent
  db eval {SELECT a, b FROM truth} {
    foreach v [list $a $b] {
      if {![info exists ::parent($v)]} { set ::parent($v) $v }
    }
    set ra [find $a]
    set rb [find $b]
    if {$ra != $rb} {
      if {$ra < $rb} { set ::parent($rb) $ra } else { set ::parent($ra) $rb }
    }
  }
  db eval {DROP TABLE IF EXISTS truth_removed; CREATE TABLE truth_removed(id INTEGER PRIMARY KEY)}
  set least [dict create]
  foreach v [array names ::parent] {
    set r [find $v]
    if {![dict exists $least $r] || $v < [dict get $least $r]} { dict set least $r $v }
  }
  db transaction {
    foreach v [array names ::parent] {
      if {$v != [dict get $least [find $v]]} {
        db eval {INSERT INTO truth_removed VALUES($v)}
      }
    }
  }
  return [dict size $least]
}

# ---------------------------------------------------------------- metrics
proc pr {tp pred true} {
  set p [expr {$pred > 0 ? double($tp) / $pred : 1.0}]
  set r [expr {$true > 0 ? double($tp) / $true : 1.0}]
  return [list [format %.4f $p] [format %.4f $r]]
}

proc metrics {} {
  db eval {
    DROP TABLE IF EXISTS pred;
    CREATE TEMP TABLE cl AS SELECT id, cluster FROM dedup_cluster;
    CREATE INDEX temp.cl_cluster ON cl(cluster, id);
    CREATE TABLE pred(a INTEGER, b INTEGER, PRIMARY KEY(a, b)) WITHOUT ROWID;
    INSERT INTO pred SELECT x.id, y.id FROM cl AS x JOIN cl AS y
                         ON y.cluster = x.cluster AND y.id > x.id;
  }
  set m [dict create]
  set ntrue [db onecolumn {SELECT count(*) FROM truth}]
  set npred [db onecolumn {SELECT count(*) FROM pred}]
  set tp [db onecolumn {SELECT count(*) FROM pred JOIN truth USING(a, b)}]
  dict set m pairs [list $tp $npred $ntrue {*}[pr $tp $npred $ntrue]]
  set nedge [db onecolumn {SELECT count(*) FROM dedup_pair}]
  set tedge [db onecolumn {
    SELECT count(*) FROM dedup_pair AS e
      JOIN truth AS t ON t.a = min(e.id_a, e.id_b) AND t.b = max(e.id_a, e.id_b)
  }]
  dict set m edges [list $tedge $nedge "" [lindex [pr $tedge $nedge 1] 0] ""]
  set dtrue [db onecolumn {SELECT count(*) FROM (SELECT a FROM truth UNION SELECT b FROM truth)}]
  set dpred [db onecolumn {SELECT count(*) FROM cl}]
  set dtp [db onecolumn {
    SELECT count(*) FROM cl WHERE id IN (SELECT a FROM truth UNION SELECT b FROM truth)
  }]
  dict set m docs:partner [list $dtp $dpred $dtrue {*}[pr $dtp $dpred $dtrue]]
  set rtrue [db onecolumn {SELECT count(*) FROM truth_removed}]
  set rpred [db onecolumn {
    SELECT count(*) FROM docs WHERE id NOT IN (SELECT id FROM docs_dedup)
  }]
  set rtp [db onecolumn {
    SELECT count(*) FROM truth_removed WHERE id NOT IN (SELECT id FROM docs_dedup)
  }]
  dict set m docs:removed [list $rtp $rpred $rtrue {*}[pr $rtp $rpred $rtrue]]
  # Missed truth pairs by exact Jaccard; wrong predicted pairs (a sample)
  # by exact Jaccard.
  set missed {}
  foreach {lo hi} {0.8 0.85 0.85 0.9 0.9 0.95 0.95 1.01} {
    set tot [db onecolumn {SELECT count(*) FROM truth WHERE j >= $lo AND j < $hi}]
    set mis [db onecolumn {
      SELECT count(*) FROM truth AS t WHERE j >= $lo AND j < $hi
         AND NOT EXISTS (SELECT 1 FROM pred AS p WHERE p.a = t.a AND p.b = t.b)
    }]
    lappend missed "[format %.2f $lo]-[expr {$hi > 1 ? "1" : [format %.2f $hi]}]: $mis/$tot"
  }
  dict set m missed [join $missed ", "]
  set wrong [dict create ">=0.7" 0 "0.5-0.7" 0 "<0.5" 0]
  set nw 0
  db eval {
    SELECT p.a, p.b, jaccard(da.text, db.text) AS j
      FROM pred AS p JOIN docs AS da ON da.id = p.a JOIN docs AS db ON db.id = p.b
     WHERE NOT EXISTS (SELECT 1 FROM truth AS t WHERE t.a = p.a AND t.b = p.b)
     ORDER BY xxh3(p.a || ',' || p.b) LIMIT $::sample
  } {
    incr nw
    if {$j >= 0.7} { dict incr wrong ">=0.7" } elseif {$j >= 0.5} { dict incr wrong "0.5-0.7" } else { dict incr wrong "<0.5" }
  }
  set wl {}
  dict for {k v} $wrong { lappend wl "$k: $v" }
  dict set m wrong "$nw sampled: [join $wl {, }]"
  db eval {DROP TABLE temp.cl}
  return $m
}

# ---------------------------------------------------------------- run
set total0 [now]
set summary {}
foreach file $files {
  set name [file rootname [file tail $file]]
  puts ""
  load_and_report load_jsonl $file ""
  lassign [build_truth] ts tj te checked bad
  db eval {
    SELECT count(*) AS groups, sum(c > 1) AS multi, sum(c) - count(*) AS copies
      FROM (SELECT rep, count(*) AS c FROM norm GROUP BY rep)
  } {}
  set nsh [db onecolumn {SELECT count(*) FROM sh}]
  set short [db onecolumn {SELECT count(*) FROM norm WHERE words BETWEEN 1 AND 4}]
  set empty [db onecolumn {SELECT count(*) FROM norm WHERE words = 0}]
  set nulls [db onecolumn {SELECT count(*) FROM docs WHERE text IS NULL}]
  set ntrue [db onecolumn {SELECT count(*) FROM truth}]
  set ntrue_rep [db onecolumn {SELECT count(*) FROM truth_rep}]
  set ncomp [truth_removed]
  set in_truth [db onecolumn {SELECT count(*) FROM (SELECT a FROM truth UNION SELECT b FROM truth)}]
  puts [format "   truth: %d distinct normalized texts (%d groups of copies, %d copies); %d shingles of the representatives" \
          $groups $multi $copies $nsh]
  puts [format "          %d true pairs (J >= 0.8): %d between representatives, the rest copies; %d documents in %d truth components" \
          $ntrue $ntrue_rep $in_truth $ncomp]
  puts [format "          built in %.1f s (shingles) + %.1f s (self-join) + %.1f s (expansion); jaccard() agrees on %d/%d representative pairs" \
          $ts $tj $te [expr {$checked - $bad}] $checked]
  puts -nonewline "          J of the true pairs:"
  foreach {label lo hi} {{0.8 <= J < 0.9} 0.8 0.9 {0.9 <= J < 1} 0.9 1.0 {J = 1} 1.0 2.0} {
    puts -nonewline " $label: [db onecolumn {SELECT count(*) FROM truth WHERE j >= $lo AND j < $hi}];"
  }
  puts ""
  set short_pairs [db onecolumn {
    SELECT count(*) FROM truth AS t JOIN norm AS n ON n.id = t.a WHERE n.words BETWEEN 1 AND 4
  }]
  puts "   short documents: $short with 1-4 words after normalize() (one shingle: the whole text; $short_pairs true pairs among them, identical normalized texts only), $empty with no word (no shingle: empty signature, no bucket, never paired), $nulls NULL"

  set fmt "   %-11s %-13s %10s %10s %10s %9s %9s"
  set sfmt "   %-11s %7s %7s %7s %7s %7s %7s   %s"
  puts ""
  puts [format $sfmt variant check sign band cand verify cluster "seconds per step; rows: candidates / verified pairs / clustered docs"]
  set results {}
  foreach {vname vsteps} $variants {
    if {![string match $only $vname]} continue
    foreach t $made { db eval "DROP TABLE IF EXISTS $t" }
    set times {}
    foreach k {0 1 2 3 4 5} {
      set body [expr {[dict exists $vsteps $k] ? [dict get $vsteps $k] : [dict get $steps $k]}]
      set t0 [now]
      db eval $body
      lappend times [format %.2f [expr {[now] - $t0}]]
    }
    set rows "[db onecolumn {SELECT count(*) FROM dedup_candidate}] / [db onecolumn {SELECT count(*) FROM dedup_pair}] / [db onecolumn {SELECT count(*) FROM dedup_cluster}]"
    puts [format $sfmt $vname {*}$times $rows]
    lappend results $vname [metrics]
  }
  puts ""
  puts [format $fmt variant measure true_pos predicted true precision recall]
  foreach {vname m} $results {
    foreach measure {pairs edges docs:partner docs:removed} {
      lassign [dict get $m $measure] tp np nt p r
      puts [format $fmt $vname $measure $tp $np $nt $p $r]
      lappend summary [list $name $vname $measure $p $r]
    }
  }
  puts ""
  puts "   missed true pairs by exact J (missed/true), and a sample of the predicted pairs that are not true, by exact J:"
  foreach {vname m} $results {
    puts "   [format %-11s $vname] missed [dict get $m missed]"
    puts "   [format %-11s ""] not true: [dict get $m wrong]"
  }
}
foreach t $made { db eval "DROP TABLE IF EXISTS $t" }
puts ""
puts "== summary: precision / recall (target >= 0.95 both)"
set corp {}
foreach row $summary { if {[lindex $row 0] ni $corp} { lappend corp [lindex $row 0] } }
set hdr [format "   %-11s %-13s" variant measure]
foreach c $corp { append hdr [format " %21s" $c] }
puts $hdr
set seen {}
foreach row $summary {
  lassign $row c v meas
  if {"$v $meas" in $seen} continue
  lappend seen "$v $meas"
  set line [format "   %-11s %-13s" $v $meas]
  foreach c2 $corp {
    set cell ""
    foreach r2 $summary {
      if {[lindex $r2 0] eq $c2 && [lindex $r2 1] eq $v && [lindex $r2 2] eq $meas} {
        set cell "[lindex $r2 3] / [lindex $r2 4]"
      }
    }
    if {$meas eq "edges"} { set cell "[lindex [split $cell /] 0]/    -  " }
    append line [format " %21s" $cell]
  }
  puts $line
}
puts [format "total: %.1f s" [expr {[now] - $total0}]]
db close
