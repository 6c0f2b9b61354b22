# Parity of the BPE encodings with the reference, on whole real corpora:
# for every document, the ids of tokenize(text, enc) (as JSON and as
# 'format=blob') must equal those of npm tiktoken's encode_ordinary, and
# detokenize(tokenize(text)) must give back the text byte for byte.
#
#   tclsh bench/bpe_parity.tcl LIB [options] CORPUS...
#
#   -ref R          the reference: tiktoken (default), js-tiktoken or
#                   gpt-tokenizer (bench/bpe_ref.mjs); tiktoken-fault is
#                   tiktoken with a planted fault, a self-test of the
#                   mismatch report and the minimizer
#   -encs "E ..."   encodings (default: r50k_base p50k_base cl100k_base
#                   o200k_base)
#   -show N         mismatches shown in detail per corpus and encoding
#                   (default 3)
#   -minimize N     mismatching documents minimized, in all (default 5)
#   -synth          also check bench/bpe_ref.mjs's synthetic long pieces
#   -random N       also check N random byte strings per encoding
#                   (default 2000; mostly invalid UTF-8, which is encoded
#                   with U+FFFD in its place: consistency, no reference)
#   -node PATH      node (default node); -modules DIR: node_modules of the
#                   references (default /tmp/tk/node_modules)
#
# LIB is the extension without its suffix (dist/corpus).  A CORPUS is a
# JSONL file, one {"text": ...} object a line.  Each line is read as bytes
# and decoded by SQLite (CAST(line AS TEXT) ->> '$.text'), never by Tcl (Tcl
# 8.6 cannot hold characters above U+FFFF).  node decodes the same bytes
# with JSON.parse; a document whose text has a lone surrogate (a \udXXX
# escape without its pair: it has no UTF-8 form, tiktoken would see U+FFFD
# and SQLite CESU bytes), is not valid UTF-8, or has no "text" string is not
# compared with the reference and is counted as skipped; it is still
# round-tripped.
#
# One node process per encoding (bench/bpe_ref.mjs ids) encodes the corpus
# and streams binary records (the ids and their JSON text) through a pipe;
# they run in parallel with each other and with the checks here.
#
# Exit status 1 if any document mismatches or fails its round trip.
package require sqlite3
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/bpe_parity.tcl LIB \[-ref R\] \[-encs \"E ...\"\] \[-show N\] \[-minimize N\] \[-synth\] \[-random N\] \[-node PATH\] \[-modules DIR\] CORPUS..."
  exit 2
}

set ref tiktoken
set encs {r50k_base p50k_base cl100k_base o200k_base}
set show 3
set minimize 5
set synth 0
set nrandom 2000
set node node
set modules /tmp/tk/node_modules
set files [parse_args $argv {-ref ref -encs encs -show show -minimize minimize
                               -synth {synth flag} -random nrandom -node node
                               -modules modules}]
foreach v {show minimize nrandom} {
  if {![string is integer -strict [set $v]] || [set $v] < 0} usage
}
if {![llength $files] && !$synth && !$nrandom} usage

set here [file dirname [file normalize [info script]]]
set refjs [file join $here bpe_ref.mjs]

open_db $lib

proc since {t0} { return [expr {[now] - $t0}] }

header "sqlite-corpus BPE parity" 10
field reference "$ref (encode_ordinary), by bench/bpe_ref.mjs"
if {[catch {exec $node $refjs versions --modules $modules} v]} {
  puts stderr "bpe_parity: cannot run $node $refjs: $v"
  exit 2
}
foreach line [split $v \n] { puts "           [lrange $line 1 end]" }
field encodings $encs
puts ""

