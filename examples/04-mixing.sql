-- 04-mixing: a training mixture with target weights per source, as GPT-3's
-- (Brown et al. 2020, table 2.2): each source gets a share of a token
-- budget; a source with fewer tokens than its share is repeated (epochs
-- > 1), a larger one is sampled (epochs < 1).  Tokens are cl100k_base
-- tokens (token_count), the sample is sample_keep(): deterministic per
-- document, so the mixture is the same on every run and machine.  The
-- pool is the corpus after exact deduplication (sql/exact_dedup.sql).
-- Run from the top of the repository:
--     sqlite3 -bail :memory: < examples/04-mixing.sql
.load ./dist/corpus
.mode box
.headers on

CREATE TABLE docs(id INTEGER PRIMARY KEY, key TEXT, source TEXT, text TEXT);
INSERT INTO docs
  SELECT json->>'id', json->>'key', json->>'source', json->>'text'
    FROM read_jsonl('examples/data/mixed.jsonl.gz');
.read sql/exact_dedup.sql
CREATE TABLE pool AS
  SELECT d.id, d.source, token_count(d.text, 'cl100k_base') AS tokens
    FROM docs AS d JOIN docs_exact USING (id);

.print '== The token budget of each source (after exact dedup)'
SELECT source, count(*) AS documents, sum(tokens) AS tokens,
       round(100.0 * sum(tokens) / (SELECT sum(tokens) FROM pool), 1) AS natural_pct
  FROM pool GROUP BY source ORDER BY tokens DESC;

.print '== The target: 600,000 tokens, weighted by source'
CREATE TABLE mix(source TEXT PRIMARY KEY, weight REAL);
INSERT INTO mix VALUES ('python-doc', 0.30), ('sotu', 0.25), ('sqlite-doc', 0.15),
                       ('npm-readme', 0.10), ('jargon', 0.10), ('spamassassin', 0.10);
CREATE TABLE plan AS
  SELECT m.source, m.weight, 600000 * m.weight AS target_tokens,
         (SELECT sum(tokens) FROM pool AS p WHERE p.source = m.source) AS available
    FROM mix AS m;
SELECT source, weight, CAST(target_tokens AS INTEGER) AS target_tokens, available,
       round(target_tokens / available, 3) AS epochs
  FROM plan ORDER BY weight DESC, source;

.print '== Draw it: whole passes for the integer part of epochs, sample_keep() for the rest'
-- Pass k of a source keeps every document while k < floor(epochs), and in
-- the last, partial pass a sample at rate frac(epochs), keyed by the
-- document and the pass, so that each pass draws anew.
CREATE TABLE draw AS
  WITH RECURSIVE pass(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM pass WHERE k < 9),
  e AS (SELECT source, target_tokens / available AS epochs FROM plan)
  SELECT p.id, p.source, p.tokens, pass.k AS pass
    FROM pool AS p JOIN e USING (source) JOIN pass
   WHERE pass.k < CAST(e.epochs AS INTEGER)
      OR (pass.k = CAST(e.epochs AS INTEGER)
          AND sample_keep(p.id || ':' || pass.k, e.epochs - CAST(e.epochs AS INTEGER), 2024));
SELECT source, count(*) AS drawn, count(DISTINCT id) AS distinct_documents,
       max(pass) + 1 AS passes, sum(tokens) AS tokens
  FROM draw GROUP BY source ORDER BY tokens DESC;

.print '== Achieved shares against the targets'
SELECT m.source, m.weight AS target,
       round(1.0 * sum(d.tokens) / (SELECT sum(tokens) FROM draw), 3) AS achieved,
       round(1.0 * sum(d.tokens) / (SELECT sum(tokens) FROM draw) - m.weight, 3) AS error
  FROM mix AS m JOIN draw AS d USING (source)
 GROUP BY m.source ORDER BY m.weight DESC, m.source;
SELECT sum(tokens) AS mixture_tokens, 600000 AS budget FROM draw;

.print "== Why the shares miss: a sample is whole documents, and one can be a large part of a target"
SELECT source, max(tokens) AS longest_document,
       round(1.0 * max(tokens) / (SELECT target_tokens FROM plan AS p WHERE p.source = pool.source), 3)
         AS of_its_target
  FROM pool GROUP BY source ORDER BY of_its_target DESC;
