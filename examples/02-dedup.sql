-- 02-dedup: exact, then fuzzy deduplication of the bundled mixed corpus.
-- Exact: documents equal after normalize() (case, punctuation, spacing),
-- grouped by their xxh3 hash.  Fuzzy: sql/dedup.sql (MinHash signatures,
-- LSH banding, candidates verified by their exact Jaccard, connected
-- components as clusters); the clusters shown with their members.  The
-- duplicates are natural ones: SpamAssassin's spam campaigns, the READMEs
-- of two versions of a package.
-- Run from the top of the repository:
--     sqlite3 -bail :memory: < examples/02-dedup.sql
.load ./dist/corpus
.mode box
.headers on

CREATE TABLE docs(id INTEGER PRIMARY KEY, key TEXT, source TEXT, text TEXT);
INSERT INTO docs
  SELECT json->>'id', json->>'key', json->>'source', json->>'text'
    FROM read_jsonl('examples/data/mixed.jsonl.gz');

.print '== Exact duplicates: groups of documents with the same normalized text'
CREATE TABLE exact AS
  SELECT id, source, key, xxh3(normalize(text)) AS h FROM docs;
SELECT count(*) AS copies, min(key) AS first, max(key) AS last
  FROM exact GROUP BY h HAVING count(*) > 1
 ORDER BY copies DESC, first LIMIT 10;
SELECT count(*) AS groups, sum(n) AS documents, sum(n - 1) AS to_drop
  FROM (SELECT count(*) AS n FROM exact GROUP BY h HAVING n > 1);

.print '== Near duplicates: the settings of sql/dedup.sql'
.read sql/dedup.sql
SELECT threshold, num_perm, ngram, bands, rows,
       round(lsh_params(threshold) ->> '$.fn', 4) AS fn_default_banding
  FROM dedup_settings;

.print '== The funnel: bucket collisions -> candidate pairs -> pairs that joined two clusters -> clusters'
.print '   (a candidate whose documents are already joined is not verified: see sql/dedup.sql, step 4)'
SELECT (SELECT count(*) FROM dedup_bucket) AS shared_buckets,
       (SELECT count(*) FROM dedup_candidate) AS candidates,
       (SELECT count(*) FROM dedup_pair) AS joined,
       (SELECT count(DISTINCT cluster) FROM dedup_cluster) AS clusters,
       (SELECT count(*) FROM docs) - (SELECT count(*) FROM docs_dedup) AS dropped;

.print '== Cluster sizes'
SELECT size, count(*) AS clusters
  FROM (SELECT count(*) AS size FROM dedup_cluster GROUP BY cluster)
 GROUP BY size ORDER BY size;

.print '== The clusters and their members (the least id is kept)'
SELECT c.cluster, count(*) AS size, d.source,
       (SELECT key FROM docs WHERE id = c.cluster) AS kept,
       round(min(s.similarity), 3) AS least_jaccard
  FROM dedup_cluster AS c JOIN docs AS d USING (id)
  LEFT JOIN dedup_pair AS s ON s.id_a = c.cluster AND s.id_b = c.id
 GROUP BY c.cluster ORDER BY size DESC, c.cluster LIMIT 12;

.print '== Near but not exact: verified pairs whose normalized texts differ'
SELECT a.key AS a, b.key AS b, round(p.similarity, 3) AS jaccard,
       round(minhash_jaccard(minhash(a.text), minhash(b.text)), 3) AS minhash_estimate
  FROM dedup_pair AS p
  JOIN docs AS a ON a.id = p.id_a JOIN docs AS b ON b.id = p.id_b
 WHERE xxh3(normalize(a.text)) <> xxh3(normalize(b.text))
 ORDER BY p.similarity, a.id, b.id LIMIT 8;

.print '== What a near duplicate looks like: the lines of one pair that differ'
WITH pair AS (SELECT id_a, id_b FROM dedup_pair ORDER BY similarity, id_a LIMIT 1),
     la AS (SELECT token AS line FROM pair, docs AS d, tokens(d.text, 'lines')
             WHERE d.id = pair.id_a),
     lb AS (SELECT token AS line FROM pair, docs AS d, tokens(d.text, 'lines')
             WHERE d.id = pair.id_b)
SELECT 'only in a' AS side, substr(line, 1, 70) AS line
  FROM (SELECT line FROM la EXCEPT SELECT line FROM lb)
UNION ALL
SELECT 'only in b', substr(line, 1, 70)
  FROM (SELECT line FROM lb EXCEPT SELECT line FROM la)
 ORDER BY side, line LIMIT 12;

.print '== Per source: documents before and after both steps'
SELECT source, count(*) AS documents,
       sum(id IN (SELECT min(id) FROM exact GROUP BY h)) AS after_exact,
       sum(id IN (SELECT id FROM docs_dedup)) AS after_near
  FROM docs GROUP BY source ORDER BY source;
