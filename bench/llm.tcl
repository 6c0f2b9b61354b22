# The model-in-the-loop functions (issue 19) over N prompts of real text
# (default 200,000), in rows/s and MB/s, each next to what plain SQLite
# does with the same rows in the same run:
#
#   - llm_request() (format=batch, format=chat, a JSON messages array)
#     next to the same request line built by json_object()/json_array(),
#     and whether both give the same JSON on every row (byte for byte;
#     else after json(), and decoded: json_tree's keys, types and values);
#   - llm_response(line, 'text') and (line, 'error') over Batch API output
#     lines made from the same texts (json_object(); 1 line in 100 an
#     error line), next to json_extract();
#   - regexp(), regexp_replace() and regexp_split (PCRE2) next to LIKE and
#     replace();
#   - fewshot() plain and with format=chat, a pool of 5 shots, k=5.
#
#   tclsh bench/llm.tcl LIB [-n N] [-runs R] [-seed S] [-corpora-dir DIR]
#                           [CORPUS...]
#
# A CORPUS is a JSONL file ({"id","text"} a line); without one,
# debian-handbook.jsonl and man.jsonl of DIR (default $CORPORA_DIR or
# /tmp/corpora).  The prompts: runs of 1 to 8 consecutive non-empty lines
# of the texts (the count drawn from the seed), an equal share of N from
# each corpus in its file order (a short corpus leaves its rest to the
# next); the newlines kept.  A passage llm_request() would read as a
# messages array and refuse (one that starts with "[" and is JSON, such as
# "[1]", or looks like it, "[]..." or "[{...") is left out and counted.
# Each query is the best of R runs (default 3),
# on one thread.  MB/s is of the prompts' text (the output lines' for
# llm_response).  Figures, never a verdict.
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/llm.tcl LIB \[-n N\] \[-runs R\] \[-seed S\] \[-corpora-dir DIR\] \[CORPUS...\]"
  exit 2
}
set n 200000
set runs 3
set seed 1
set corpora_dir [expr {[info exists env(CORPORA_DIR)] ? $env(CORPORA_DIR) : "/tmp/corpora"}]
set files [parse_args $argv {-n n -runs runs -seed seed -corpora-dir corpora_dir}]
foreach v {n runs} {
  if {![string is integer -strict [set $v]] || [set $v] < 1} usage
}
if {![string is integer -strict $seed]} usage
if {![llength $files]} {
  foreach c {debian-handbook man} {
    set f [file join $corpora_dir $c.jsonl]
    if {[file size $f] > 0} { lappend files $f }
  }
  if {![llength $files]} {
    puts stderr "bench/llm.tcl: no corpus given and none of debian-handbook.jsonl, man.jsonl in $corpora_dir"
    exit 2
  }
}

header "llm: llm_request(), llm_response(), regexp*, fewshot() (bench/llm.tcl)" 8
machine_fields " (one used)"
field rows $n
field runs "best of $runs, wall clock"
field seed $seed
open_db $lib
print_corpus_debug 1