# ---------------------------------------------------------------- loading
# Loads FILE into a fresh docs table: one row per non-empty line, in order,
# id = 1, 2, ...  text is NULL when the line has no "text" string.
proc load_corpus {file} {
  new_docs
  set f [open $file r]
  fconfigure $f -translation binary
  set n 0
  db transaction {
    while {[gets $f line] >= 0} {
      if {$line eq ""} continue
      if {[catch {
        db eval {
          INSERT INTO docs(text) SELECT CASE
            WHEN json_type(l, '$.text') = 'text' THEN l ->> '$.text' END
          FROM (SELECT CAST(@line AS TEXT) AS l)
        }
      }]} {
        db eval {INSERT INTO docs(text) VALUES(NULL)}
      }
      incr n
    }
  }
  close $f
  return $n
}

# ---------------------------------------------------------------- the reference
proc read_exact {ch n what} {
  if {$n == 0} { return "" }
  set d [read $ch $n]
  if {[string length $d] != $n} {
    error "the reference ended early ($what)"
  }
  return $d
}

# One record of bench/bpe_ref.mjs ids: {status ids_blob json_bytes}.
proc read_record {ch} {
  binary scan [read_exact $ch 4 status] iu status
  if {$status != 0} { return [list $status {} {}] }
  binary scan [read_exact $ch 4 count] iu n
  set ids [read_exact $ch [expr {4 * $n}] ids]
  binary scan [read_exact $ch 4 length] iu m
  set json [read_exact $ch $m json]
  return [list 0 $ids $json]
}

# The serve process, started on first use: ids of texts sent as hex.
set serve ""
proc ref_ids {enc hex} {
  global serve node refjs modules ref
  if {$serve eq ""} {
    set serve [open |[list $node $refjs serve --modules $modules --ref $ref 2>@stderr] r+]
    fconfigure $serve -translation binary -buffering line
  }
  puts $serve "$enc\t$hex"
  return [gets $serve]
}

# ---------------------------------------------------------------- details
# Byte offsets where characters start in the text of hex digits HEX, plus
# the end: cut points that keep UTF-8 sequences whole.
proc char_starts {hex} {
  set cuts {}
  set nb [expr {[string length $hex] / 2}]
  for {set i 0} {$i < $nb} {incr i} {
    scan [string range $hex [expr {2*$i}] [expr {2*$i+1}]] %x b
    if {($b & 0xC0) != 0x80} { lappend cuts $i }
  }
  lappend cuts $nb
  return $cuts
}

proc hex_slice {hex a b} {
  return [string range $hex [expr {2*$a}] [expr {2*$b - 1}]]
}

proc ext_ids {enc hex} {
  set b [binary format H* $hex]
  return [db onecolumn {SELECT tokenize(CAST(@b AS TEXT), $enc)}]
}

# BYTES (a byte array) as a JSON string, or "" if they are not valid UTF-8.
# Characters above U+FFFF are written as surrogate-pair escapes: Tcl 8.6
# cannot hold them (and fails writing the 4-byte form SQLite would give it).
proc utf8_json {bytes} {
  binary scan $bytes cu* v
  set n [llength $v]
  set out "\""
  for {set i 0} {$i < $n} {} {
    set c [lindex $v $i]
    if {$c < 0x80} {
      switch -- $c {
        34 { append out "\\\"" }
        92 { append out "\\\\" }
        10 { append out "\\n" }
        13 { append out "\\r" }
        9  { append out "\\t" }
        default {
          if {$c < 0x20 || $c == 0x7f} {
            append out [format "\\u%04x" $c]
          } else {
            append out [format %c $c]
          }
        }
      }
      incr i
      continue
    }
    if {$c >= 0xC2 && $c <= 0xDF} {
      set k 1; set cp [expr {$c & 0x1F}]; set min 0x80
    } elseif {$c >= 0xE0 && $c <= 0xEF} {
      set k 2; set cp [expr {$c & 0x0F}]; set min 0x800
    } elseif {$c >= 0xF0 && $c <= 0xF4} {
      set k 3; set cp [expr {$c & 0x07}]; set min 0x10000
    } else {
      return ""
    }
    if {$i + $k >= $n} { return "" }
    for {set j 1} {$j <= $k} {incr j} {
      set d [lindex $v [expr {$i + $j}]]
      if {($d & 0xC0) != 0x80} { return "" }
      set cp [expr {($cp << 6) | ($d & 0x3F)}]
    }
    if {$cp < $min || $cp > 0x10FFFF || ($cp >= 0xD800 && $cp <= 0xDFFF)} { return "" }
    if {$cp >= 0x10000} {
      set u [expr {$cp - 0x10000}]
      append out [format "\\u%04x\\u%04x" [expr {0xD800 | ($u >> 10)}] [expr {0xDC00 | ($u & 0x3FF)}]]
    } elseif {$cp == 0x2028 || $cp == 0x2029 || $cp == 0x85} {
      append out [format "\\u%04x" $cp]
    } else {
      append out [format %c $cp]
    }
    incr i [expr {$k + 1}]
  }
  return "$out\""
}

