# The planted set of pii_redact()/pii_spans() (test/pii01.test and
# bench/pii.tcl): real paragraphs with generated personal data planted at
# recorded byte offsets, and distractors (versions, dates, ISBNs, hashes,
# UUIDs, table rows, private and documentation IPs, near misses) that must
# not be found.  Everything comes from Tcl's rand(), so a seed (expr
# srand) gives the same set again.
#
#   pii_gen_paragraphs TEXT...  -> the paragraphs of TEXTs usable as a base
#   pii_gen_set PARAGRAPHS NDOCS -> {{doc spans} ...}, spans {kind start end}
#   pii_gen_score DB SET OPTIONS -> dict kind -> {tp fp fn}

proc pg_rnd {n} { expr {int(rand() * $n)} }
proc pg_pick {list} { lindex $list [pg_rnd [llength $list]] }
proc pg_digits {n} {
  set s ""
  for {set i 0} {$i < $n} {incr i} { append s [pg_rnd 10] }
  return $s
}
proc pg_hex {n} {
  set s ""
  for {set i 0} {$i < $n} {incr i} { append s [string index 0123456789abcdef [pg_rnd 16]] }
  return $s
}
proc pg_upper {n} {
  set s ""
  for {set i 0} {$i < $n} {incr i} { append s [format %c [expr {65 + [pg_rnd 26]}]] }
  return $s
}

# A paragraph is a base when nothing in it looks like any kind (checked by
# these patterns, not by the scanner under test): no '@', no dotted quad,
# no two colons between hex digits, no '+' before a digit, no run of 7 or
# more digits across separators, no two capitals before two digits.
proc pii_gen_paragraphs {args} {
  set out {}
  foreach text $args {
    foreach p [split [string map [list "\n\n" \x01] $text] \x01] {
      set p [string trim [regsub -all {\s+} $p " "]]
      if {[string length $p] < 80} continue
      if {[regexp {@|\d+\.\d+\.\d+\.\d+|[0-9A-Fa-f]*:[0-9A-Fa-f]*:|\+\s*\d|[A-Z]{2}\d{2}} $p]} continue
      if {[regexp {\d(?:[\s().-]*\d){6}} $p]} continue
      lappend out $p
    }
  }
  return $out
}

# ---- Generators: each returns the text of one item -------------------------------

set pg_first {john jane maria li wei ahmed olga pierre anna lars sofia raj emma noah yuki carlos fatima ivan chloe omar}
set pg_last {smith doe garcia wang mueller dupont rossi kowalski novak jensen silva tanaka brown ivanova khan}
set pg_words {mail post acme globex initech umbrella uni-bonn city-hall north-wind blue-sky example-corp webmail contoso fabrikam}
set pg_tlds {com org net de fr co.uk io edu gov info nl es it ch se com.au co.jp}

proc pg_email {} {
  set f [pg_pick $::pg_first]; set l [pg_pick $::pg_last]
  set local [pg_pick [list $f.$l $f$l [string index $f 0].$l ${f}_$l $f+news $f.$l[pg_rnd 100] $f-$l [string toupper $f 0 0].[string toupper $l 0 0]]]
  set dom [pg_pick $::pg_words]
  if {[pg_rnd 4] == 0} { set dom "[pg_pick {mail smtp dept eu}].$dom" }
  return "$local@$dom.[pg_pick $::pg_tlds]"
}

proc pg_ipv4 {} {
  # first octets whose /8 holds no special-purpose range (IANA)
  set o [pg_pick {1 2 3 5 8 12 23 31 37 45 51 62 66 77 81 88 91 93 104 109 128 130 141 151 162 173 176 185 188 193 195 201 208 212 217 223}]
  return "$o.[pg_rnd 256].[pg_rnd 256].[expr {1 + [pg_rnd 254]}]"
}
proc pg_hextet {} {
  set v [format %x [pg_rnd 65536]]
  if {[pg_rnd 3] == 0} { set v [string toupper $v] }
  return $v
}
proc pg_ipv6 {} {
  set first [format %x [expr {0x2400 + [pg_rnd 0xc00]}]]
  if {[pg_rnd 3] == 0} {
    set g [list $first]
    for {set i 1} {$i < 8} {incr i} { lappend g [pg_hextet] }
    return [join $g :]
  }
  set k [expr {2 + [pg_rnd 5]}]           ;# written hextets, 2..6
  set g [list $first]
  for {set i 1} {$i < $k} {incr i} { lappend g [pg_hextet] }
  set cut [expr {1 + [pg_rnd [expr {$k - 1}]]}]
  return "[join [lrange $g 0 [expr {$cut - 1}]] :]::[join [lrange $g $cut end] :]"
}
proc pg_ip {} { if {[pg_rnd 3]} { pg_ipv4 } else { pg_ipv6 } }

