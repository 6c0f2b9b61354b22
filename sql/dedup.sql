-- Near-duplicate removal with MinHash + LSH, as a SQL recipe.
--
-- Input:  a table docs(id INTEGER PRIMARY KEY, text TEXT)   (rename to yours)
-- Output: dedup_cluster(id, cluster)  every document that has a near-duplicate,
--                                     with the least id of its group
--         docs_dedup(id, text)        the survivors: one document per group
--
-- Settings are written out where they are used; change them together:
--   threshold 0.8, num_perm 128, word 5-grams of the normalized text;
--   bands 9 x rows 13 = SELECT lsh_params(0.8, 128)  (datasketch's choice).
-- Run it in the sqlite3 shell after `.load ./dist/corpus`, or from any
-- program that loaded the extension.  Every step is a plain table, so a
-- step can be inspected, and rerun from there.

-- 1. Sign every document.  The option string fixes the signature's
--    parameters; signatures made with other parameters cannot be mixed.
DROP TABLE IF EXISTS dedup_sig;
CREATE TABLE dedup_sig(id INTEGER PRIMARY KEY, sig BLOB NOT NULL);
INSERT INTO dedup_sig
  SELECT id, minhash(text, 'num_perm=128 ngram=5') FROM docs WHERE text IS NOT NULL;

-- 2. Band: 9 bucket keys per document.  Documents without any shingle
--    (empty text) get no bucket and are never candidates.
DROP TABLE IF EXISTS dedup_band;
CREATE TABLE dedup_band(band INTEGER, bucket INTEGER, id INTEGER);
INSERT INTO dedup_band
  SELECT b.band, b.bucket, s.id FROM dedup_sig AS s, lsh_bands(s.sig, 9, 13) AS b;
CREATE INDEX dedup_band_key ON dedup_band(band, bucket, id);

-- 3. Candidate pairs: every document of a bucket paired with the bucket's
--    least id (a star, not all pairs, so a bucket of 10,000 copies gives
--    9,999 pairs rather than 50 million; the groups found are the same).
DROP TABLE IF EXISTS dedup_candidate;
CREATE TABLE dedup_candidate AS
  SELECT DISTINCT root AS id_a, id AS id_b
    FROM (SELECT id, min(id) OVER (PARTITION BY band, bucket) AS root FROM dedup_band)
   WHERE id <> root;

-- 4. Verify each candidate with the signatures' estimated Jaccard (cheap:
--    no text is read).  For the exact value instead, use
--    jaccard(da.text, db.text, 'ngram=5') with docs joined twice.
DROP TABLE IF EXISTS dedup_pair;
CREATE TABLE dedup_pair AS
  SELECT c.id_a, c.id_b, minhash_jaccard(a.sig, b.sig) AS similarity
    FROM dedup_candidate AS c
    JOIN dedup_sig AS a ON a.id = c.id_a
    JOIN dedup_sig AS b ON b.id = c.id_b
   WHERE minhash_jaccard(a.sig, b.sig) >= 0.8;

-- 5. Cluster: connected components of the verified pairs.
DROP TABLE IF EXISTS dedup_cluster;
CREATE TABLE dedup_cluster AS
  SELECT id, cluster FROM dedup_clusters('SELECT id_a, id_b FROM dedup_pair');

-- 6. Keep one document per cluster (the least id; to keep the best by a
--    column of yours instead, rank within each cluster with a window
--    function and keep rank 1), and every document not in a cluster.
DROP TABLE IF EXISTS docs_dedup;
CREATE TABLE docs_dedup AS
  SELECT d.* FROM docs AS d LEFT JOIN dedup_cluster AS c ON c.id = d.id
   WHERE c.id IS NULL OR c.id = c.cluster;