# BYTES for a report: a JSON string, or x'HEX' if they are not valid UTF-8.
proc show_bytes {bytes} {
  set j [utf8_json $bytes]
  if {$j ne ""} { return $j }
  binary scan $bytes H* h
  return "x'$h'"
}

proc json_text {hex} {
  return [show_bytes [binary format H* $hex]]
}

# The text of one token id (may be part of a character: then x'HEX').
proc token_text {enc id} {
  return [show_bytes [db onecolumn {
    SELECT CAST(detokenize('[' || $id || ']', $enc) AS BLOB)
  }]]
}

# Does TEXT (hex) encode differently?  Returns {ext ref} or "".
proc differs {enc hex} {
  set r [ref_ids $enc $hex]
  if {[string match error* $r]} { return "" }
  set e [ext_ids $enc $hex]
  if {$e ne $r} { return [list $e $r] }
  return ""
}

# Shortest substring of document ID that still encodes differently, by
# trimming each end with a bisection (and then a character at a time) while
# the difference stays.  Starts from a window around byte OFF.
proc minimize_doc {enc id off} {
  set hex [db onecolumn {SELECT hex(CAST(text AS BLOB)) FROM docs WHERE id = $id}]
  set cuts [char_starts $hex]
  set n [expr {[llength $cuts] - 1}]
  # start from a window of about +-2000 bytes around the first difference
  set lo 0
  set hi $n
  foreach w {200 2000} {
    set a 0
    while {$a < $n && [lindex $cuts $a] < $off - $w} { incr a }
    set b $a
    while {$b < $n && [lindex $cuts $b] < $off + $w} { incr b }
    if {[differs $enc [hex_slice $hex [lindex $cuts $a] [lindex $cuts $b]]] ne ""} {
      set lo $a
      set hi $b
      break
    }
  }
  set tests 0
  for {set round 0} {$round < 4} {incr round} {
    set lo0 $lo
    set hi0 $hi
    # largest start that still differs (bisection, then single steps)
    set a $lo
    set b [expr {$hi - 1}]
    while {$a < $b} {
      set m [expr {($a + $b + 1) / 2}]
      incr tests
      if {[differs $enc [hex_slice $hex [lindex $cuts $m] [lindex $cuts $hi]]] ne ""} {
        set a $m
      } else {
        set b [expr {$m - 1}]
      }
    }
    set lo $a
    # smallest end that still differs
    set a [expr {$lo + 1}]
    set b $hi
    while {$a < $b} {
      set m [expr {($a + $b) / 2}]
      incr tests
      if {[differs $enc [hex_slice $hex [lindex $cuts $lo] [lindex $cuts $m]]] ne ""} {
        set b $m
      } else {
        set a [expr {$m + 1}]
      }
    }
    set hi $b
    # single characters off either end
    while {$hi - $lo > 1} {
      incr tests
      if {[differs $enc [hex_slice $hex [lindex $cuts [expr {$lo+1}]] [lindex $cuts $hi]]] ne ""} {
        incr lo
        continue
      }
      incr tests
      if {[differs $enc [hex_slice $hex [lindex $cuts $lo] [lindex $cuts [expr {$hi-1}]]]] ne ""} {
        incr hi -1
        continue
      }
      break
    }
    if {$lo == $lo0 && $hi == $hi0} break
  }
  set h [hex_slice $hex [lindex $cuts $lo] [lindex $cuts $hi]]
  set d [differs $enc $h]
  return [list [json_text $h] [expr {[string length $h] / 2}] \
            [lindex $d 0] [lindex $d 1] $tests]
}