proc pg_nxx {} { return "[expr {2 + [pg_rnd 8]}][pg_digits 2]" }
proc pg_phone {} {
  set a [pg_nxx]; set b [pg_nxx]; set c [pg_digits 4]
  switch [pg_rnd 14] {
    0  { return "+1 $a $b $c" }
    1  { return "+1 ($a) $b-$c" }
    2  { return "+1$a$b$c" }
    3  { return "($a) $b-$c" }
    4  { return "$a-$b-$c" }
    5  { return "$a.$b.$c" }
    6  { return "1-$a-$b-$c" }
    7  { return "+44 20 [pg_digits 4] [pg_digits 4]" }
    8  { return "+44 (0)20 [pg_digits 4] [pg_digits 4]" }
    9  { return "+49 30 [pg_digits 8]" }
    10 { return "+33 [expr {1 + [pg_rnd 9]}] [pg_digits 2] [pg_digits 2] [pg_digits 2] [pg_digits 2]" }
    11 { return "020 [pg_digits 4] [pg_digits 4]" }
    12 { return "0[expr {1 + [pg_rnd 9]}] [pg_digits 2] [pg_digits 2] [pg_digits 2] [pg_digits 2]" }
    13 { return "07[expr {1 + [pg_rnd 9]}][pg_digits 2] [pg_digits 6]" }
  }
}

proc pg_luhn_digit {body} {
  # the check digit that makes body+digit pass Luhn
  set sum 0
  set dbl 1
  for {set i [expr {[string length $body] - 1}]} {$i >= 0} {incr i -1} {
    set v [string index $body $i]
    if {$dbl} { set v [expr {$v * 2}]; if {$v > 9} { incr v -9 } }
    incr sum $v
    set dbl [expr {!$dbl}]
  }
  return [expr {(10 - $sum % 10) % 10}]
}
proc pg_card_number {} {
  lassign [pg_pick {
    {4 16} {4 16} {4 13} {51 16} {55 16} {2221 16} {2720 16} {34 15} {37 15}
    {6011 16} {65 16} {3528 16} {3589 19} {36 14} {62 16} {62 19} {6759 18}
  }] pre len
  set body $pre[pg_digits [expr {$len - [string length $pre] - 1}]]
  return $body[pg_luhn_digit $body]
}
proc pg_group {num sizes sep} {
  set out {}
  set i 0
  foreach s $sizes {
    if {$i >= [string length $num]} break
    lappend out [string range $num $i [expr {$i + $s - 1}]]
    incr i $s
  }
  if {$i < [string length $num]} { lappend out [string range $num $i end] }
  return [join $out $sep]
}
proc pg_card {} {
  set n [pg_card_number]
  set len [string length $n]
  switch [pg_rnd 3] {
    0 { return $n }
    1 { set sep " " }
    2 { set sep - }
  }
  if {$len == 15} { return [pg_group $n {4 6 5} $sep] }
  if {$len == 14} { return [pg_group $n {4 6 4} $sep] }
  return [pg_group $n {4 4 4 4} $sep]
}

# {country bban-pattern}: n digits, A capitals
set pg_ibans {
  {DE 18n} {FR 23n} {GB 4A14n} {NL 4A10n} {ES 20n} {IT 1A22n} {BE 12n}
  {CH 17n} {AT 16n} {PL 24n} {SE 20n} {NO 11n} {DK 14n} {IE 4A14n} {PT 21n}
  {FI 14n} {LU 16n} {GR 23n} {HU 24n} {CZ 20n}
}
proc pg_mod97 {s} {
  set r 0
  foreach c [split $s ""] {
    if {[string is digit $c]} { set r [expr {($r * 10 + $c) % 97}] } else {
      set r [expr {($r * 100 + [scan $c %c] - 55) % 97}]
    }
  }
  return $r
}
proc pg_iban_raw {{valid 1}} {
  lassign [pg_pick $::pg_ibans] cc pat
  set bban ""
  foreach {- n t} [regexp -all -inline {(\d+)([nA])} $pat] {
    if {$t eq "n"} { append bban [pg_digits $n] } else { append bban [pg_upper $n] }
  }
  set chk [expr {98 - [pg_mod97 ${bban}${cc}00]}]
  if {!$valid} { set chk [expr {$chk == 98 ? 97 : $chk + 1}] }
  return $cc[format %02d $chk]$bban
}
proc pg_iban {{valid 1}} {
  set raw [pg_iban_raw $valid]
  if {[pg_rnd 2]} { return $raw }
  return [pg_group $raw [lrepeat 8 4] " "]
}