# ---- the prompts -------------------------------------------------------------
# prompts(text): the passage; list: the same lines numbered "1. ", "2. ", ...
# after the first, as a model's numbered reply (regexp_split's input in
# Self-Instruct).  The texts are handled as bytes in Tcl (read in binary,
# bound as BLOBs with @, CAST to TEXT in SQL): Tcl 8.6 holds a character
# past U+FFFF as two surrogates and would hand SQLite their CESU-8 bytes,
# invalid UTF-8, instead of the corpus's own.
db eval {
  CREATE TABLE prompts(id INTEGER PRIMARY KEY, custom_id TEXT, src TEXT, text TEXT, list TEXT)
}
set t0 [now]
expr {srand($seed)}
set id 0
set skipped 0
set left [llength $files]
foreach f $files {
  set quota [expr {($n - $id + $left - 1) / $left}]
  incr left -1
  set src [file rootname [file tail $f]]
  set ch [open $f r]
  fconfigure $ch -translation binary
  set got 0
  db transaction {
    while {$got < $quota && [gets $ch line] >= 0} {
      if {$line eq ""} continue
      set lines {}
      foreach l [split [db onecolumn {SELECT CAST(CAST(@line AS TEXT) ->> '$.text' AS BLOB)}] \n] {
        if {![regexp {^[ \t\r]*$} $l]} { lappend lines $l }
      }
      set i 0
      while {$i < [llength $lines] && $got < $quota} {
        set k [expr {1 + int(rand() * 8)}]
        set chunk [lrange $lines $i [expr {$i + $k - 1}]]
        incr i $k
        set text [join $chunk \n]
        # a text that starts with "[" (after white space) and is JSON, or
        # looks like it, llm_request() reads as messages and refuses: left out
        if {[regexp {^[ \t\r\n]*\[} $text] &&
            [catch {db onecolumn {SELECT llm_request('x', CAST(@text AS TEXT), 'model=m')}}]} {
          incr skipped
          if {![info exists skipped_text]} { set skipped_text [encoding convertfrom utf-8 $text] }
          continue
        }
        set list [lindex $chunk 0]
        set j 1
        foreach l [lrange $chunk 1 end] { append list \n "$j. " $l; incr j }
        incr id
        incr got
        db eval {INSERT INTO prompts VALUES ($id, 'p-' || $id, $src, CAST(@text AS TEXT), CAST(@list AS TEXT))}
      }
    }
  }
  close $ch
}
set n $id
db eval {SELECT src, count(*) AS c, sum(length(CAST(text AS BLOB))) AS b FROM prompts GROUP BY src ORDER BY min(id)} {
  lappend mix [format "%s %d (%.1f MB)" $src $c [expr {$b / 1e6}]]
}
lassign [db eval {
  SELECT sum(length(CAST(text AS BLOB))), sum(length(CAST(list AS BLOB))),
         sum(length(CAST(text AS BLOB)) > length(text)), sum(instr(text, char(10)) > 0)
    FROM prompts
}] bytes list_bytes nonascii multiline
set mb [expr {$bytes / 1e6}]
set list_mb [expr {$list_bytes / 1e6}]
field prompts [format "%d: %.1f MB (%.0f bytes a prompt); %s" $n $mb [expr {double($bytes) / $n}] [join $mix {, }]]
field kinds [format "%.1f%% with non-ASCII characters, %.1f%% of more than one line" \
                 [expr {100.0 * $nonascii / $n}] [expr {100.0 * $multiline / $n}]]
if {$skipped} {
  field skipped "$skipped passages that start with \[ and that llm_request() reads as a messages array and refuses, such as [string range $skipped_text 0 40]"
}
field made [format "%.1f s" [expr {[now] - $t0}]]

# ---- tables of timings --------------------------------------------------------
# ROWS: {label sql} pairs; the first is the section's baseline, the plain
# scan ("x scan" divides by its time).  MB: the MB the rate is of, unless
# ::row_mb(LABEL) gives a row's own.
proc table {title rows mb} {
  puts "\n== $title"
  puts [format "   %-66s %8s %10s %8s %8s  %s" query seconds rows/s MB/s "x scan" result]
  set base {}
  foreach {label sql} $rows {
    if {[catch {uplevel #0 [list time_query $sql]} tr]} {
      puts [format "   %-66s %8s  %s" $label error $tr]
      continue
    }
    lassign $tr s r
    if {$base eq ""} { set base $s }
    set m [expr {[info exists ::row_mb($label)] ? $::row_mb($label) : $mb}]
    puts [format "   %-66s %8.3f %10s %8.1f %7.2fx  %s" $label $s \
              [fmt_rate [expr {$::n / $s}]] [expr {$m / $s}] [expr {$s / $base}] \
              [string range $r 0 30]]
  }
}

# ---- llm_request() ------------------------------------------------------------
set O {model=gpt-4o-mini temperature=0.7 max_tokens=256}
set Oc "$O format=chat"
set sql_batch {json_object('custom_id', custom_id, 'method', 'POST', 'url', '/v1/chat/completions',
  'body', json_object('model', 'gpt-4o-mini', 'messages', json_array(json_object('role', 'user', 'content', text)),
                      'temperature', 0.7, 'max_tokens', 256))}
set sql_chat {json_object('model', 'gpt-4o-mini', 'messages', json_array(json_object('role', 'user', 'content', text)),
  'temperature', 0.7, 'max_tokens', 256)}
set sql_msgs {json_array(json_object('role', 'system', 'content', 'Be brief.'), json_object('role', 'user', 'content', text))}
set sql_batch2 "json_object('custom_id', custom_id, 'method', 'POST', 'url', '/v1/chat/completions',
  'body', json_object('model', 'gpt-4o-mini', 'messages', $sql_msgs, 'temperature', 0.7, 'max_tokens', 256))"
set ext_batch {llm_request(custom_id, text, $O)}
set ext_chat {llm_request(custom_id, text, $Oc)}
set ext_msgs "llm_request(custom_id, $sql_msgs, \$O)"
proc bytes_of {e} { return "SELECT sum(length(CAST($e AS BLOB))) FROM prompts" }

puts "\nO = '$O'; M = json_array(json_object('role', 'system', 'content', 'Be brief.'),"
puts "    json_object('role', 'user', 'content', text)); json_object(batch) = json_object('custom_id',"
puts "    custom_id, 'method', 'POST', 'url', '/v1/chat/completions', 'body', json_object('model',"
puts "    'gpt-4o-mini', 'messages', json_array(json_object('role', 'user', 'content', text)),"
puts "    'temperature', 0.7, 'max_tokens', 256)); result: bytes written"
table "llm_request(): $n prompts ([format %.1f $mb] MB)" [list \
  "scan: length(CAST(text AS BLOB))"                [bytes_of text] \
  "json_object(batch) (plain SQL, the same line)"   [bytes_of $sql_batch] \
  "llm_request(custom_id, text, O)"                 [bytes_of $ext_batch] \
  "json_object(...) of the chat body (plain SQL)"   [bytes_of $sql_chat] \
  "llm_request(custom_id, text, O || ' format=chat')" [bytes_of $ext_chat] \
  "M alone (json_array of two json_object)"         [bytes_of $sql_msgs] \
  "json_object(batch) with M as messages (plain SQL)" [bytes_of $sql_batch2] \
  "llm_request(custom_id, M, O)"                    [bytes_of $ext_msgs] \
] $mb

# Whether both give the same JSON, on every row: byte for byte; the rows
# that differ, after json() (SQLite's minification) and decoded (json_tree's
# path, type and value of every node, strings unescaped).  The first row
# that differs in bytes is shown around the first character that differs.
proc tree {e} {
  return "(SELECT group_concat(fullkey || ' ' || type || ' ' || quote(atom), char(31)) FROM json_tree($e))"
}
proc compare {label ext ref} {
  set pairs "SELECT id, $ext AS a, $ref AS b FROM prompts"
  lassign [uplevel #0 [list db eval "
    CREATE TEMP TABLE diff AS SELECT id, a, b FROM ($pairs) WHERE a IS NOT b;
    SELECT count(*), sum(json(a) = json(b)), sum([tree a] = [tree b]) FROM diff"]] ndiff jsame dsame
  if {$ndiff == 0} {
    puts [format "   %-44s %d rows: all byte-equal" $label $::n]
  } else {
    puts [format "   %-44s %d rows: %d byte-equal; of the %d others, %d equal after json(), %d equal decoded" \
              $label $::n [expr {$::n - $ndiff}] $ndiff $jsame $dsame]
  }
  db eval {SELECT id, a, b FROM diff ORDER BY id LIMIT 1} {
    set i 0
    while {$i < [string length $a] && [string index $a $i] eq [string index $b $i]} { incr i }
    set from [expr {max(0, $i - 30)}]
    puts "     first difference: row $id, character $i:"
    puts "       llm_request: ...[string range $a $from [expr {$i + 30}]]..."
    puts "       json_object: ...[string range $b $from [expr {$i + 30}]]..."
  }
  db eval {DROP TABLE diff}
}
puts "\n== the same JSON? llm_request() next to json_object(), all $n rows"
compare "llm_request(custom_id, text, O)"       $ext_batch $sql_batch
compare "llm_request(..., O || ' format=chat')" $ext_chat  $sql_chat
compare "llm_request(custom_id, M, O)"          $ext_msgs  $sql_batch2
puts "   a row of llm_request(custom_id, text, O): [db onecolumn "SELECT $ext_batch FROM prompts WHERE id = 1"]"

# ---- llm_response() -----------------------------------------------------------
# The output line a batch gives back for each prompt, the prompt as the
# answer; every 100th row an expired request instead.
db eval {
  CREATE TABLE outs(id INTEGER PRIMARY KEY, line TEXT);
  INSERT INTO outs SELECT id, CASE WHEN id % 100 = 0 THEN
      json_object('id', 'batch_req_' || id, 'custom_id', custom_id, 'response', NULL,
        'error', json_object('code', 'batch_expired',
          'message', 'This request could not be executed before the completion window expired.'))
    ELSE
      json_object('id', 'batch_req_' || id, 'custom_id', custom_id,
        'response', json_object('status_code', 200, 'request_id', 'req_' || id,
          'body', json_object('id', 'chatcmpl-' || id, 'object', 'chat.completion',
            'created', 1733011200, 'model', 'gpt-4o-mini-2024-07-18',
            'choices', json_array(json_object('index', 0,
              'message', json_object('role', 'assistant', 'content', text, 'refusal', NULL),
              'logprobs', NULL, 'finish_reason', 'stop')),
            'usage', json_object('prompt_tokens', 20 + length(text) / 4,
              'completion_tokens', length(text) / 4, 'total_tokens', 20 + length(text) / 2),
            'system_fingerprint', 'fp_44709d6fcb')),
        'error', NULL) END
    FROM prompts;
}
set out_mb [expr {[db onecolumn {SELECT sum(length(CAST(line AS BLOB))) FROM outs}] / 1e6}]
set jx {json_extract(line, '$.response.body.choices[0].message.content')}
puts "\nresult: bytes of the answers read, or how many errors"
table "llm_response(): $n batch output lines ([format %.1f $out_mb] MB)" [list \
  "scan: length(CAST(line AS BLOB))" \
    {SELECT sum(length(CAST(line AS BLOB))) FROM outs} \
  "json_extract(line, '\$.response.body.choices\[0\].message.content')" \
    "SELECT sum(length(CAST($jx AS BLOB))) FROM outs" \
  "llm_response(line, 'text')" \
    {SELECT sum(length(CAST(llm_response(line, 'text') AS BLOB))) FROM outs} \
  "json_extract(line, '\$.error') IS NOT NULL" \
    {SELECT sum(json_extract(line, '$.error') IS NOT NULL) FROM outs} \
  "llm_response(line, 'error') IS NOT NULL" \
    {SELECT sum(llm_response(line, 'error') IS NOT NULL) FROM outs} \
] $out_mb
lassign [db eval "SELECT sum(llm_response(line, 'text') IS NOT $jx),
                         sum(llm_response(line, 'text') IS NOT (SELECT text FROM prompts WHERE id = outs.id) AND id % 100)
                    FROM outs"] d1 d2
puts "   llm_response(line, 'text') differs from json_extract in $d1 rows, from the prompt (answered rows) in $d2"

# ---- regexp(), regexp_replace(), regexp_split ----------------------------------
set P {(?i)\b(image|images|graph|graphs|picture|pictures|file|files|map|maps|draw|plot|go to)\b}
set like {text LIKE '%image%' OR text LIKE '%graph%' OR text LIKE '%picture%' OR text LIKE '%file%'
  OR text LIKE '%map%' OR text LIKE '%draw%' OR text LIKE '%plot%' OR text LIKE '%go to%'}
set split_list "regexp_split(list, '\\n\\d+\\s?\\. ') (the lines numbered)"
set row_mb($split_list) $list_mb
puts "\nP = '$P' (Self-Instruct's keyword filter); result: rows matched, bytes written, pieces"
table "regexp*: $n prompts ([format %.1f $mb] MB)" [list \
  "scan: length(CAST(text AS BLOB))" [bytes_of text] \
  "regexp(P, text)" "SELECT sum(regexp('$P', text)) FROM prompts" \
  "LIKE '%image%' OR ... 8 LIKEs (plain SQL; substrings, no \\b)" "SELECT sum($like) FROM prompts" \
  "regexp('(?i)(image|graph|...|go to)', text) (the LIKEs' test)" \
    {SELECT sum(regexp('(?i)(image|graph|picture|file|map|draw|plot|go to)', text)) FROM prompts} \
  "regexp_replace(text, '\\s+', ' ')" [bytes_of {regexp_replace(text, '\s+', ' ')}] \
  "replace(text, char(10), ' ') (plain SQL; newlines only)" [bytes_of {replace(text, char(10), ' ')}] \
  "regexp_split(text, '\\n\\d+\\s?\\. ')" \
    {SELECT count(*) FROM prompts, regexp_split(prompts.text, '\n\d+\s?\. ')} \
  $split_list \
    {SELECT count(*) FROM prompts, regexp_split(prompts.list, '\n\d+\s?\. ')} \
] $mb

# ---- fewshot() ------------------------------------------------------------------
# 5 shots: the first 300 characters of prompts 1-5, each with the first 80
# of prompt 6-10 as its target; k=5 (all of them, in the query's order).
set pool [db onecolumn {
  SELECT json_group_array(json_object('id', 's' || p.id, 'text', substr(p.text, 1, 300),
                                      'target', substr(q.text, 1, 80)))
    FROM prompts AS p JOIN prompts AS q ON q.id = p.id + 5 WHERE p.id <= 5
}]
set ctx [db onecolumn {
  SELECT group_concat(substr(p.text, 1, 300) || ' ' || substr(q.text, 1, 80), char(10, 10)) || char(10, 10)
    FROM prompts AS p JOIN prompts AS q ON q.id = p.id + 5 WHERE p.id <= 5
}]
puts "\npool: 5 shots, [string length $pool] characters of JSON; result: bytes written"
table "fewshot(id, text, pool, 5): $n prompts ([format %.1f $mb] MB)" [list \
  "scan: length(CAST(text AS BLOB))" [bytes_of text] \
  "\$shots || text (plain SQL: the 5 shots fixed, as one string)" [bytes_of {$ctx || text}] \
  "fewshot(id, text, pool, 5)" [bytes_of {fewshot(id, text, $pool, 5)}] \
  "fewshot(id, text, pool, 5, 'format=chat')" [bytes_of {fewshot(id, text, $pool, 5, 'format=chat')}] \
  "llm_request(custom_id, fewshot(..., 'format=chat'), O)" \
    [bytes_of {llm_request(custom_id, fewshot(id, text, $pool, 5, 'format=chat'), $O)}] \
] $mb

db close