# Prints where document ID's ids EB (extension) and RB (reference), uint32
# blobs, first differ.  Returns the byte offset of that token in the text.
proc show_mismatch {enc id eb rb} {
  binary scan $eb iu* e
  binary scan $rb iu* r
  set k 0
  set ne [llength $e]
  set nr [llength $r]
  while {$k < $ne && $k < $nr && [lindex $e $k] == [lindex $r $k]} { incr k }
  set pre [binary format iu* [lrange $e 0 [expr {$k - 1}]]]
  set off [db onecolumn {SELECT length(CAST(detokenize(@pre, $enc) AS BLOB))}]
  puts "      doc $id: $ne ids vs $nr from the reference; first difference at id #$k (byte $off)"
  set a [expr {max(0, $k - 3)}]
  foreach {who l} [list extension $e reference $r] {
    set parts {}
    for {set j $a} {$j < min([llength $l], $k + 4)} {incr j} {
      set t [token_text $enc [lindex $l $j]]
      lappend parts "[expr {$j == $k ? {>} : {}}][lindex $l $j]=$t"
    }
    puts [format "        %-9s ... %s" $who [join $parts " "]]
  }
  # 100 bytes around the offset, cut back to whole characters
  set from [expr {max(0, $off - 40)}]
  set ctx [db onecolumn {
    SELECT substr(CAST(text AS BLOB), $from + 1, 100) FROM docs WHERE id = $id
  }]
  binary scan $ctx cu* v
  set a 0
  while {$a < [llength $v] && ([lindex $v $a] & 0xC0) == 0x80} { incr a }
  set shown ""
  for {set b [llength $v]} {$b > $a && $b > [llength $v] - 4} {incr b -1} {
    set shown [utf8_json [string range $ctx $a [expr {$b - 1}]]]
    if {$shown ne ""} break
  }
  if {$shown eq ""} { set shown [show_bytes $ctx] }
  puts "        text at byte [expr {$from + $a}]: $shown"
  return $off
}

# ---------------------------------------------------------------- checking
# The per-document check, the text tokenized once per form.
set check_sql {
  WITH t AS MATERIALIZED (
    SELECT text, tokenize(text, $enc, 'format=blob') AS b,
           tokenize(text, $enc) AS j, token_count(text, $enc) AS c
    FROM docs WHERE id = $id
  )
  SELECT b IS @rb, CAST(j AS BLOB) IS @rj, c, length(b) / 4,
         json_array_length(j),
         CAST(detokenize(b, $enc) AS BLOB) IS CAST(text AS BLOB),
         CAST(detokenize(j, $enc) AS BLOB) IS CAST(text AS BLOB),
         b
  FROM t
}
# Round trip alone (documents not compared with the reference).
set trip_sql {
  WITH t AS MATERIALIZED (
    SELECT text, tokenize(text, $enc, 'format=blob') AS b,
           tokenize(text, $enc) AS j
    FROM docs WHERE id = $id
  )
  SELECT CAST(detokenize(b, $enc) AS BLOB) IS CAST(text AS BLOB)
     AND CAST(detokenize(j, $enc) AS BLOB) IS CAST(text AS BLOB)
  FROM t
}

set failures 0
set minimized 0
set results {}
set mins {}
set skip_names {1 "no text" 2 "lone surrogate" 3 "invalid UTF-8" 4 "bad JSON" 5 "reference threw"}