# Distractors: none of these is personal data (the kind they resemble).
proc pg_distractor {} {
  switch [pg_rnd 16] {
    0  { return "version [pg_ipv4]" }
    1  { return "v[pg_rnd 10].[pg_rnd 30].[pg_rnd 10].[pg_rnd 100]" }
    2  { return "[pg_rnd 10].[pg_rnd 20].[pg_rnd 20].[pg_rnd 20].[pg_rnd 200]" }
    3  { return [pg_pick [list "20[pg_digits 2]-0[expr {1+[pg_rnd 9]}]-1[pg_rnd 10]" \
                             "1[pg_rnd 10].0[expr {1+[pg_rnd 9]}].19[pg_digits 2]" \
                             "0[expr {1+[pg_rnd 9]}]/1[pg_rnd 10]/20[pg_digits 2]" \
                             "20[pg_digits 2]-0[expr {1+[pg_rnd 9]}]-1[pg_rnd 10]T1[pg_rnd 10]:[pg_rnd 6][pg_rnd 10]:0[pg_rnd 10]Z"]] }
    4  { set b 978[pg_digits 9]
         set s 0
         for {set i 0} {$i < 12} {incr i} { incr s [expr {[string index $b $i] * ($i % 2 ? 3 : 1)}] }
         set b $b[expr {(10 - $s % 10) % 10}]
         return [pg_pick [list "ISBN [pg_group $b {3 1 3 5 1} -]" "ISBN $b" \
                             "ISBN-13: [pg_group $b {3 1 3 5 1} -]" [pg_group $b {3 1 3 5 1} -]]] }
    5  { return [pg_hex [pg_pick {7 12 32 40 64}]] }
    6  { return "[pg_hex 8]-[pg_hex 4]-4[pg_hex 3]-a[pg_hex 3]-[pg_hex 12]" }
    7  { set row {}
         set n [expr {3 + [pg_rnd 4]}]
         for {set i 0} {$i < $n} {incr i} {
           lappend row [pg_pick [list [pg_digits [expr {1 + [pg_rnd 7]}]] "[pg_rnd 1000].[pg_digits 2]" \
                                   "[expr {1+[pg_rnd 999]}],[pg_digits 3]" "[pg_rnd 100]%" "\$[pg_rnd 100],[pg_digits 3].[pg_digits 2]"]]
         }
         return [string cat [pg_pick {"| " "" "  "}] [join $row [pg_pick {" | " "\t" "   "}]]] }
    8  { return [pg_pick [list "10.[pg_rnd 256].[pg_rnd 256].[pg_rnd 256]" "192.168.[pg_rnd 256].[pg_rnd 256]" \
                             "127.0.0.1" "172.[expr {16 + [pg_rnd 16]}].[pg_rnd 256].[pg_rnd 256]" \
                             "169.254.[pg_rnd 256].[pg_rnd 256]" "192.0.2.[pg_rnd 256]" "198.51.100.[pg_rnd 256]" \
                             "203.0.113.[pg_rnd 256]" "0.0.0.0" "255.255.255.0"]] }
    9  { return [pg_pick [list "fe80::[pg_hextet]:[pg_hextet]" "::1" "fd[pg_hex 2]:[pg_hextet]::[pg_hextet]" \
                             "2001:db8::[pg_hextet]:[pg_hextet]" "::ffff:10.0.0.[pg_rnd 256]"]] }
    10 { set n [pg_card_number]
         set last [string index $n end]
         return [string replace $n end end [expr {($last + 1) % 10}]] }
    11 { return [pg_iban 0] }
    12 { return [pg_pick [list "1[pg_rnd 10]:[pg_rnd 6][pg_rnd 10]:[pg_rnd 6][pg_rnd 10]" \
                             "[pg_hex 2]:[pg_hex 2]:[pg_hex 2]:[pg_hex 2]:[pg_hex 2]:[pg_hex 2]" \
                             "std::vector<int>" "Foo::Bar::baz()" "http://localhost:8080/"]] }
    13 { return "[pg_pick {page p. No. item}] [pg_digits [expr {1 + [pg_rnd 4]}]]" }
    14 { return "icon@2x.png" }
    15 { return "[pg_digits 3] [pg_digits 2] [pg_digits 3]" }
  }
}

# Words around a planted item, by kind.
set pg_before {
  email {"Contact " "write to " "e-mail: " "<" "mailto:" "(" "from " ""}
  ip    {"from " "IP " "host=" "address " "[" "server at " ""}
  phone {"call " "Tel: " "phone " "at " "(Fax) " ""}
  card  {"card " "Card number: " "paid with " "CC# " ""}
  iban  {"IBAN " "IBAN: " "account " "to " ""}
}
set pg_after {"" "." "," ";" ">" ")" " today" ". " "\n"}

