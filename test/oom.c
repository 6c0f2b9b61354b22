/*
** Allocation-failure injection, in the manner of SQLite's malloc tests.
** SQLite's allocator is replaced (SQLITE_CONFIG_MALLOC) by one that fails
** on request; the extension uses SQLite's allocator once
** sqlite3_corpus_init() has run (ext/base.c), so its allocations fail too.
** Each case below is run with the Nth allocation failing, for N = 1, 2, ...
** until a run makes N-1 allocations or fewer ("transient"), and with every
** allocation from the Nth on failing ("persistent", unless -fast).  Each
** run starts from a new connection and the case's fixture (made with no
** failure), and must:
**   - end in SQLITE_OK with the result of the run without failures, or in
**     SQLITE_NOMEM with the message "out of memory", nothing else;
**   - leave every table as the run without failures did (OK), or as it was
**     before the statement (NOMEM): a failed write changes nothing;
**   - leave PRAGMA integrity_check and every ngram_index's,
**     minhash_index's and substring_index's integrity-check passing;
**   - return every byte: after the connection closes, as many allocations
**     are live as before it opened (and LeakSanitizer in make asan).
** A crash ends the program, which test/oom01.test reports.
**
**   oom [-fast] [-v] [CASE-GLOB ...]
**
** Prints a line per case (allocation points failed) and ends with
** "oom: N cases, N points failed, N faults".  Before running, every SQL
** function (name and argument count) and every module the extension
** registers must be named by a case's "covers": a function added later
** without a case here fails the run.
*/
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <sqlite3.h>
#include "corpus.h"

/* ---- The failing allocator ------------------------------------------------- */

static sqlite3_mem_methods sys_mem;   /* SQLite's default, wrapped */
static struct {
  int armed;          /* counting and failing */
  int persistent;     /* fail every allocation from the target on */
  long target;        /* the allocation (1-based, since arming) to fail */
  long count;         /* allocations since arming */
  long failed;        /* failures injected since arming */
  long live;          /* allocations not yet freed */
} fault;

static int fault_now(void){
  if( !fault.armed ) return 0;
  fault.count++;
  if( fault.count==fault.target
   || (fault.persistent && fault.count>fault.target) ){
    fault.failed++;
    return 1;
  }
  return 0;
}

static void *fault_malloc(int n){
  void *p;
  if( fault_now() ) return 0;
  p = sys_mem.xMalloc(n);
  if( p ) fault.live++;
  return p;
}

static void fault_free(void *p){
  if( p ) fault.live--;
  sys_mem.xFree(p);
}

static void *fault_realloc(void *p, int n){
  if( fault_now() ) return 0;
  return sys_mem.xRealloc(p, n);
}

static int fault_size(void *p){ return sys_mem.xSize(p); }
static int fault_roundup(int n){ return sys_mem.xRoundup(n); }
static int fault_init(void *x){ return sys_mem.xInit(x); }
static void fault_shutdown(void *x){ sys_mem.xShutdown(x); }

static void fault_arm(long target, int persistent){
  fault.armed = 1;
  fault.persistent = persistent;
  fault.target = target;
  fault.count = fault.failed = 0;
}
static void fault_disarm(void){ fault.armed = 0; }

/* ---- The cases ---------------------------------------------------------------- */

/* The fixture of every case: documents, a model, an ngram_index, a
** minhash_index, a substring_index. */
#define FIXTURE \
  "CREATE TABLE docs(id INTEGER PRIMARY KEY, text TEXT, label INTEGER);" \
  "INSERT INTO docs VALUES" \
  " (1, 'The quick brown fox jumps over the lazy dog. It was a sunny day.', 1)," \
  " (2, 'Buy now! Cheap pills, click here for free money!!!', 0)," \
  " (3, 'A quiet house by the sea, where the gulls cry at dawn.\n\n- x\n- y', 1)," \
  " (4, 'Click here, free money, buy now, cheap cheap cheap caf\xC3\xA9.', 0);" \
  "CREATE TABLE model AS SELECT quality_train(text, label, 'buckets=1024') AS m "\
  "FROM docs;" \
  "CREATE VIRTUAL TABLE b USING ngram_index(n=3);" \
  "INSERT INTO b(text, source) VALUES ('the quick brown fox jumps', 's1')," \
  " ('lazy dog', 's2'), ('', 's3'), ('gulls cry at dawn today', 's4');" \
  "CREATE VIRTUAL TABLE m USING minhash_index(bands=8, rows=4, store_text=on," \
  " unique=on);" \
  "INSERT INTO m(rowid, text) SELECT id, text FROM docs;" \
  "CREATE VIRTUAL TABLE s USING substring_index(source=docs);"

#define DOC "(SELECT text FROM docs WHERE id = 1)"
#define DOC3 "(SELECT text FROM docs WHERE id = 3)"
#define POOL "'[{\"id\":1,\"text\":\"2+2?\",\"target\":\"4\"}," \
             "{\"id\":2,\"text\":\"3+3?\",\"target\":\"6\"}," \
             "{\"id\":3,\"text\":\"1+1?\",\"target\":\"2\"}]'"

typedef struct oom_case {
  const char *name;
  const char *covers;   /* "fn/nArg ...", "module:name ..." */
  const char *sql;      /* run with failures; may be several statements */
  int fast;             /* part of the -fast subset (make test) */
  int file;             /* on a database file, reopened before the run */
  int cache;            /* may build a process-wide cache once */
} oom_case;

