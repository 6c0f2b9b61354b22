# Benchmark of the BPE encodings (r50k_base, p50k_base, cl100k_base,
# o200k_base): MB/s per core of token_count(), tokenize() and tokenize(...,
# 'format=blob') over real corpora, next to the JS implementations run by
# node on the same documents in the same run (npm tiktoken, its Rust core
# compiled to WASM; js-tiktoken and gpt-tokenizer, pure JS), and the time of
# pathological inputs (one character repeated 100,000 times).
#
#   tclsh bench/bpe.tcl LIB [options] CORPUS...
#
#   -runs N          runs of each query, best kept (default 3)
#   -ref-runs N      runs of each JS encode loop, best kept (default 1: the
#                    JS figures are 5-50x lower, and js-tiktoken runs at
#                    0.5-3 MB/s, so more runs cost minutes)
#   -cap-mb N        at most N MB of text per corpus (default 5); a bigger
#                    corpus is sampled: every k-th document, so that all of
#                    it is represented (man's languages, for one)
#   -encs "E ..."    encodings (default all four)
#   -refs "R ..."    JS references (default: tiktoken js-tiktoken
#                    gpt-tokenizer; "" for none)
#   -subset LABEL REGEXP FILE
#                    also a corpus of the lines of FILE that match REGEXP
#                    (the raw JSON line, so '^\{"id": "man/de/' works)
#   -no-patho        skip the pathological inputs
#   -patho-n "N ..." lengths of the pathological runs (default 100000)
#   -ref-patho-n N   their length for tiktoken, whose merge is quadratic
#                    (default 10000; 100000 takes it 10-90 s per input);
#                    the ids are compared with the extension's at that length
#   -node PATH, -modules DIR   node and the references' node_modules
#                    (default node, /tmp/tk/node_modules)
#
# LIB is the extension without its suffix (dist/corpus).  A CORPUS is a
# JSONL file, one {"text": ...} object a line.  Lines are read as bytes and
# decoded by SQLite, never by Tcl (Tcl 8.6 cannot hold characters above
# U+FFFF); the sampled lines are written to a temporary file for node, so
# both sides see the same documents.  MB are 10^6 bytes of UTF-8 text.
# The output is figures, never a verdict.
package require sqlite3
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/bpe.tcl LIB \[-runs N\] \[-ref-runs N\] \[-cap-mb N\] \[-encs \"E ...\"\] \[-refs \"R ...\"\] \[-subset LABEL REGEXP FILE\] \[-patho-n \"N ...\"\] \[-ref-patho-n N\] \[-no-patho\] \[-node PATH\] \[-modules DIR\] CORPUS..."
  exit 2
}

set runs 3
set ref_runs 1
set cap_mb 5
set encs {r50k_base p50k_base cl100k_base o200k_base}
set refs {tiktoken js-tiktoken gpt-tokenizer}
set patho_n {100000}
set ref_patho_n 10000
set node node
set modules /tmp/tk/node_modules
set corpora {}     ;# {label file regexp}
if {[llength $argv] < 1} usage
set lib [lindex $argv 0]
for {set i 1} {$i < [llength $argv]} {incr i} {
  set a [lindex $argv $i]
  switch -- $a {
    -runs        { set runs        [lindex $argv [incr i]] }
    -ref-runs    { set ref_runs    [lindex $argv [incr i]] }
    -cap-mb      { set cap_mb      [lindex $argv [incr i]] }
    -encs        { set encs        [lindex $argv [incr i]] }
    -refs        { set refs        [lindex $argv [incr i]] }
    -patho-n     { set patho_n     [lindex $argv [incr i]] }
    -ref-patho-n { set ref_patho_n [lindex $argv [incr i]] }
    -node        { set node        [lindex $argv [incr i]] }
    -modules     { set modules     [lindex $argv [incr i]] }
    -no-patho    { set patho_n {}; set ref_patho_n 0 }
    -subset {
      if {$i + 3 >= [llength $argv]} usage
      lassign [lrange $argv [expr {$i + 1}] [expr {$i + 3}]] l r f
      lappend corpora [list $l $f $r]
      incr i 3
    }
    default {
      if {[string match -* $a]} usage
      lappend corpora [list [file rootname [file tail $a]] $a {}]
    }
  }
}
foreach v {runs ref_runs ref_patho_n} {
  if {![string is integer -strict [set $v]] || [set $v] < 0} usage
}
if {$runs < 1 || ![string is double -strict $cap_mb] || $cap_mb <= 0} usage
foreach n $patho_n { if {![string is integer -strict $n] || $n < 1} usage }