proc pg_item {kind} {
  switch $kind {
    email { pg_email } ip { pg_ip } phone { pg_phone } card { pg_card } iban { pg_iban }
  }
}

# What comes before an insert: "; " after another (two numbers one space
# apart would read as one), else a space.  (Not with expr ?:, which would
# turn a numeric string such as " 1977." into 1977.0.)
proc pg_sep {prev} { if {$prev eq "insert"} { return "; " } else { return " " } }

proc pg_bytes {s} { string length [encoding convertto utf-8 $s] }

# NDOCS documents, each a base paragraph or two with 1-4 items and 0-4
# distractors between its words.
proc pii_gen_set {paragraphs ndocs} {
  set kinds {email ip phone card iban}
  set set {}
  for {set d 0} {$d < $ndocs} {incr d} {
    set words [split [pg_pick $paragraphs] " "]
    if {[pg_rnd 2]} { lappend words {*}[split [pg_pick $paragraphs] " "] }
    set inserts [dict create]
    for {set k [expr {1 + [pg_rnd 4]}]} {$k > 0} {incr k -1} {
      dict lappend inserts [pg_rnd [llength $words]] [list item [pg_pick $kinds]]
    }
    for {set k [pg_rnd 5]} {$k > 0} {incr k -1} {
      dict lappend inserts [pg_rnd [llength $words]] [list distractor]
    }
    set doc ""
    set nb 0
    set spans {}
    set i 0
    set prev word
    foreach w $words {
      if {[dict exists $inserts $i]} {
        foreach ins [dict get $inserts $i] {
          if {[lindex $ins 0] eq "item"} {
            set kind [lindex $ins 1]
            set pre [pg_pick [dict get $::pg_before $kind]]
            set item [pg_item $kind]
            set post [pg_pick $::pg_after]
            set piece [pg_sep $prev]$pre
            append doc $piece; incr nb [pg_bytes $piece]
            lappend spans [list $kind $nb [expr {$nb + [pg_bytes $item]}]]
            append doc $item; incr nb [pg_bytes $item]
            append doc $post; incr nb [pg_bytes $post]
            set prev insert
          } else {
            set piece [pg_sep $prev][pg_distractor]
            append doc $piece; incr nb [pg_bytes $piece]
          }
          set prev insert
        }
      }
      set piece [expr {$nb ? " " : ""}]$w
      append doc $piece; incr nb [pg_bytes $piece]
      set prev word
      incr i
    }
    lappend set [list $doc $spans]
  }
  return $set
}

# Runs pii_spans over the set on db: per kind {tp fp fn}, a hit true when
# its kind, start and end are a planted item's.  With misses, the first
# few wrong ones as {doc-index kind start end text found|missed}.
proc pii_gen_score {db set {options ""} {samplesvar ""}} {
  if {$samplesvar ne ""} { upvar $samplesvar samples }
  set samples {}
  set score [dict create]
  foreach k {email ip phone card iban} { dict set score $k {0 0 0} }
  set d 0
  foreach entry $set {
    lassign $entry doc spans
    set want [dict create]
    foreach s $spans { dict set want $s 1 }
    $db eval {SELECT kind, start, "end" AS e, text FROM pii_spans($doc, $options)} {
      set key [list $kind $start $e]
      lassign [dict get $score $kind] tp fp fn
      if {[dict exists $want $key]} {
        incr tp
        dict unset want $key
      } else {
        incr fp
        if {[llength $samples] < 20} { lappend samples [list $d $kind $start $e $text found] }
      }
      dict set score $kind [list $tp $fp $fn]
    }
    foreach key [dict keys $want] {
      lassign $key kind start e
      lassign [dict get $score $kind] tp fp fn
      dict set score $kind [list $tp $fp [incr fn]]
      if {[llength $samples] < 20} {
        set bytes [encoding convertto utf-8 $doc]
        lappend samples [list $d $kind $start $e [string range $bytes [expr {$start - 10}] [expr {$e + 10}]] missed]
      }
    }
    incr d
  }
  return $score
}

# Precision and recall of a {tp fp fn}.
proc pii_gen_pr {tpfpfn} {
  lassign $tpfpfn tp fp fn
  set p [expr {$tp + $fp ? double($tp) / ($tp + $fp) : 1.0}]
  set r [expr {$tp + $fn ? double($tp) / ($tp + $fn) : 1.0}]
  return [list $p $r]
}