static const oom_case cases[] = {
  /* first: spaCy's rules are built on first use, once per process, and
  ** this case fails each of their allocations as they are built */
  {"spacy_rules", "",
   "SELECT token_count('Hello, world! It''s 3.5 km (e.g. U.S.).', 'spacy_en')",
   1, 0, 1},
  {"version", "corpus_version/0 corpus_debug/0",
   "SELECT corpus_version(), length(corpus_debug()) > 0", 1, 0, 0},
  {"debug_memory", "corpus_debug/1",
   "SELECT corpus_debug('memory') LIKE '{\"used\":%'", 1, 0, 0},
  {"normalize", "normalize/1 normalize/2",
   "SELECT normalize(text), normalize(text, 'form=nfd accents=strip "
   "case=lower punct=keep') FROM docs", 1, 0, 0},
  {"tokenize", "tokenize/1 tokenize/2 tokenize/3",
   "SELECT tokenize(text), tokenize(text, 'spacy_en'), "
   "hex(tokenize(text, 'cl100k_base', 'format=blob')) FROM docs", 1, 0, 0},
  {"token_count", "token_count/1 token_count/2 token_count/3",
   "SELECT token_count(text), token_count(text, 'o200k_base'), "
   "token_count(text, 'r50k_base', 'specials=all') FROM docs", 1, 0, 0},
  {"detokenize", "detokenize/2",
   "SELECT detokenize(tokenize(text, 'p50k_base', 'format=blob'), "
   "'p50k_base') FROM docs", 1, 0, 0},
  {"tokens", "module:tokens",
   "SELECT id, group_concat(token, '|') FROM docs, tokens(docs.text, "
   "'cl100k_base') GROUP BY id", 1, 0, 0},
  {"tokens_words", "",
   "SELECT token, start, \"end\" FROM tokens(" DOC3 ")", 0, 0, 0},
  {"ngrams", "module:ngrams",
   "SELECT ngram, hash, position FROM ngrams(" DOC ", 3)", 1, 0, 0},
  {"ngrams_char", "",
   "SELECT count(*), total(hash) FROM ngrams(" DOC ", 5, 'unit=char')", 0, 0, 0},
  {"hash", "xxh64/1 xxh64/2 xxh3/1 xxh3/2 xxh128/1",
   "SELECT xxh64(text), xxh64(text, 7), xxh3(text), xxh3(text, 7), "
   "hex(xxh128(text)) FROM docs", 1, 0, 0},
  {"sample", "sample_keep/2 sample_keep/3 quality_keep/2 quality_keep/3 "
   "quality_keep/4",
   "SELECT sample_keep(id, 0.5), sample_keep(id, 0.5, 3), "
   "quality_keep(0.4, id), quality_keep(0.4, id, 2.0), "
   "quality_keep(0.4, id, 2.0, 9) FROM docs", 1, 0, 0},
  {"minhash", "minhash/1 minhash/2 minhash_jaccard/2 minhash_info/1",
   "SELECT hex(minhash(text)), minhash_info(minhash(text, 'num_perm=64 "
   "ngram=2')), minhash_jaccard(minhash(text), minhash('x ' || text)) "
   "FROM docs", 1, 0, 0},
  {"jaccard", "jaccard/2 jaccard/3",
   "SELECT jaccard(text, 'the quick fox'), jaccard(text, text || ' x', "
   "'ngram=2 unit=char') FROM docs", 1, 0, 0},
  {"lsh", "lsh_params/2 lsh_params/4 lsh_bucket/3 lsh_bucket/4",
   "SELECT lsh_params(0.7, 16), lsh_params(0.5, 16, 0.3, 0.7); "
   "SELECT lsh_bucket(minhash(text), 1, 16), lsh_bucket(minhash(text), 2, 16, "
   "8) FROM docs", 1, 0, 0},
  /* its integration takes 25 ms a call: not in -fast */
  {"lsh_params", "lsh_params/1", "SELECT lsh_params(0.8)", 0, 0, 0},
  {"lsh_bands", "module:lsh_bands",
   "SELECT id, band, bucket FROM docs, lsh_bands(minhash(docs.text), 4, 32)",
   1, 0, 0},
  {"dedup_clusters", "module:dedup_clusters",
   "SELECT id, cluster FROM dedup_clusters('SELECT a.id, b.id FROM docs a, "
   "docs b WHERE a.id < b.id AND a.label = b.label')", 1, 0, 0},
  /* pairs of every label, verified with union-find as they go: texts and
  ** signatures */
  {"dedup_verify", "module:dedup_verify",
   "SELECT a, b, similarity FROM dedup_verify('SELECT a.id, b.id FROM docs "
   "a, docs b WHERE a.id < b.id AND a.label = b.label', 'SELECT id, text "
   "FROM docs ORDER BY id', 'threshold=0.1 ngram=1'); SELECT count(*) FROM "
   "dedup_verify('SELECT a.id, b.id FROM docs a, docs b', 'SELECT id, "
   "minhash(text) FROM docs ORDER BY id', 'skip=none threshold=0.01'); "
   "SELECT count(*) FROM dedup_verify('SELECT a.id, b.id FROM docs a, docs "
   "b', 'SELECT id, text FROM docs ORDER BY id', 'memory=0 threshold=0.1')",
   1, 0, 0},
  /* each document and a copy: verified pairs, their texts held */
  {"near_duplicates", "module:near_duplicates",
   "SELECT id, cluster, keep FROM near_duplicates('SELECT id, text FROM docs "
   "UNION ALL SELECT id + 10, text || '' x'' FROM docs', 'threshold=0.5'); "
   "SELECT count(*) FROM near_duplicates('SELECT id, text FROM docs UNION "
   "ALL SELECT id + 10, text FROM docs', 'threshold=0.5 verify_memory=0')",
   1, 0, 0},
  {"near_duplicates_keep", "",
   "SELECT id, cluster, keep FROM near_duplicates('SELECT ''d'' || id, text, "
   "label FROM docs UNION ALL SELECT ''e'' || id, text, -label FROM docs', "
   "'verify=minhash all_pairs=2 keep=max(label)'); "
   "SELECT id, keep FROM near_duplicates('SELECT id, text FROM docs UNION ALL "
   "SELECT 2.5 * id, upper(text) FROM docs', 'keep=longest')", 0, 0, 0},
  {"write_jsonl", "write_jsonl/2 write_jsonl/3",
   "SELECT write_jsonl('/tmp/corpus-oom-none.jsonl', NULL), "
   "write_jsonl('/tmp/corpus-oom-w.jsonl.zst', json_object('id', id, 'text', "
   "text), 'overwrite=on shard_rows=3') FROM docs", 1, 0, 0},
  {"report", "chart_svg/1 chart_svg/2 corpus_report/3 corpus_report/4",
   "SELECT chart_svg('{\"count\":4,\"nulls\":1,\"below\":1,\"bins\":["
   "{\"lo\":1,\"hi\":10,\"count\":2},{\"lo\":10,\"hi\":1e3,\"count\":1}]}', "
   "'title=\"T & t\" x=tokens y=docs note=n width=300 unit=docs'), "
   "(SELECT chart_svg(json_group_array(json_array(text, id)), 'max_bars=2 unit=docs') "
   "FROM docs), chart_svg('[{\"label\":null,\"value\":12345.5}]'), "
   "corpus_report('/tmp/corpus-oom-report.html', 'R <&>', json_array("
   "chart_svg('[[\"a\",1]]'), chart_svg('[]')), 'overwrite=on note=x'), "
   "corpus_report('/tmp/corpus-oom-report.html', 'R', '[]', 'overwrite=on')",
   1, 0, 0},
  {"read_text", "module:read_text",
   "SELECT path, size, length(text) FROM read_text('/etc/host*')", 1, 0, 0},
  {"quality_signals", "quality_signals/1 quality_signals/2",
   "SELECT quality_signals(text), quality_signals(text, 'rules=c4') "
   "FROM docs", 1, 0, 0},
  {"quality_rules", "quality_reject/1 quality_reject/2 quality_score/1 "
   "quality_score/2 c4_clean/1 c4_clean/2",
   "SELECT quality_reject(text), quality_reject(text, 'rules=gopher'), "
   "quality_score(text), quality_score(text, 'rules=fineweb'), "
   "c4_clean(text), c4_clean(text, 'c4.preset=tfds') FROM docs", 1, 0, 0},
  {"quality_train", "quality_train/2 quality_train/3",
   "SELECT length(quality_train(text, label)), hex(quality_train(text, label, "
   "'buckets=1024')) FROM docs", 1, 0, 0},
  {"quality_classify", "quality_classify/2 quality_model_info/1",
   "SELECT quality_classify(text, (SELECT m FROM model)), "
   "quality_model_info((SELECT m FROM model)) FROM docs", 1, 0, 0},
  {"prompt", "prompt/2",
   "SELECT prompt('[{{lang|English}}] {{#shots}}Q: {{q}} A: {{a}}\n"
   "{{/shots}}{{^shots}}none{{/shots}}Q: {{query}}', json_object('query', "
   "text, 'shots', json_array(json_object('q', '1+1', 'a', 2)))) FROM docs",
   1, 0, 0},
  {"fewshot", "fewshot/4 fewshot/5",
   "SELECT fewshot(id, text, " POOL ", 2), fewshot(id, text, " POOL ", 1, "
   "'description=\"D: \" sampler=first_n') FROM docs", 1, 0, 0},
  {"fewshot_chat", "",
   "SELECT fewshot(id, text, " POOL ", 2, 'format=chat system=S description=D'), "
   "fewshot(id, text, " POOL ", 2, 'format=chat multiturn=off') FROM docs",
   1, 0, 0},
  {"llm_request", "llm_request/2 llm_request/3",
   "SELECT llm_request(id, text, 'model=m temperature=0.5 seed=1 max_tokens=9 "
   "response_format=json_object body=''{\"stop\": [\"x\"]}'''), "
   "llm_request('q' || id, fewshot(id, text, " POOL ", 1, 'format=chat'), "
   "'format=chat'), llm_request(id, '[{\"role\":\"user\",\"content\":"
   "[{\"type\":\"text\",\"text\":\"a\"}]}]', 'format=chat') FROM docs",
   1, 0, 0},
  {"llm_response", "llm_response/2",
   "SELECT llm_response(l, f) FROM (SELECT '{\"custom_id\":\"a\",\"response\":"
   "{\"status_code\":400,\"body\":{\"error\":{\"message\":\"bad\","
   "\"code\":\"x\"},\"choices\":[{\"message\":{\"content\":\"hi \\u00e9\","
   "\"tool_calls\":[1]},\"finish_reason\":\"stop\"}]}},\"error\":null}' AS l), "
   "(SELECT 'text' AS f UNION ALL SELECT 'error' UNION ALL SELECT 'tool_calls' "
   "UNION ALL SELECT 'body' UNION ALL SELECT 'custom_id' UNION ALL SELECT 'choices')",
   1, 0, 0},
  {"rouge", "rouge_l/2 rouge_l/3 rouge_n/3 rouge_n/4",
   "SELECT rouge_l(a.text, b.text), rouge_l(a.text, b.text, 'measure=recall'), "
   "rouge_n(a.text, b.text, 2), rouge_n(a.text, b.text, 3, 'measure=precision') "
   "FROM docs AS a, docs AS b", 1, 0, 0},
  {"regexp", "regexp/2 regexp_replace/3 module:regexp_split",
   "SELECT regexp('(?i)\\b(free|sea)\\b', text), "
   "regexp_replace(text, '\\s+', ' '), "
   "(SELECT group_concat(piece, '|') FROM regexp_split(docs.text, '[,.]')) "
   "FROM docs",
   1, 0, 0},
  {"calibrate", "calibrate/2 content_free_probs/1",
   "SELECT calibrate('[0.7, 0.2, 0.1]', (SELECT content_free_probs(p) FROM "
   "(SELECT '[0.5, 0.3, 0.2]' AS p UNION ALL SELECT '[0.4, 0.4, 0.2]')))", 1, 0, 0},
  {"decontam_n", "decontam_n/1 covered_words/2",
   "SELECT decontam_n(text), (SELECT covered_words(id * 3, 4) FROM docs) "
   "FROM docs", 1, 0, 0},
  {"contamination", "contamination/2",
   "SELECT contamination(text, 'b') FROM docs", 1, 0, 0},
  {"decontaminate", "decontaminate/2 decontaminate/3",
   "SELECT decontaminate(text, 'b'), decontaminate(text, 'main.b', "
   "'window=2 min_piece=1 too_dirty=10') FROM docs", 1, 0, 0},
  {"read_jsonl", "module:read_jsonl",
   "SELECT * FROM read_jsonl('docs.jsonl*', 'on_error=skip');"
   "CREATE VIRTUAL TABLE temp.j USING read_jsonl('docs.jsonl.gz', "
   "'columns=id,text,u:m.u,n,big strict=off');"
   "SELECT * FROM j; SELECT * FROM read_jsonl('docs.jsonl.zst') LIMIT 1",
   1, 0, 0},
  {"url", "url_parts/1 url_domain/1",
   "SELECT url_parts('HTTPS://u@WWW.Example.CO.UK:8080/a?b#c'), "
   "url_domain('http://www.B\xC3\xBC" "cher.DE/x'), url_domain(text), "
   "url_parts('http://[::1]:80/') FROM docs", 1, 0, 0},
  {"html", "html_to_text/1 html_to_text/2 html_to_text/3 html_metadata/1 "
   "html_metadata/2",
   "SELECT html_to_text('<html lang=en><title>T</title><nav>n</nav><article>"
   "<h1>H</h1><p>One paragraph, with commas, long enough to score.</p>"
   "<table><tr><td>a<td>b</table><pre> p</pre></article><div class=comment>"
   "<p>c</p></div>'), html_to_text(CAST(text AS BLOB), 'text/html; "
   "charset=koi8-r', 'mode=all'), html_to_text(x'fffe3c0070003e006100', "
   "NULL, 'title=on comments=keep links=drop tables=drop'), "
   "html_metadata('<meta property=og:title content=t><script type="
   "application/ld+json>{\"@type\":\"Article\",\"author\":[{\"name\":"
   "\"a\"},\"b\"],\"datePublished\":\"2019-11-18\"}</script><time "
   "datetime=\"Nov 3, 2019\">'), html_metadata(CAST(text AS BLOB), "
   "'text/html') FROM docs", 1, 0, 0},
  {"lang", "lang_id/1 lang_id/2 module:lang_scores",
   "SELECT lang_id(text), lang_id(CAST(x'446572204bf66e696720' AS TEXT), "
   "'min_score=0'), lang_id(printf('%.*c', 3000, 'a') || ' the end', "
   "'sample=256') FROM docs;"
   "SELECT * FROM lang_scores('Der Ausschuss hat den Haushalt genehmigt.', "
   "'min_score=0.1 sample=0')", 1, 0, 0},
  {"pii", "pii_redact/1 pii_redact/2 module:pii_spans",
   "SELECT pii_redact('a@b.io 8.8.8.8 +1 415 555 2671 4111111111111111 "
   "GB82WEST12345698765432 ' || text), "
   "pii_redact(text, 'kinds=email,ip ips=all email=\"[e]\"') FROM docs;"
   "SELECT s.kind, s.start, s.text FROM docs, pii_spans('x ' || docs.text || "
   "' 2606:4700::1111 c@d.org', 'kinds=ip,email') AS s", 1, 0, 0},
  {"corpus_errors", "module:corpus_errors",
   "SELECT * FROM read_jsonl('docs.jsonl', 'on_error=skip');"
   "SELECT * FROM corpus_errors()", 1, 0, 0},
  {"ngram_create", "module:ngram_index",
   "CREATE VIRTUAL TABLE c USING ngram_index(n=4, fold=on)", 1, 0, 0},
  {"ngram_insert", "",
   "INSERT INTO b(text, source) SELECT text, 'docs' FROM docs", 1, 0, 0},
  {"ngram_update", "",
   "UPDATE b SET text = 'the slow brown fox walks' WHERE rowid = 1", 1, 0, 0},
  {"ngram_update_rowid", "",
   "UPDATE b SET rowid = 10 WHERE rowid = 2", 0, 0, 0},
  {"ngram_delete", "",
   "DELETE FROM b WHERE source IN ('s1', 's2')", 1, 0, 0},
  {"ngram_select", "",
   "SELECT rowid, text, source FROM b; SELECT text FROM b WHERE rowid = 4",
   1, 0, 0},
  /* a row skipped under OR IGNORE, then a failure: its message not the
  ** failure's */
  {"ngram_insert_ignore", "",
   "INSERT OR IGNORE INTO b(rowid, text, source) VALUES (1, 'skipped', 'x'),"
   " (20, 'one two three four', 'y')", 1, 0, 0},
  {"ngram_integrity", "",
   "INSERT INTO b(b) VALUES ('integrity-check')", 1, 0, 0},
  {"ngram_rename", "",
   "ALTER TABLE b RENAME TO b2", 0, 0, 0},
  {"ngram_drop", "",
   "DROP TABLE b", 0, 0, 0},
  {"ngram_transaction", "",
   "BEGIN; INSERT INTO b(text, source) VALUES ('one two three four', 't');"
   "UPDATE b SET text = 'lazy cat' WHERE rowid = 2;"
   "DELETE FROM b WHERE rowid = 4; COMMIT", 0, 0, 0},
  {"ngram_connect", "",
   "SELECT count(*) FROM b; SELECT contamination('the quick brown fox', 'b')",
   1, 1, 0},
  {"ngram_connect_write", "",
   "INSERT INTO b(text, source) VALUES ('one two three four', 't')", 0, 1, 0},
  {"minhash_index_create", "module:minhash_index",
   "CREATE VIRTUAL TABLE c USING minhash_index(threshold=0.7, num_perm=64)",
   1, 0, 0},
  {"minhash_index_write", "",
   "BEGIN; INSERT OR IGNORE INTO m(rowid, text) VALUES (10, 'a new text of its own "
   "words'), (11, (SELECT text FROM docs WHERE id = 1) || ' again');"
   "INSERT OR REPLACE INTO m(rowid, text) VALUES (12, (SELECT text FROM docs "
   "WHERE id = 2) || ' now');"
   "UPDATE m SET text = 'the slow brown fox walks' WHERE rowid = 3;"
   "UPDATE m SET rowid = 20 WHERE rowid = 4; DELETE FROM m WHERE rowid = 10;"
   "COMMIT", 1, 0, 0},
  {"minhash_index_query", "",
   "SELECT rowid, similarity, jaccard, text FROM m WHERE m MATCH " DOC
   " ORDER BY similarity DESC;"
   "SELECT rowid FROM m WHERE m MATCH minhash(" DOC ");"
   "SELECT rowid, length(sig) FROM m; SELECT text FROM m WHERE rowid = 2",
   1, 0, 0},
  {"minhash_index_commands", "",
   "BEGIN; INSERT INTO m(m) VALUES ('integrity-check');"
   "INSERT INTO m(m) VALUES ('rebuild'); INSERT INTO m(m) VALUES ('optimize');"
   "INSERT INTO m(m) VALUES ('delete-all'); COMMIT", 1, 0, 0},
  {"minhash_index_connect", "",
   "SELECT rowid FROM m WHERE m MATCH 'the quick brown fox';"
   "INSERT INTO m(rowid, text) VALUES (30, 'one two three four five')",
   0, 1, 0},
  {"minhash_index_rename", "",
   "ALTER TABLE m RENAME TO m2", 0, 0, 0},
  {"minhash_index_drop", "",
   "DROP TABLE m", 0, 0, 0},
  /* substring_dups: a table, and a query of TEXT and BLOB copies (width
  ** 64); the suffix array and the corpus are mapped memory, not SQLite's:
  ** what fails is the rest (ids, spans, options, the source's reads) */
  {"substring_dups", "module:substring_dups",
   "SELECT doc, start, end, count FROM substring_dups('docs', 'min_length=6');"
   "SELECT doc, start, end, count FROM substring_dups('SELECT id, CAST(text AS "
   "BLOB) FROM docs UNION ALL SELECT id + 10, text FROM docs WHERE id > 2', "
   "'min_length=20 min_count=2 width=64')", 1, 0, 0},
  {"substring_dups_tokens", "",
   "SELECT doc, start, end, count FROM substring_dups('SELECT id, text FROM "
   "docs', 'unit=tokens min_length=2');"
   "SELECT doc, start, end, count FROM substring_dups('docs', 'unit=tokens "
   "encoding=o200k_base min_length=1 min_count=3')", 1, 0, 0},
  /* the index s of the fixture: created (bytes and tokens), queried (its
  ** build loaded from the shadow tables on first use), through
  ** substring_dups, rebuilt, checked, renamed, dropped */
  {"substring_index_create", "module:substring_index",
   "BEGIN; CREATE VIRTUAL TABLE c USING substring_index(source='SELECT id, "
   "text FROM docs', width=64);"
   "CREATE VIRTUAL TABLE t USING substring_index(source=docs, unit=tokens, "
   "encoding=r50k_base);"
   "SELECT doc, start, end, count FROM t WHERE min_length = 2; COMMIT",
   1, 0, 0},
  {"substring_index_query", "",
   "SELECT doc, start, end, count FROM s WHERE min_length = 6;"
   "SELECT doc, start, end FROM s WHERE min_length = 9 AND min_count = 3;"
   "SELECT count(*) FROM s;"
   "SELECT doc, start, end, count FROM substring_dups('s', 'min_length=8')",
   1, 0, 0},
  {"substring_index_rebuild", "",
   "BEGIN; INSERT INTO docs VALUES (5, 'free money, buy now, the lazy dog', 1);"
   "INSERT INTO s(s) VALUES ('rebuild');"
   "SELECT doc, start, end, count FROM s WHERE min_length = 6; COMMIT",
   1, 0, 0},
  {"substring_index_integrity", "",
   "INSERT INTO s(s) VALUES ('integrity-check')", 1, 0, 0},
  {"substring_index_connect", "",
   "SELECT doc, start, end, count FROM s WHERE min_length = 6;"
   "INSERT INTO s(s) VALUES ('rebuild')", 0, 1, 0},
  {"substring_index_rename", "",
   "ALTER TABLE s RENAME TO s2", 0, 0, 0},
  {"substring_index_drop", "",
   "DROP TABLE s", 0, 0, 0},
  /* spans as pairs and objects, overlapping; TEXT and BLOB; the spans of
  ** substring_dups cut from each document */
  {"remove_spans", "remove_spans/2",
   "SELECT remove_spans(text, '[[0, 4], {\"start\": 2, \"end\": 9}]'), "
   "hex(remove_spans(CAST(text AS BLOB), '[[1, 2]]')) FROM docs;"
   "SELECT id, remove_spans(text, (SELECT json_group_array(json_array(start, "
   "end)) FROM substring_dups('docs', 'min_length=6') WHERE doc = docs.id)) "
   "FROM docs", 1, 0, 0},
  /* histogram's scales over integers and reals, with NULLs; quantiles
  ** with several points, by group */
  {"histogram", "histogram/1 histogram/2",
   "SELECT histogram(length(text)), histogram(id * 0.5, 'bins=3 scale=log'),"
   " histogram(label, 'scale=quantile bins=2'), histogram(id, 'lo=1 hi=3') "
   "FROM docs", 1, 0, 0},
  {"quantiles", "quantiles/2 quantiles/3",
   "SELECT quantiles(length(text), 'p10,p50,p99.9'),"
   " quantiles(id * 0.5, 'p50', 'method=midpoint') FROM docs;"
   "SELECT label, quantiles(id, 'p25,p75') FROM docs GROUP BY label", 1, 0, 0},
  /* a chunked body, repeated headers, gzip members, a record skipped and
  ** resynchronised, a glob */
  {"read_warc", "module:read_warc",
   "SELECT offset, record_type, target_uri, headers, http_status, "
   "http_headers, http_content_type, hex(payload) FROM "
   "read_warc('a.warc', 'on_error=skip');"
   "SELECT offset, record_id, length(payload) FROM read_warc('*.warc*', "
   "'types=response,resource on_error=skip')", 1, 0, 0},
};
#define NCASE ((int)(sizeof(cases)/sizeof(cases[0])))