set here [file dirname [file normalize [info script]]]
set refjs [file join $here bpe_ref.mjs]
set tmpdir [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}]

open_db $lib

# The references that node can load, with their versions.
set versions {}
if {[llength $refs] || $ref_patho_n > 0} {
  if {[catch {exec $node $refjs versions --modules $modules} v]} {
    puts stderr "bench/bpe.tcl: node or the references are missing ($v); JS figures skipped"
    set refs {}
    set ref_patho_n 0
  } else {
    foreach line [split $v \n] { dict set versions [lindex $line 1] [lindex $line 2] }
    set ok {}
    foreach r $refs {
      if {[dict exists $versions $r] && [dict get $versions $r] ne "missing"} {
        lappend ok $r
      } else {
        puts stderr "bench/bpe.tcl: $r is not installed in $modules; skipped"
      }
    }
    set refs $ok
    if {[dict get $versions tiktoken] eq "missing"} { set ref_patho_n 0 }
  }
}
proc ref_label {r} {
  set kind [dict get {tiktoken "WASM" js-tiktoken "JS" gpt-tokenizer "JS"} $r]
  return "$r [dict get $::versions $r] ($kind)"
}

header "sqlite-corpus BPE benchmark" 8
machine_fields " (every figure is one thread)"
field tcl "[info patchlevel], sqlite [db onecolumn {SELECT sqlite_version()}]"
if {[dict size $versions]} {
  field node "[dict get $versions node]; [join [lmap r $refs {ref_label $r}] {, }]"
}
field runs "extension best of $runs; JS best of $ref_runs (encode loop only)"
puts ""

# ---------------------------------------------------------------- loading
# Loads the lines of FILE matching RE (all if RE is "") into a fresh docs
# table, every k-th one if there are more than CAP bytes of lines, and
# writes them to OUT for node.  Returns {docs bytes matching k}.
proc load_corpus {file re cap out} {
  new_docs
  set f [open $file r]
  fconfigure $f -translation binary
  set lines {}
  set total 0
  while {[gets $f line] >= 0} {
    if {$line eq ""} continue
    if {$re ne "" && ![regexp -- $re $line]} continue
    lappend lines $line
    incr total [string length $line]
  }
  close $f
  set k [expr {$total > $cap ? int(ceil(double($total) / $cap)) : 1}]
  set o [open $out w]
  fconfigure $o -translation binary
  set n 0
  db transaction {
    for {set i 0} {$i < [llength $lines]} {incr i $k} {
      set line [lindex $lines $i]
      puts $o $line
      db eval {
        INSERT INTO docs(text) SELECT CASE
          WHEN json_type(l, '$.text') = 'text' THEN l ->> '$.text' END
        FROM (SELECT CAST(@line AS TEXT) AS l)
      }
      incr n
    }
  }
  close $o
  set bytes [db onecolumn {SELECT coalesce(sum(length(CAST(text AS BLOB))), 0) FROM docs}]
  return [list $n $bytes [llength $lines] $k]
}

set queries {
  {sum(token_count(text, enc))}               {SELECT sum(token_count(text, $enc)) FROM docs}
  {count(tokenize(text, enc))}                {SELECT count(tokenize(text, $enc)) FROM docs}
  {count(tokenize(text, enc, 'format=blob'))} {SELECT count(tokenize(text, $enc, 'format=blob')) FROM docs}
}