proc check_corpus {name file} {
  global encs node refjs modules ref show minimize minimized failures \
    results mins check_sql trip_sql skip_names
  set t0 [now]
  set ndocs [load_corpus $file]
  set bytes [db onecolumn {SELECT coalesce(sum(length(CAST(text AS BLOB))), 0) FROM docs}]
  puts [format "== %s: %d documents, %.1f MB (%s; loaded in %.2f s)" \
          $name $ndocs [expr {$bytes / 1e6}] $file [since $t0]]
  set t0 [now]
  # one reference process per encoding, all running at once
  set pipes {}
  foreach enc $encs {
    set p [open |[list $node $refjs ids --modules $modules --ref $ref --enc $enc $file 2>@stderr] r]
    fconfigure $p -translation binary -buffering full -buffersize 1048576
    lappend pipes $p
    foreach k {docs skipped tokens mismatch json count trip} { set st($enc,$k) 0 }
    set st($enc,skipwhy) {}
    set st($enc,shown) {}
  }
  for {set id 1} {$id <= $ndocs} {incr id} {
    foreach enc $encs p $pipes {
      lassign [read_record $p] status rb rj
      if {$status != 0} {
        incr st($enc,skipped)
        dict incr st($enc,skipwhy) [dict get $skip_names $status]
        if {![db onecolumn $trip_sql]} {
          incr st($enc,trip)
          puts "   $enc doc $id: detokenize(tokenize(text)) is not the text"
        }
        continue
      }
      incr st($enc,docs)
      incr st($enc,tokens) [expr {[string length $rb] / 4}]
      set row [db eval $check_sql]
      lassign $row okb okj c nb nj tripb tripj eb
      if {!$okb} {
        incr st($enc,mismatch)
        if {[llength $st($enc,shown)] < $show} {
          puts "   $enc: MISMATCH"
          set off [show_mismatch $enc $id $eb $rb]
          lappend st($enc,shown) [list $id $off]
        }
      }
      if {!$okj} {
        incr st($enc,json)
        if {$okb} { puts "   $enc doc $id: the blob matches but the JSON text differs" }
      }
      if {$c != $nb || $nj != $nb} {
        incr st($enc,count)
        puts "   $enc doc $id: token_count $c, blob $nb ids, JSON $nj ids"
      }
      if {!$tripb || !$tripj} {
        incr st($enc,trip)
        puts "   $enc doc $id: detokenize(tokenize(text)) is not the text (blob $tripb, json $tripj)"
      }
    }
  }
  foreach p $pipes {
    if {[read $p 1] ne ""} { puts "   the reference has more records than there are documents" }
    if {[catch {close $p} err]} { puts "   the reference failed: $err"; incr failures }
  }
  set secs [since $t0]
  foreach enc $encs {
    set why {}
    dict for {k v} $st($enc,skipwhy) { lappend why "$v $k" }
    lappend results [list $name $enc $st($enc,docs) $st($enc,skipped) \
                       [expr {$bytes / 1e6}] $st($enc,tokens) $st($enc,mismatch) \
                       $st($enc,json) $st($enc,count) $st($enc,trip) $secs [join $why ", "]]
    incr failures [expr {$st($enc,mismatch) + $st($enc,json) + $st($enc,count) + $st($enc,trip)}]
    foreach s $st($enc,shown) {
      if {$minimized >= $minimize} break
      incr minimized
      lassign $s id off
      set t1 [now]
      lassign [minimize_doc $enc $id $off] json len e r tests
      lappend mins [list $name $enc $id $json $len $e $r $tests [since $t1]]
    }
  }
  puts [format "   checked in %.1f s" $secs]
}

set t00 [now]
foreach file $files {
  check_corpus [file rootname [file tail $file]] $file
}
if {$synth} {
  set sf [file join [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}] bpe-synth-[pid].jsonl]
  puts [exec $node $refjs synth --out $sf]
  check_corpus synthetic $sf
  file delete $sf
}