/* ---- Running SQL ------------------------------------------------------------ */

typedef struct str { char *z; size_t n, cap; } str;

static void str_add(str *s, const char *z, size_t n){
  if( s->n+n+1>s->cap ){
    s->cap = (s->n+n+1)*2;
    s->z = realloc(s->z, s->cap);    /* the C library's: not counted */
    if( s->z==0 ){ fprintf(stderr, "oom: out of real memory\n"); exit(2); }
  }
  memcpy(s->z+s->n, z, n);
  s->n += n;
  s->z[s->n] = 0;
}
static void str_fmt(str *s, const char *fmt, ...){
  char buf[64];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  str_add(s, buf, (size_t)n);
}

/* Runs every statement of sql, appending each row to out (type-tagged);
** stops at the first error.  Returns its code (SQLITE_OK when all ran). */
static int run_sql(sqlite3 *db, const char *sql, str *out){
  int rc = SQLITE_OK;
  while( rc==SQLITE_OK && sql && sql[0] ){
    sqlite3_stmt *st = 0;
    const char *tail = 0;
    int i;
    rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
    sql = tail;
    if( rc!=SQLITE_OK || st==0 ) break;
    while( (rc = sqlite3_step(st))==SQLITE_ROW ){
      for(i=0; out && i<sqlite3_column_count(st); i++){
        int t = sqlite3_column_type(st, i);
        const char *z;
        if( t==SQLITE_NULL ){ str_add(out, "N|", 2); continue; }
        z = (const char*)sqlite3_column_text(st, i);
        if( z==0 ){ rc = SQLITE_NOMEM; break; }
        str_fmt(out, "%c:", "?IFTBN"[t]);
        str_add(out, z, (size_t)sqlite3_column_bytes(st, i));
        str_add(out, "|", 1);
      }
      if( rc==SQLITE_NOMEM ) break;
      if( out ) str_add(out, "\n", 1);
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    if( sqlite3_finalize(st)!=SQLITE_OK && rc==SQLITE_OK ){
      rc = sqlite3_errcode(db);
    }
  }
  return rc;
}

/* Every ordinary table's rows, and the schema: what a failed statement must
** not change. */
static int dump_state(sqlite3 *db, str *out){
  sqlite3_stmt *st;
  int rc = sqlite3_prepare_v2(db, "SELECT name, type, sql FROM sqlite_schema "
                              "ORDER BY name", -1, &st, 0);
  if( rc ) return rc;
  while( sqlite3_step(st)==SQLITE_ROW ){
    const char *name = (const char*)sqlite3_column_text(st, 0);
    const char *type = (const char*)sqlite3_column_text(st, 1);
    const char *sql = (const char*)sqlite3_column_text(st, 2);
    char *q;
    str_fmt(out, "%s ", type);
    str_add(out, name, strlen(name));
    str_add(out, "\n", 1);
    if( sql ){ str_add(out, sql, strlen(sql)); str_add(out, "\n", 1); }
    if( strcmp(type, "table")!=0 || sql==0
     || sqlite3_strnicmp(sql, "CREATE VIRTUAL", 14)==0 ) continue;
    /* a scan is in key order: the same rows read the same */
    q = sqlite3_mprintf("SELECT * FROM \"%w\"", name);
    if( q==0 ){ rc = SQLITE_NOMEM; break; }
    rc = run_sql(db, q, out);
    sqlite3_free(q);
    if( rc ) break;
  }
  sqlite3_finalize(st);
  return rc;
}

/* PRAGMA integrity_check and every ngram_index's, minhash_index's and
** substring_index's own; "" when all pass. */
static int check_integrity(sqlite3 *db, str *out){
  sqlite3_stmt *st;
  str got = {0, 0, 0};
  int rc = run_sql(db, "PRAGMA integrity_check", &got);
  if( rc==SQLITE_OK && strcmp(got.z, "T:ok|\n")!=0 ){
    str_add(out, got.z, got.n);
  }
  free(got.z);
  if( rc ) return rc;
  rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE sql LIKE "
                          "'CREATE VIRTUAL TABLE%USING ngram_index%' OR sql LIKE "
                          "'CREATE VIRTUAL TABLE%USING minhash_index%' OR sql "
                          "LIKE 'CREATE VIRTUAL TABLE%USING substring_index%'",
                          -1,
                          &st, 0);
  if( rc ) return rc;
  while( sqlite3_step(st)==SQLITE_ROW ){
    char *q = sqlite3_mprintf("INSERT INTO \"%w\"(\"%w\") VALUES "
                              "('integrity-check')", sqlite3_column_text(st, 0),
                              sqlite3_column_text(st, 0));
    if( run_sql(db, q, 0)!=SQLITE_OK ){
      str_fmt(out, "%s: ", (const char*)sqlite3_column_text(st, 0));
      str_add(out, sqlite3_errmsg(db), strlen(sqlite3_errmsg(db)));
      str_add(out, "\n", 1);
    }
    sqlite3_free(q);
  }
  return sqlite3_finalize(st);
}