set t00 [clock microseconds]
foreach c $corpora {
  lassign $c label file re
  if {![file readable $file]} {
    puts "== $label: $file not found; skipped"
    continue
  }
  set tmp [file join $tmpdir bpe-bench-[pid]-$label.jsonl]
  set t0 [clock microseconds]
  lassign [load_corpus $file $re [expr {wide($cap_mb * 1e6)}] $tmp] ndocs bytes nmatch k
  set mb [expr {$bytes / 1e6}]
  set how [expr {$k > 1 ? "1 in $k of $nmatch documents" : "all documents"}]
  if {$re ne ""} { append how " matching $re" }
  puts [format "== %s: %d documents, %.2f MB of text (%s of %s; loaded in %.2f s)" \
          $label $ndocs $mb $how [file tail $file] \
          [expr {([clock microseconds] - $t0) / 1e6}]]

  lassign [time_query {SELECT count(length(text)) FROM docs}] base_s
  puts [format "   baseline SELECT count(length(text)) FROM docs: %.5f s, %.0f MB/s" \
          $base_s [expr {$mb / $base_s}]]

  # the extension
  set rows {}
  set tokens {}
  foreach {name sql} $queries {
    set cells {}
    foreach enc $encs {
      lassign [time_query $sql] s r
      lappend cells [format "%6.1f (x%.0f)" [expr {$mb / $s}] [expr {$s / $base_s}]]
      if {[string match sum* $name]} {
        dict set tokens $enc $r
        dict set rate $label,$enc,ext [expr {$mb / $s}]
      }
    }
    lappend rows [list $name $cells]
  }

  # the JS references, same documents (the file written above)
  set reftok {}
  if {[llength $refs]} {
    if {[catch {
      exec $node $refjs speed --modules $modules --runs $ref_runs \
        --refs [join $refs ,] --encs [join $encs ,] $tmp 2>@stderr
    } out]} {
      puts "   node failed: $out"
      set out ""
    }
    foreach r $refs {
      set cells {}
      foreach enc $encs {
        set cell "-"
        foreach line [split $out \n] {
          lassign $line tag ref e nd nb ntok secs
          if {$tag ne "speed" || $ref ne $r || $e ne $enc} continue
          if {$ntok eq "error"} { set cell error; break }
          set cell [format "%6.1f" [expr {$nb / 1e6 / max($secs, 1e-6)}]]
          dict set rate $label,$enc,$r [expr {$nb / 1e6 / max($secs, 1e-6)}]
          dict set reftok $enc $r $ntok
        }
        lappend cells $cell
      }
      lappend rows [list [ref_label $r] $cells]
    }
  }
  file delete $tmp

  puts "   MB/s per core (in parentheses: time / baseline time)"
  set w 42
  puts [format "   %-${w}s%s" "" [join [lmap e $encs {format %15s $e}] ""]]
  foreach row $rows {
    lassign $row name cells
    puts [format "   %-${w}s%s" $name [join [lmap x $cells {format %15s $x}] ""]]
  }
  # token_count over the references
  foreach r $refs {
    set cells {}
    foreach enc $encs {
      if {[dict exists $rate $label,$enc,$r]} {
        lappend cells [format "x%.1f" [expr {[dict get $rate $label,$enc,ext] / [dict get $rate $label,$enc,$r]}]]
      } else {
        lappend cells -
      }
    }
    puts [format "   %-${w}s%s" "token_count speed / $r" [join [lmap x $cells {format %15s $x}] ""]]
  }
  set cells {}
  foreach enc $encs {
    set t [dict get $tokens $enc]
    set agree 1
    if {[dict exists $reftok $enc]} {
      dict for {r n} [dict get $reftok $enc] { if {$n != $t} { set agree 0 } }
    }
    lappend cells [expr {$agree ? $t : "$t!"}]
  }
  puts [format "   %-${w}s%s" "tokens (! = a JS count differs)" [join [lmap x $cells {format %15s $x}] ""]]
  foreach enc $encs {
    if {![dict exists $reftok $enc]} continue
    dict for {r n} [dict get $reftok $enc] {
      if {$n != [dict get $tokens $enc]} {
        puts "   $enc: $r counts $n tokens, the extension [dict get $tokens $enc]"
      }
    }
  }
  puts ""
}

