-- 03-quality: the Gopher, C4 and FineWeb heuristic rules on the bundled
-- mixed corpus: the table of rejection reasons (overall and per source),
-- each rule set alone, the signals behind one decision, C4's line
-- cleaning, and the length distribution in tokens, kept against dropped,
-- with histogram() and quantiles().
-- Run from the top of the repository:
--     sqlite3 -bail :memory: < examples/03-quality.sql
.load ./dist/corpus
.mode box
.headers on

CREATE TABLE docs(id INTEGER PRIMARY KEY, key TEXT, source TEXT, text TEXT);
INSERT INTO docs
  SELECT json->>'id', json->>'key', json->>'source', json->>'text'
    FROM read_jsonl('examples/data/mixed.jsonl.gz');
CREATE TABLE judged AS
  SELECT id, source, token_count(text, 'cl100k_base') AS tokens,
         quality_reject(text) AS reason
    FROM docs;

.print '== The rejection reasons: the first rule each document fails (gopher, c4, fineweb)'
SELECT coalesce(reason, '(kept)') AS reason, count(*) AS documents,
       sum(tokens) AS tokens
  FROM judged GROUP BY reason ORDER BY documents DESC, reason;

.print '== Per source: what is kept, and the most common reason to drop'
SELECT source, count(*) AS documents, sum(reason IS NULL) AS kept,
       round(100.0 * sum(reason IS NULL) / count(*), 1) AS kept_pct,
       (SELECT reason FROM judged AS j WHERE j.source = judged.source
           AND reason IS NOT NULL
         GROUP BY reason ORDER BY count(*) DESC, reason LIMIT 1) AS top_reason
  FROM judged GROUP BY source ORDER BY kept_pct DESC;

.print '== Each rule set alone: documents it would drop'
SELECT source,
       sum(quality_reject(text, 'rules=gopher') IS NOT NULL) AS gopher,
       sum(quality_reject(text, 'rules=c4') IS NOT NULL) AS c4,
       sum(quality_reject(text, 'rules=fineweb') IS NOT NULL) AS fineweb
  FROM docs GROUP BY source ORDER BY source;

.print '== Why code-heavy documentation fails Gopher: the signals of one Python page'
SELECT key, s ->> '$.words' AS words,
       round(s ->> '$.alpha_words_ratio', 3) AS alpha_words_ratio,
       round(s ->> '$.mean_word_length', 2) AS mean_word_length,
       s ->> '$.c4_sentences' AS c4_sentences,
       quality_reject(text) AS reason
  FROM (SELECT key, text, quality_signals(text) AS s FROM docs
         WHERE key = 'python-doc/library/bisect.html');

.print '== C4 line cleaning: lines dropped from the documents C4 keeps'
SELECT source, count(*) AS kept_by_c4,
       sum(token_count(text, 'lines')) AS lines_before,
       sum(token_count(c4_clean(text), 'lines')) AS lines_after
  FROM docs WHERE c4_clean(text) IS NOT NULL
 GROUP BY source ORDER BY source;

.print '== Lengths in tokens (cl100k_base): quantiles per source'
SELECT source, q ->> '$.p10' AS p10, q ->> '$.p50' AS p50, q ->> '$.p90' AS p90
  FROM (SELECT source, quantiles(tokens, 'p10,p50,p90') AS q
          FROM judged GROUP BY source)
 ORDER BY p50 DESC;

.print '== A histogram of the lengths, log-scaled bins (two a decade): kept against dropped, # = 10 documents'
WITH k AS (SELECT histogram(tokens, 'bins=8 scale=log lo=10 hi=100000') AS h
             FROM judged WHERE reason IS NULL),
     d AS (SELECT histogram(tokens, 'bins=8 scale=log lo=10 hi=100000') AS h
             FROM judged WHERE reason IS NOT NULL),
     kb AS (SELECT key AS i, value ->> '$.lo' AS lo, value ->> '$.hi' AS hi,
                   value ->> '$.count' AS n FROM k, json_each(k.h, '$.bins')),
     db AS (SELECT key AS i, value ->> '$.count' AS n FROM d, json_each(d.h, '$.bins'))
SELECT printf('%6d', kb.lo) || ' .. ' || printf('%-6d', kb.hi) AS tokens,
       kb.n AS kept, substr('########################################', 1, (kb.n + 5) / 10) AS kept_bar,
       db.n AS dropped, substr('########################################', 1, (db.n + 5) / 10) AS dropped_bar
  FROM kb JOIN db USING (i) ORDER BY i;
SELECT h ->> '$.count' AS counted, h ->> '$.below' AS below_10, h ->> '$.above' AS above_100000
  FROM (SELECT histogram(tokens, 'bins=8 scale=log lo=10 hi=100000') AS h FROM judged);