# Random byte strings (most are not valid UTF-8), encoded as tiktoken would
# encode them decoded with U+FFFD in place of each invalid part (docs/bpe.md;
# test/bpe03.test checks every shape against tiktoken): the text detokenize()
# gives back encodes to the same ids, is the input when that is valid UTF-8,
# and token_count and the blob form agree.
set rtrip {}
if {$nrandom > 0} {
  expr {srand(12345)}
  db eval {DROP TABLE IF EXISTS rnd; CREATE TABLE rnd(id INTEGER PRIMARY KEY, b BLOB)}
  db transaction {
    for {set i 0} {$i < $nrandom} {incr i} {
      set len [expr {int(rand() * rand() * 3000)}]
      set bytes {}
      # a mix: random bytes, ASCII, UTF-8 lead and continuation bytes
      for {set j 0} {$j < $len} {incr j} {
        set r [expr {rand()}]
        if {$r < 0.4} {
          lappend bytes [expr {32 + int(rand() * 95)}]
        } elseif {$r < 0.55} {
          lappend bytes [expr {0x80 + int(rand() * 64)}]
        } elseif {$r < 0.65} {
          lappend bytes [expr {0xC0 + int(rand() * 64)}]
        } elseif {$r < 0.75} {
          lappend bytes [lindex {9 10 13 32 32 32} [expr {int(rand() * 6)}]]
        } else {
          lappend bytes [expr {1 + int(rand() * 255)}]
        }
      }
      set b [binary format c* $bytes]
      db eval {INSERT INTO rnd(b) VALUES(@b)}
    }
  }
  foreach enc $encs {
    set bad [db onecolumn {
      SELECT count(*) FROM (
        SELECT b, t, detokenize(tokenize(t, $enc), $enc) AS f
          FROM (SELECT b, CAST(b AS TEXT) AS t FROM rnd))
      WHERE tokenize(f, $enc) IS NOT tokenize(t, $enc)
         OR CAST(detokenize(tokenize(t, $enc, 'format=blob'), $enc) AS BLOB)
            IS NOT CAST(f AS BLOB)
         OR (CAST(normalize(t, 'form=none case=keep punct=keep space=keep') AS BLOB) = b
             AND CAST(f AS BLOB) IS NOT b)
         OR token_count(t, $enc) != length(tokenize(t, $enc, 'format=blob')) / 4
    }]
    lappend rtrip [list $enc $nrandom $bad]
    incr failures $bad
  }
}

# ---------------------------------------------------------------- report
puts ""
puts "Parity with $ref: documents whose ids differ (blob and JSON forms), token_count"
puts "disagreements, and round-trip failures (detokenize(tokenize(x)) != x, bytes)"
puts [format "%-14s %-12s %8s %7s %8s %11s %8s %5s %5s %5s %7s" \
        corpus encoding docs skipped MB tokens mismatch json count trip seconds]
set tdocs 0
set ttok 0
set tmis 0
foreach r $results {
  lassign $r name enc docs skipped mb tokens mis json count trip secs why
  puts [format "%-14s %-12s %8d %7d %8.1f %11d %8d %5d %5d %5d %7.1f%s" \
          $name $enc $docs $skipped $mb $tokens $mis $json $count $trip $secs \
          [expr {$why eq "" ? "" : "  (skipped: $why)"}]]
  incr tdocs $docs
  incr ttok $tokens
  incr tmis $mis
}
puts [format "%-27s %8d %7s %8s %11d %8d" total $tdocs "" "" $ttok $tmis]
if {[llength $rtrip]} {
  puts ""
  puts "Random byte strings (mostly invalid UTF-8; no reference): replaced text re-encodes the same, round trip of valid ones, token_count"
  foreach r $rtrip {
    lassign $r enc n bad
    puts [format "  %-12s %d strings, %d failures" $enc $n $bad]
  }
}
if {[llength $mins]} {
  puts ""
  puts "Minimized mismatches (shortest substring that still differs):"
  foreach m $mins {
    lassign $m name enc id json len e r tests secs
    puts "  $name doc $id, $enc ($len bytes; $tests tests, [format %.1f $secs] s):"
    puts "    input:     $json"
    puts "    extension: $e"
    puts "    $ref: $r"
  }
}
puts ""
puts [format "total: %.1f s" [since $t00]]
if {$failures} {
  puts "PARITY FAILED: $failures failures"
  exit 1
}
puts "parity: OK"
db close
