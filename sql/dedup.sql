-- Near-duplicate removal with MinHash + LSH, as a SQL recipe.
--
-- Input:  a table or view docs(id, text)   (rename to yours, or make a view)
--         id: INTEGER or TEXT (datatrove's and text-dedup's string ids),
--         unique and not NULL; text: TEXT or NULL.
-- Output: dedup_cluster(id, cluster)  every document that has a near-duplicate,
--                                     with the least id of its group
--         docs_dedup                  a view of docs: the survivors, one
--                                     document per group
--         dedup_settings              the settings of the run
--
-- Run:    sqlite3 -cmd '.load ./dist/corpus' DB < sql/dedup.sql
--         (or `.read sql/dedup.sql` after `.load ./dist/corpus`, or from any
--         program that loaded the extension).
--
-- The whole run is one transaction.  It first checks docs and the settings;
-- a failed check rolls the transaction back, so the database is as before,
-- with an error that says what is needed, such as
--   dedup.sql: docs has no column text (the recipe reads docs(id, text))
-- Every later step reads dedup_settings (in scalar subqueries, which leave
-- the query plans alone), which a failed check leaves absent (or as an
-- earlier complete run left it, with every table of that run, which the
-- steps then refuse to overwrite), so a shell that goes on after an error
-- (sqlite3 without -bail) gets errors, not a wrong answer.
-- A step that fails after the checks (out of memory, interrupted) leaves the
-- transaction open: the sqlite3 shell rolls it back as it exits, and the
-- last check rolls it back when the shell goes on; a program should ROLLBACK.
-- Run it outside a transaction of your own (BEGIN fails inside one).
--
-- Ids are numbered 1..N in id order (dedup_id: n -> id; numbers sort before
-- text, text by the column's collation) and the steps work on those numbers,
-- which dedup_clusters() needs; "the least id" is the id of the least n.
-- Every step is a plain table, so a step can be inspected.

-- 0. Settings, read by every step: change them here, and only here.
--    threshold 0.8 on the exact Jaccard of word 5-grams of the normalized
--    text; signatures of 128 slots; 16 bands x 8 rows, which is
--    SELECT lsh_params(0.8, 128, 0.05, 0.95): banding tuned for recall (a
--    pair at J = 0.8 becomes a candidate with probability 0.95; datasketch's
--    even weights give 9 x 13 and only 0.40), since every candidate is then
--    verified exactly, which restores precision.  On spamassassin's natural
--    near-duplicates: precision 1.00 and recall 0.997 over the documents
--    removed; every verified pair is a true one (bench/README.md, quality).
BEGIN;
DROP TABLE IF EXISTS dedup_settings;
CREATE TABLE dedup_settings AS SELECT
  0.8 AS threshold,  -- a verified pair has exact Jaccard >= threshold
  128 AS num_perm,   -- slots per signature (1..1024)
  5   AS ngram,      -- shingles: word n-grams of the normalized text
  16  AS bands,      -- LSH: bands * rows <= num_perm
  8   AS rows,
  50  AS all_pairs,  -- a bucket of up to all_pairs documents gives every
                     -- pair, a larger one each document with its least
  0   AS verify_all; -- 0: skip a candidate already joined (step 4),
                     -- 1: verify every candidate

-- The tables of an earlier run go (a failed check brings them back).
-- docs_dedup is made here: CREATE VIEW does not look at the tables it
-- reads, so made after a failed check it would outlive it.
DROP TABLE IF EXISTS dedup_id;
DROP TABLE IF EXISTS dedup_sig;
DROP TABLE IF EXISTS dedup_band;
DROP TABLE IF EXISTS dedup_bucket;
DROP TABLE IF EXISTS dedup_candidate;
DROP TABLE IF EXISTS dedup_pair;
DROP TABLE IF EXISTS dedup_cluster;
DROP VIEW IF EXISTS docs_dedup;
-- The survivors: one document per cluster (the least id; to keep the best
-- by a column of yours instead, rank within each cluster with a window
-- function and keep rank 1), and every document not in a cluster.
-- docs_dedup is a view, so no text is copied: materialize it with
-- CREATE TABLE ... AS SELECT * FROM docs_dedup, or delete in place with
-- DELETE FROM docs WHERE id IN (SELECT id FROM dedup_cluster
--                               WHERE id <> cluster).
CREATE VIEW docs_dedup AS
  SELECT d.* FROM docs AS d
   WHERE NOT EXISTS (SELECT 1 FROM dedup_cluster AS c
                      WHERE c.id = d.id AND c.id <> c.cluster);

-- The checks: each failure is RAISE(ROLLBACK) with what is needed.
DROP TABLE IF EXISTS temp.dedup_check;
CREATE TEMP TABLE dedup_check(problem TEXT);
CREATE TEMP TRIGGER dedup_check_raise BEFORE INSERT ON dedup_check BEGIN
  SELECT CASE NEW.problem
    WHEN 'no docs' THEN RAISE(ROLLBACK, 'dedup.sql: no table or view docs (the recipe reads docs(id, text))')
    WHEN 'no id' THEN RAISE(ROLLBACK, 'dedup.sql: docs has no column id (the recipe reads docs(id, text))')
    WHEN 'no text' THEN RAISE(ROLLBACK, 'dedup.sql: docs has no column text (the recipe reads docs(id, text))')
    WHEN 'threshold' THEN RAISE(ROLLBACK, 'dedup.sql: dedup_settings: threshold must be a number in (0, 1]')
    WHEN 'num_perm' THEN RAISE(ROLLBACK, 'dedup.sql: dedup_settings: num_perm must be an integer 1..1024')
    WHEN 'ngram' THEN RAISE(ROLLBACK, 'dedup.sql: dedup_settings: ngram must be an integer 1..1000')
    WHEN 'bands' THEN RAISE(ROLLBACK, 'dedup.sql: dedup_settings: bands and rows must be integers >= 1 with bands * rows <= num_perm')
    WHEN 'all_pairs' THEN RAISE(ROLLBACK, 'dedup.sql: dedup_settings: all_pairs must be an integer >= 2')
    WHEN 'verify_all' THEN RAISE(ROLLBACK, 'dedup.sql: dedup_settings: verify_all must be 0 or 1')
    WHEN 'null id' THEN RAISE(ROLLBACK, 'dedup.sql: docs has a NULL id (every document needs an id)')
    WHEN 'text type' THEN RAISE(ROLLBACK, 'dedup.sql: docs has a text that is not TEXT or NULL (a BLOB or a number)')
    WHEN 'duplicate id' THEN RAISE(ROLLBACK, 'dedup.sql: docs has duplicate ids (each id must name one document)')
    WHEN 'incomplete' THEN RAISE(ROLLBACK, 'dedup.sql: a step failed (see the error before this one); the run was rolled back')
  END;
END;
INSERT INTO temp.dedup_check
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('docs')) THEN 'no docs'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('docs') WHERE name = 'id' COLLATE NOCASE) THEN 'no id'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('docs') WHERE name = 'text' COLLATE NOCASE) THEN 'no text'
    WHEN typeof(threshold) NOT IN ('integer', 'real') OR NOT (threshold > 0 AND threshold <= 1) THEN 'threshold'
    WHEN typeof(num_perm) <> 'integer' OR num_perm NOT BETWEEN 1 AND 1024 THEN 'num_perm'
    WHEN typeof(ngram) <> 'integer' OR ngram NOT BETWEEN 1 AND 1000 THEN 'ngram'
    WHEN typeof(bands) <> 'integer' OR typeof(rows) <> 'integer' OR bands < 1 OR rows < 1
         OR bands * rows > num_perm THEN 'bands'
    WHEN typeof(all_pairs) <> 'integer' OR all_pairs < 2 THEN 'all_pairs'
    WHEN typeof(verify_all) <> 'integer' OR verify_all NOT IN (0, 1) THEN 'verify_all'
    ELSE 'ok' END
    FROM dedup_settings;