# ---------------------------------------------------------------- summary
# token_count's MB/s in every corpus, next to the references' figures from
# the sections above (the same documents, timed in this run).
if {[info exists rate]} {
  puts "== summary: token_count MB/s per core, and the JS references' on the same documents"
  set cols {}
  foreach enc $encs {
    lappend cols "$enc"
    foreach r $refs { lappend cols "$r" }
  }
  puts [format "   %-16s%s" corpus [join [lmap c $cols {format %15s $c}] ""]]
  foreach c $corpora {
    set label [lindex $c 0]
    set cells {}
    foreach enc $encs {
      foreach who [concat ext $refs] {
        lappend cells [expr {[dict exists $rate $label,$enc,$who]
          ? [format %.1f [dict get $rate $label,$enc,$who]] : "-"}]
      }
    }
    if {[lsearch -exact -not $cells -] < 0} continue
    puts [format "   %-16s%s" $label [join [lmap x $cells {format %15s $x}] ""]]
  }
  puts ""
}

# ---------------------------------------------------------------- pathological
if {[llength $patho_n]} {
  set kinds {a {a} cjk "\u4e2d" space { }}
  puts "== pathological: one character repeated n times (one piece, all merged from bytes)"
  puts "   seconds, best of $runs; tiktoken once, at n = $ref_patho_n, with its ids compared"
  set refpatho {}
  if {$ref_patho_n > 0} {
    if {[catch {
      exec $node $refjs patho --modules $modules --refs tiktoken --encs [join $encs ,] \
        --n $ref_patho_n 2>@stderr
    } out]} {
      puts "   node failed: $out"
      set out ""
    }
    foreach line [split $out \n] {
      if {[lindex $line 0] ne "patho"} continue
      lassign $line tag ref enc kind n secs ntok ids
      dict set refpatho $enc,$kind [list $secs $ntok $ids]
    }
  }
  puts [format "   %-6s %-12s %8s %11s %11s %9s   %s" input encoding n token_count tokenize tokens \
          [expr {$ref_patho_n > 0 ? "tiktoken n=$ref_patho_n, same ids" : ""}]]
  db eval {CREATE TEMP TABLE p(kind TEXT, n INTEGER, t TEXT)}
  foreach {kind ch} $kinds {
    foreach n [lsort -integer -unique [concat $patho_n [expr {$ref_patho_n > 0 ? $ref_patho_n : {}}]]] {
      db eval {INSERT INTO p VALUES($kind, $n, replace(hex(zeroblob($n)), '00', $ch))}
    }
  }
  foreach {kind ch} $kinds {
    foreach enc $encs {
      foreach n $patho_n {
        lassign [time_query {SELECT token_count(t, $enc) FROM p WHERE kind = $kind AND n = $n}] s1 ntok
        lassign [time_query {SELECT length(tokenize(t, $enc)) FROM p WHERE kind = $kind AND n = $n}] s2
        set refcell ""
        if {[dict exists $refpatho $enc,$kind]} {
          lassign [dict get $refpatho $enc,$kind] rs rn rids
          set mine [db onecolumn {SELECT tokenize(t, $enc) FROM p WHERE kind = $kind AND n = $ref_patho_n}]
          set refcell [format "%.3f s, %s" $rs [expr {$mine eq $rids ? "yes" : "NO"}]]
        }
        puts [format "   %-6s %-12s %8d %11.5f %11.5f %9d   %s" $kind $enc $n $s1 $s2 $ntok $refcell]
      }
    }
  }
  puts ""
}
puts [format "total: %.1f s" [expr {([clock microseconds] - $t00) / 1e6}]]
db close
