-- 01-quickstart: from a JSON Lines file to a cleaned corpus, in one page.
-- Loads the bundled mixed corpus (examples/data/mixed.jsonl.gz: 1170 real
-- documents from six sources, see examples/data/README.md), counts its
-- tokens, finds its languages, removes exact and near duplicates, applies
-- the Gopher/C4/FineWeb quality rules, and keeps each document's fate in
-- report_docs, the table the HTML report reads, and writes the report,
-- dist/report.html (sql/report.sql; open it in a browser).
-- Run from the top of the repository:
--     sqlite3 -bail :memory: < examples/01-quickstart.sql
.load ./dist/corpus
.mode box
.headers on

.print '== Load the corpus: one JSON object a line, gzip found from the bytes'
CREATE TABLE docs(id INTEGER PRIMARY KEY, key TEXT, source TEXT, url TEXT,
                  title TEXT, text TEXT);
INSERT INTO docs
  SELECT json->>'id', json->>'key', json->>'source', json->>'url',
         json->>'title', json->>'text'
    FROM read_jsonl('examples/data/mixed.jsonl.gz');
SELECT source, count(*) AS documents,
       sum(length(CAST(text AS BLOB))) AS bytes,
       sum(token_count(text)) AS words,
       sum(token_count(text, 'cl100k_base')) AS gpt4_tokens
  FROM docs GROUP BY source ORDER BY gpt4_tokens DESC;

.print "== Tokens: words, and the model's BPE tokens (ids as tiktoken gives them)"
SELECT tokenize('SQLite is light: 軽量') AS words,
       tokenize('hello world', 'cl100k_base') AS cl100k_ids,
       token_count('The quick brown fox.', 'cl100k_base') AS gpt4_tokens;

.print '== Languages (lang_id: NULL when no language holds half the letters)'
SELECT coalesce(lang_id(text), '(unsure)') AS lang, count(*) AS documents,
       group_concat(DISTINCT source) AS sources
  FROM docs GROUP BY 1 ORDER BY documents DESC, lang;

.print '== Domains of the urls (the registered domain, by the Public Suffix List)'
SELECT coalesce(url_domain(url), '(no url)') AS domain, count(*) AS documents
  FROM docs GROUP BY 1 ORDER BY documents DESC, domain;

.print '== Exact duplicates (sql/exact_dedup.sql: equal after normalize())'
.read sql/exact_dedup.sql
SELECT source, count(*) AS copies_dropped
  FROM docs WHERE id NOT IN (SELECT id FROM docs_exact)
 GROUP BY source ORDER BY copies_dropped DESC, source;

.print '== Near duplicates (sql/dedup.sql: MinHash + LSH, Jaccard >= 0.8 of word 5-grams)'
.read sql/dedup.sql
SELECT count(DISTINCT cluster) AS clusters, count(*) AS documents_in_clusters,
       (SELECT count(*) FROM docs) - (SELECT count(*) FROM docs_dedup) AS dropped
  FROM dedup_cluster;

.print '== Quality: the first Gopher, C4 or FineWeb rule each document fails'
SELECT coalesce(quality_reject(text), '(kept)') AS reason, count(*) AS documents
  FROM docs GROUP BY 1 ORDER BY documents DESC, reason LIMIT 8;

.print "== Each document's fate: report_docs (the report's input)"
CREATE TABLE report_docs AS
  SELECT d.id, d.source, d.url, lang_id(d.text) AS lang,
         token_count(d.text, 'cl100k_base') AS tokens,
         CASE
           WHEN d.text IS NULL OR token_count(normalize(d.text)) = 0 THEN 'no text'
           WHEN d.id NOT IN (SELECT id FROM docs_exact) THEN 'exact duplicate'
           WHEN d.id NOT IN (SELECT id FROM docs_dedup) THEN 'near duplicate'
           WHEN quality_reject(d.text) IS NOT NULL
             THEN 'quality: ' || quality_reject(d.text)
           ELSE 'kept'
         END AS fate,
         c.cluster
    FROM docs AS d LEFT JOIN dedup_cluster AS c USING (id);
SELECT source, count(*) AS documents, sum(fate = 'kept') AS kept,
       sum(fate GLOB '*duplicate') AS duplicates, sum(fate GLOB 'quality:*') AS low_quality,
       sum(tokens) AS tokens, sum(tokens) FILTER (WHERE fate = 'kept') AS kept_tokens
  FROM report_docs GROUP BY source ORDER BY kept_tokens DESC;
SELECT fate, count(*) AS documents, sum(tokens) AS tokens
  FROM report_docs GROUP BY fate ORDER BY documents DESC, fate LIMIT 10;
SELECT quantiles(tokens, 'p10,p50,p90') AS kept_tokens_p10_p50_p90
  FROM report_docs WHERE fate = 'kept';
.print '== The HTML report: six kinds of chart of report_docs (sql/report.sql), one page to look at'
CREATE TABLE report_settings AS
  SELECT 'dist/report.html' AS path, 'sqlite-corpus quickstart: the bundled corpus' AS title;
.mode list
.headers off
.read sql/report.sql