/* ---- One case ------------------------------------------------------------------ */

static int verbose;
static int nfault;
static char dbfile[64];

static int case_faults;     /* of the case running */
static void report(const oom_case *c, const char *mode, long n,
                   const char *fmt, ...){
  va_list ap;
  nfault++;
  if( ++case_faults>(verbose ? 1000 : 3) ){
    if( case_faults==4 ) printf("FAULT %s: more faults not shown\n", c->name);
    return;
  }
  printf("FAULT %s (%s, allocation %ld): ", c->name, mode, n);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

/* The fixture, made once and copied into each run's database. */
static unsigned char *fixture;
static sqlite3_int64 fixture_size;

/* The fixture's files, in a directory of their own that is the current
** one while the cases run (their SQL names them relative to it). */
static char filedir[64];
#define JSONL "{\"id\":1,\"text\":\"The quick brown fox\",\"m\":{\"u\":\"x\"}}\n" \
              "\n{\"id\":2,\"text\":\"caf\xC3\xA9 \xFF\"}\r\n[1]\n" \
              "{\"id\":3,\"n\":1.5,\"big\":123456789012345678901}"

static int write_file(const char *name, const void *z, size_t n){
  FILE *f = fopen(name, "wb");
  int ok = f && fwrite(z, 1, n, f)==n;
  if( f && fclose(f) ) ok = 0;
  return ok ? 0 : 1;
}

/* WARC records for read_warc: a.warc holds them all, b.warc.gz each in a
** gzip member of its own. */
#define WARC_REC(type, uri, len, content) \
  "WARC/1.0\r\nWARC-Type: " type "\r\nWARC-Target-URI: " uri "\r\n" \
  "Content-Length: " len "\r\n\r\n" content "\r\n\r\n"
static const char *const warc_recs[] = {
  WARC_REC("warcinfo", "", "10", "a: b\r\nc: d"),
  WARC_REC("response", "http://x/", "115",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nSet-Cookie: a\r\n"
           "set-cookie: b\r\nContent-Type: text/html\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
  "WARC/1.0\r\nno colon\r\n\r\n",
  WARC_REC("resource", "file:///r", "4", "r\xC3\xA9s"),
};

static int make_files(void){
  static const char jsonl[] = JSONL;
  FILE *f;
  size_t i;
  char zst[512];
  size_t nz;
  gzFile g;
  strcpy(filedir, "/tmp/oom-files-XXXXXX");
  if( mkdtemp(filedir)==0 || chdir(filedir)!=0 ) return 1;
  if( write_file("docs.jsonl", jsonl, sizeof(jsonl)-1) ) return 1;
  g = gzopen("docs.jsonl.gz", "wb");
  if( g==0 || gzwrite(g, jsonl, sizeof(jsonl)-1)!=(int)sizeof(jsonl)-1 ){
    return 1;
  }
  if( gzclose(g)!=Z_OK ) return 1;
  nz = ZSTD_compress(zst, sizeof(zst), jsonl, sizeof(jsonl)-1, 3);
  if( ZSTD_isError(nz) ) return 1;
  if( write_file("docs.jsonl.zst", zst, nz) ) return 1;
  f = fopen("a.warc", "wb");
  if( f==0 ) return 1;
  for(i=0; i<sizeof(warc_recs)/sizeof(warc_recs[0]); i++){
    fputs(warc_recs[i], f);
  }
  if( fclose(f) ) return 1;
  for(i=0; i<sizeof(warc_recs)/sizeof(warc_recs[0]); i++){
    g = gzopen("b.warc.gz", i==0 ? "wb" : "ab");
    if( g==0 || gzputs(g, warc_recs[i])<0 || gzclose(g)!=Z_OK ) return 1;
  }
  return 0;
}

static void remove_files(void){
  char cmd[128];
  if( filedir[0]==0 ) return;
  if( chdir("/")!=0 ) return;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", filedir);
  if( system(cmd)!=0 ) printf("FAULT cannot remove %s\n", filedir);
}

static int make_fixture(void){
  sqlite3 *db = 0;
  int rc = make_files() ? SQLITE_CANTOPEN : SQLITE_OK;
  if( rc ){
    printf("FAULT fixture: cannot write its files\n");
    return rc;
  }
  rc = sqlite3_open(":memory:", &db);
  if( rc==SQLITE_OK ) rc = run_sql(db, FIXTURE, 0);
  if( rc==SQLITE_OK ){
    fixture = sqlite3_serialize(db, "main", &fixture_size, 0);
    if( fixture==0 ) rc = SQLITE_NOMEM;
  }
  if( rc ) printf("FAULT fixture: %s\n", sqlite3_errmsg(db));
  sqlite3_close(db);
  return rc;
}

/* A new connection holding the fixture (no failures); NULL on error. */
static sqlite3 *open_fixture(const oom_case *c){
  sqlite3 *db = 0;
  int rc;
  if( c->file ){
    FILE *f = fopen(dbfile, "wb");
    rc = f && fwrite(fixture, 1, (size_t)fixture_size, f)==(size_t)fixture_size
         ? SQLITE_OK : SQLITE_CANTOPEN;
    if( f && fclose(f) ) rc = SQLITE_IOERR;
    if( rc==SQLITE_OK ) rc = sqlite3_open(dbfile, &db);
  }else{
    unsigned char *copy = sqlite3_malloc64((sqlite3_uint64)fixture_size);
    rc = sqlite3_open(":memory:", &db);
    if( copy==0 ) rc = SQLITE_NOMEM;
    if( rc==SQLITE_OK ){
      memcpy(copy, fixture, (size_t)fixture_size);
      rc = sqlite3_deserialize(db, "main", copy, fixture_size, fixture_size,
                               SQLITE_DESERIALIZE_FREEONCLOSE |
                               SQLITE_DESERIALIZE_RESIZEABLE);
    }else{
      sqlite3_free(copy);
    }
  }
  if( rc ){
    printf("FAULT %s: fixture: %s\n", c->name, db ? sqlite3_errmsg(db) : "?");
    sqlite3_close(db);
    nfault++;
    return 0;
  }
  return db;
}

typedef struct outcome {
  int rc;
  str result, state;
} outcome;

static void outcome_free(outcome *o){
  free(o->result.z);
  free(o->state.z);
  memset(o, 0, sizeof(*o));
}

/* Runs case c once, failing from allocation target on (target 0: none).
** Returns the number of failures injected, or -1 when the fixture failed. */
static long run_once(const oom_case *c, long target, int persistent,
                     outcome *o, str *before){
  long live0 = fault.live, failed;
  sqlite3 *db = open_fixture(c);
  memset(o, 0, sizeof(*o));
  if( db==0 ) return -1;
  if( before ) dump_state(db, before);
  str_add(&o->result, "", 0);
  /* the same random numbers in every run (substring_index's build numbers
  ** are random), so that a run's tables compare with the reference's */
  sqlite3_test_control(SQLITE_TESTCTRL_PRNG_SEED, 1, (sqlite3*)0);
  if( target>0 ) fault_arm(target, persistent);
  o->rc = run_sql(db, c->sql, &o->result);
  fault_disarm();
  failed = target>0 ? fault.failed : 0;
  if( o->rc!=SQLITE_OK ){
    o->result.n = 0;
    str_fmt(&o->result, "rc=%d ", o->rc);
    str_add(&o->result, sqlite3_errmsg(db), strlen(sqlite3_errmsg(db)));
  }
  if( !sqlite3_get_autocommit(db) ) run_sql(db, "ROLLBACK", 0);
  str_add(&o->state, "", 0);
  if( dump_state(db, &o->state)!=SQLITE_OK ){
    str_fmt(&o->state, "\nstate unreadable: %s", sqlite3_errmsg(db));
  }
  {
    str bad = {0, 0, 0};
    str_add(&bad, "", 0);
    if( check_integrity(db, &bad)!=SQLITE_OK || bad.n ){
      report(c, persistent ? "persistent" : "transient", target,
             "integrity: %s %s", bad.z, sqlite3_errmsg(db));
    }
    free(bad.z);
  }
  if( sqlite3_close(db)!=SQLITE_OK ){
    report(c, persistent ? "persistent" : "transient", target,
           "sqlite3_close: %s", sqlite3_errmsg(db));
  }
  if( fault.live!=live0 ){
    static int cache_built = 0;
    if( c->cache && !cache_built && fault.live>live0 ){
      cache_built = 1;
    }else{
      report(c, persistent ? "persistent" : "transient", target,
             "%ld allocations not freed", fault.live-live0);
    }
  }
  return failed;
}

/* SQLite's own messages for SQLITE_NOMEM: its usual one, and the one
** ALTER TABLE RENAME gives when the temporary database cannot be opened
** (SQLite's, with any table: a plain table's rename shows it too). */
static int nomem_text(const char *z){
  return strcmp(z, "out of memory")==0
      || strcmp(z, "unable to open a temporary database file for storing "
                   "temporary tables")==0;
}

/* Fails each allocation point of c in turn; returns how many there were. */
static long run_mode(const oom_case *c, const outcome *ref, int persistent){
  const char *mode = persistent ? "persistent" : "transient";
  long n;
  for(n=1; n<1000000; n++){
    outcome o;
    str before = {0, 0, 0};
    long failed;
    str_add(&before, "", 0);
    failed = run_once(c, n, persistent, &o, &before);
    if( failed<0 ){ free(before.z); return n; }
    if( failed==0 ){
      /* nothing left to fail: the run must be the reference run */
      if( o.rc!=SQLITE_OK || (ref && strcmp(o.result.z, ref->result.z)!=0) ){
        report(c, mode, n, "run without failure differs: %s", o.result.z);
      }
      outcome_free(&o);
      free(before.z);
      return n-1;
    }
    if( o.rc==SQLITE_OK ){
      if( ref==0 ){
        /* the first runs of a cache-building case: no reference yet */
      }else if( strcmp(o.result.z, ref->result.z)!=0 ){
        report(c, mode, n, "recovered with another result:\n%s\nexpected:\n%s",
               o.result.z, ref->result.z);
      }else if( strcmp(o.state.z, ref->state.z)!=0 ){
        report(c, mode, n, "recovered with other tables:\n%s\nexpected:\n%s",
               o.state.z, ref->state.z);
      }
    }else if( o.rc!=SQLITE_NOMEM || !nomem_text(o.result.z+5) ){
      report(c, mode, n, "%s (expected rc=7 out of memory)", o.result.z);
    }else if( strcmp(o.state.z, before.z)!=0 ){
      report(c, mode, n, "a failed statement changed the tables:\n%s\n"
             "before:\n%s", o.state.z, before.z);
    }
    if( verbose && o.rc ) printf("  %s %ld: %s\n", mode, n, o.result.z);
    outcome_free(&o);
    free(before.z);
  }
  report(c, mode, n, "still failing after %ld allocations", n);
  return n;
}

/* ---- Coverage ------------------------------------------------------------ */

static int covered(const char *item){
  size_t n = strlen(item);
  int i;
  for(i=0; i<NCASE; i++){
    const char *p = cases[i].covers;
    while( (p = strstr(p, item))!=0 ){
      if( (p==cases[i].covers || p[-1]==' ') && (p[n]==0 || p[n]==' ') ){
        return 1;
      }
      p += n;
    }
  }
  return 0;
}

#define ITEMS \
  "SELECT name || '/' || narg AS item FROM pragma_function_list " \
  "UNION SELECT 'module:' || name FROM pragma_module_list"

/* Every function and module the extension registers has a case, and every
** name a case covers is registered.  Returns the number missing. */
static int check_coverage(void){
  sqlite3 *plain = 0, *db = 0;
  sqlite3_stmt *st;
  int missing = 0, registered = 0, i;
  str all = {0, 0, 0};
  sqlite3_reset_auto_extension();
  sqlite3_open(":memory:", &plain);
  sqlite3_auto_extension((void(*)(void))sqlite3_corpus_init);
  sqlite3_open(":memory:", &db);
  /* what SQLite has without the extension, from the plain connection,
  ** into a table the query can use */
  {
    sqlite3_stmt *m;
    sqlite3_exec(db, "CREATE TEMP TABLE plain(item)", 0, 0, 0);
    sqlite3_prepare_v2(plain, ITEMS, -1, &m, 0);
    while( sqlite3_step(m)==SQLITE_ROW ){
      char *q = sqlite3_mprintf("INSERT INTO temp.plain VALUES (%Q)",
                                sqlite3_column_text(m, 0));
      sqlite3_exec(db, q, 0, 0, 0);
      sqlite3_free(q);
    }
    sqlite3_finalize(m);
  }
  sqlite3_prepare_v2(db, "SELECT item FROM (" ITEMS ") WHERE item NOT IN "
                     "(SELECT item FROM temp.plain) ORDER BY 1", -1, &st, 0);
  while( sqlite3_step(st)==SQLITE_ROW ){
    const char *item = (const char*)sqlite3_column_text(st, 0);
    registered++;
    str_add(&all, " ", 1);
    str_add(&all, item, strlen(item));
    if( !covered(item) ){
      printf("NOT COVERED: %s has no case in test/oom.c\n", item);
      missing++;
    }
  }
  sqlite3_finalize(st);
  str_add(&all, " ", 1);
  for(i=0; i<NCASE; i++){
    const char *p = cases[i].covers;
    while( *p ){
      size_t n = strcspn(p, " ");
      char item[80];
      snprintf(item, sizeof(item), " %.*s ", (int)n, p);
      if( strstr(all.z, item)==0 ){
        printf("UNKNOWN: case %s covers %.*s, which is not registered\n",
               cases[i].name, (int)n, p);
        missing++;
      }else{
        const char *name = strncmp(item+1, "module:", 7)==0 ? item+8 : item+1;
        char call[80];
        snprintf(call, sizeof(call), "%.*s(", (int)strcspn(name, "/ "), name);
        if( strstr(cases[i].sql, call)==0 ){
          printf("UNUSED: case %s covers %.*s but does not call it\n",
                 cases[i].name, (int)n, p);
          missing++;
        }
      }
      p += n;
      while( *p==' ' ) p++;
    }
  }
  printf("oom: %d functions and modules registered, %d without a case\n",
         registered, missing);
  free(all.z);
  sqlite3_close(db);
  sqlite3_close(plain);
  return missing;
}

/* Whether a case is named by one of the globs (none: every case). */
static int selected(const char *name, char **globs, int nglob){
  int i;
  for(i=0; i<nglob; i++){
    if( fnmatch(globs[i], name, 0)==0 ) return 1;
  }
  return nglob==0;
}

int main(int argc, char **argv){
  static const sqlite3_mem_methods fault_mem = {
    fault_malloc, fault_free, fault_realloc, fault_size, fault_roundup,
    fault_init, fault_shutdown, 0
  };
  int fast = 0, i, ncase = 0;
  long total = 0;
  char **globs = 0;
  int nglob = 0;
  for(i=1; i<argc; i++){
    if( strcmp(argv[i], "-fast")==0 ) fast = 1;
    else if( strcmp(argv[i], "-v")==0 ) verbose = 1;
    else{ if( globs==0 ) globs = argv+i; nglob++; }
  }
  setvbuf(stdout, 0, _IOLBF, 0);
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sys_mem);
  sqlite3_config(SQLITE_CONFIG_MALLOC, &fault_mem);
  /* no lookaside: every allocation goes to the allocator above */
  sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
  sqlite3_initialize();
  snprintf(dbfile, sizeof(dbfile), "/tmp/oom-%d.db", (int)getpid());
  if( check_coverage() ) nfault++;
  if( make_fixture() ) return 1;
  for(i=0; i<NCASE; i++){
    const oom_case *c = &cases[i];
    outcome ref;
    long nt, np = -1;
    /* a cache-building case always runs first, so that no other builds it */
    if( !c->cache && (!selected(c->name, globs, nglob) || (fast && !c->fast)) ){
      continue;
    }
    ncase++;
    case_faults = 0;
    nt = -1;
    if( c->cache ){
      /* its failures first, while the cache is not built yet; the
      ** reference run after */
      nt = run_mode(c, 0, 0);
    }
    if( run_once(c, 0, 0, &ref, 0)<0 ) continue;
    if( ref.rc!=SQLITE_OK ){
      report(c, "reference", 0, "%s", ref.result.z);
      outcome_free(&ref);
      continue;
    }
    if( nt<0 ) nt = run_mode(c, &ref, 0);
    total += nt;
    if( !fast ){
      np = run_mode(c, &ref, 1);
      total += np;
    }
    if( np>=0 ){
      printf("%-20s %5ld points failed, transient and persistent\n", c->name,
             nt);
    }else{
      printf("%-20s %5ld points failed\n", c->name, nt);
    }
    outcome_free(&ref);
  }
  unlink(dbfile);
  sqlite3_free(fixture);
  printf("oom: %d cases, %ld points failed, %d faults\n", ncase, total,
         nfault);
  remove_files();
  return nfault>0;
}