INSERT INTO temp.dedup_check
  SELECT CASE WHEN nulls > 0 THEN 'null id' WHEN bad > 0 THEN 'text type' ELSE 'ok' END
    FROM (SELECT count(*) FILTER (WHERE id IS NULL) AS nulls,
                 count(*) FILTER (WHERE typeof(text) NOT IN ('text', 'null')) AS bad
            FROM docs);
-- Duplicates as docs' own collation sees them (grouped in its id index
-- when there is one).
INSERT INTO temp.dedup_check
  SELECT CASE WHEN EXISTS (SELECT 1 FROM docs GROUP BY id HAVING count(*) > 1)
              THEN 'duplicate id' ELSE 'ok' END;

-- The id map: n = 1..N in id order.
CREATE TABLE dedup_id AS
  SELECT CAST(row_number() OVER (ORDER BY d.id) AS INTEGER) AS n, d.id AS id
    FROM docs AS d WHERE EXISTS (SELECT 1 FROM dedup_settings);
CREATE UNIQUE INDEX dedup_id_n ON dedup_id(n);

-- 1. Sign every document.  The option string fixes the signature's
--    parameters; signatures made with other parameters cannot be mixed.
CREATE TABLE dedup_sig AS
  SELECT m.n AS n, m.id AS id,
         minhash(d.text, (SELECT printf('num_perm=%d ngram=%d', num_perm, ngram)
                            FROM dedup_settings)) AS sig
    FROM dedup_id AS m JOIN docs AS d ON d.id = m.id
   WHERE d.text IS NOT NULL
   ORDER BY m.n;

