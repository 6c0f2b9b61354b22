-- Daily ingest with a persistent near-duplicate index (docs/maintenance.md).
-- Run from the top of the repository:
--     sqlite3 -bail :memory: < examples/06-daily-ingest.sql
-- Yesterday's corpus is pages 1..30 of the bundled SQLite documentation
-- (examples/data/sqlite-doc.json); today's batch is a JSON Lines file,
-- examples/data/daily-batch.jsonl (made by scripts/make-daily-batch.py: 13
-- new pages, copies and edited copies of yesterday's, near-duplicates
-- within the batch, pages with no words).  In real use, yesterday's corpus
-- and index are a database file opened again each day: the index lives in
-- it, and nothing is signed twice.
.load ./dist/corpus
.mode box
.headers on

.print '== Yesterday: the corpus kept so far, and its index'
CREATE TABLE kept(id INTEGER PRIMARY KEY, path TEXT, text TEXT, day TEXT);
INSERT INTO kept
  SELECT value->>'id', value->>'path', value->>'text', '2026-11-29'
    FROM json_each(readfile('examples/data/sqlite-doc.json'))
   WHERE value->>'id' <= 30;
-- unique=on: a near-duplicate (estimated Jaccard >= 0.8 of word 5-grams)
-- of a row already indexed is a constraint violation, so INSERT OR IGNORE
-- skips it.
CREATE VIRTUAL TABLE seen USING minhash_index(threshold=0.8, unique=on);
INSERT INTO seen(rowid, text) SELECT id, text FROM kept;
SELECT count(*) AS kept_documents, (SELECT count(*) FROM seen) AS indexed,
       (SELECT count(*) FROM seen_bucket) AS bucket_rows
  FROM kept;

.print '== Today: the batch, read from JSON Lines'
CREATE TABLE batch AS
  SELECT json->>'id' AS id, json->>'path' AS path, json->>'text' AS text
    FROM read_jsonl('examples/data/daily-batch.jsonl');
SELECT count(*) AS batch_documents FROM batch;

.print '== The fate of each document of the batch, in one transaction'
BEGIN;
CREATE TABLE fate(id INTEGER PRIMARY KEY, reason TEXT, duplicate_of INTEGER,
                  similarity REAL);
-- 1. No words: nothing to compare, and nothing to train on (a quality
--    decision, docs/dedup.md "contentless texts").
INSERT INTO fate
  SELECT id, 'no words', NULL, NULL FROM batch
   WHERE token_count(normalize(text)) = 0;
-- 2. A near-duplicate of a document kept before today: its best match in
--    the index (a MATCH per document: one seek per band).
INSERT INTO fate
  SELECT b.id, 'near-duplicate of a kept document', s.rowid, max(s.similarity)
    FROM batch AS b, seen AS s
   WHERE b.id NOT IN (SELECT id FROM fate)
     AND s.seen MATCH b.text AND s.similarity >= 0.8
   GROUP BY b.id;
-- 3. The rest into the index, in id order: each is checked against the
--    index as it is then, so the second of two near-duplicates within the
--    batch is skipped.
INSERT OR IGNORE INTO seen(rowid, text)
  SELECT id, text FROM batch WHERE id NOT IN (SELECT id FROM fate) ORDER BY id;
INSERT INTO fate
  SELECT b.id, 'near-duplicate within the batch', s.rowid, max(s.similarity)
    FROM batch AS b, seen AS s
   WHERE b.id NOT IN (SELECT id FROM fate)
     AND b.id NOT IN (SELECT rowid FROM seen)
     AND s.seen MATCH b.text AND s.similarity >= 0.8
   GROUP BY b.id;
INSERT INTO fate SELECT id, 'new', NULL, NULL FROM batch
  WHERE id NOT IN (SELECT id FROM fate);
INSERT INTO kept
  SELECT b.id, b.path, b.text, '2026-11-30'
    FROM batch AS b JOIN fate AS f USING (id) WHERE f.reason = 'new';
COMMIT;

.print '== The report: how many were kept, how many dropped, and why'
SELECT reason, count(*) AS documents FROM fate GROUP BY reason ORDER BY documents DESC;

.print '== The dropped duplicates, with what they duplicate'
SELECT f.id, b.path, f.reason, f.duplicate_of, round(f.similarity, 3) AS similarity
  FROM fate AS f JOIN batch AS b USING (id)
 WHERE f.duplicate_of IS NOT NULL ORDER BY f.id;

.print '== After: the corpus and its index agree, and the index checks out'
INSERT INTO seen(seen) VALUES ('integrity-check');
SELECT count(*) AS kept_documents, (SELECT count(*) FROM seen) AS indexed,
       (SELECT count(*) FROM kept WHERE day = '2026-11-30') AS added_today
  FROM kept;