-- 2. Band: `bands` bucket keys per document.  Documents without any
--    shingle (empty text) get no bucket and are never candidates.
CREATE TABLE dedup_band AS
  SELECT b.band AS band, b.bucket AS bucket, s.n AS n
    FROM dedup_sig AS s,
         lsh_bands(s.sig, (SELECT bands FROM dedup_settings), (SELECT rows FROM dedup_settings)) AS b;
CREATE INDEX dedup_band_key ON dedup_band(band, bucket, n);

-- 3. Candidate pairs: within each bucket shared by 2 to all_pairs
--    documents, every pair; in a larger bucket (many copies of one text),
--    each document with the bucket's least n only, so 10,000 copies give
--    9,999 pairs rather than 50 million.
CREATE TABLE dedup_bucket AS
  SELECT band, bucket, count(*) AS size, min(n) AS root,
         count(*) <= (SELECT all_pairs FROM dedup_settings) AS every_pair
    FROM dedup_band GROUP BY band, bucket HAVING count(*) > 1;
CREATE TABLE dedup_candidate AS
  SELECT a.n AS n_a, b.n AS n_b
    FROM dedup_bucket AS k
    JOIN dedup_band AS a ON a.band = k.band AND a.bucket = k.bucket
    JOIN dedup_band AS b ON b.band = k.band AND b.bucket = k.bucket AND b.n > a.n
   WHERE k.every_pair
  UNION
  SELECT k.root, m.n
    FROM dedup_bucket AS k
    JOIN dedup_band AS m ON m.band = k.band AND m.bucket = k.bucket
   WHERE NOT k.every_pair AND m.n <> k.root;

-- 4. Verify the candidates with the exact Jaccard of the two texts
--    (dedup_verify() shingles exactly as minhash() did: keep their options
--    the same), with union-find as it goes: a candidate whose two documents
--    are already joined by pairs verified before it is skipped, since it
--    cannot change the clusters.  dedup_verify() reads each document of a
--    candidate once, in n order, and holds its shingles until its last
--    pair is verified, so the work grows with the documents, not with the
--    candidates (a family of k similar documents gives up to k(k-1)/2);
--    the shingles held at once stay within 256 MiB (its memory option),
--    in more passes over the texts when they do not fit, each from the
--    first document it needs (?1; the documents of no candidate are
--    stepped over, not shingled).  The clusters are those of every
--    candidate at or above the threshold; dedup_pair holds the pairs that
--    joined two clusters (k-1 for a family of k copies).  verify_all = 1 verifies every candidate and keeps every
--    pair at or above the threshold (the same clusters, more time).  For a
--    cheaper, approximate check that reads no text, give dedup_verify() the
--    signatures (SELECT n, sig FROM dedup_sig ORDER BY n) instead of the
--    texts: the fraction of equal slots, as minhash_jaccard().
CREATE TABLE dedup_pair AS
  SELECT v.a AS n_a, v.b AS n_b, ia.id AS id_a, ib.id AS id_b, v.similarity AS similarity
    FROM dedup_verify(
           'SELECT n_a, n_b FROM dedup_candidate',
           'SELECT m.n, d.text FROM dedup_id AS m JOIN docs AS d ON d.id = m.id
             WHERE m.n >= ?1 ORDER BY m.n',
           (SELECT printf('threshold=%!.17g ngram=%d skip=%s', threshold, ngram,
                          iif(verify_all, 'none', 'connected'))
              FROM dedup_settings)) AS v
    JOIN dedup_id AS ia ON ia.n = v.a
    JOIN dedup_id AS ib ON ib.n = v.b;

-- 5. Cluster: connected components of the verified pairs, back to ids.
CREATE TABLE dedup_cluster AS
  SELECT (SELECT id FROM dedup_id WHERE n = c.id) AS id,
         (SELECT id FROM dedup_id WHERE n = c.cluster) AS cluster
    FROM dedup_clusters('SELECT n_a, n_b FROM dedup_pair') AS c
   WHERE EXISTS (SELECT 1 FROM dedup_settings)
   ORDER BY c.id;
-- docs_dedup (made above) looks each document up here: without an
-- index, a full scan of dedup_cluster per document.
CREATE INDEX dedup_cluster_id ON dedup_cluster(id);

-- The end: every step's table is there, or the run is rolled back.
INSERT INTO temp.dedup_check
  SELECT CASE WHEN count(*) = 7 THEN 'ok' ELSE 'incomplete' END
    FROM main.sqlite_schema
   WHERE type = 'table' AND name IN ('dedup_id', 'dedup_sig', 'dedup_band', 'dedup_bucket',
                                     'dedup_candidate', 'dedup_pair', 'dedup_cluster');
DROP TABLE temp.dedup_check;
COMMIT;
