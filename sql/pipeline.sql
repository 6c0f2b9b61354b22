-- Raw files to training shards, as one SQL script: web text (WET or WARC
-- files) and JSON Lines shards in; exact and near-duplicate removal, the
-- quality rules and token counts; JSON Lines shards (zstd) and a report
-- out.  Every step is a table, so a step can be inspected.
--
-- Input:  pipeline_settings (below: change the paths and numbers there)
--         wet    WET files (a glob; Common Crawl's *.warc.wet.gz), or NULL:
--                their conversion records' text
--         jsonl  JSON Lines files (a glob; plain, .gz or .zst), or NULL:
--                each line's "text", and "url" when it has one
--         out    the shards' path, ${rank} their number (write_jsonl)
-- Output: pipeline_raw      every document read, with its source
--         pipeline_report   documents and bytes kept and dropped, by reason
--         the shards, and the manifest in pipeline_manifest
--
-- Run:    sqlite3 -bail -cmd '.load ./dist/corpus' corpus.db < sql/pipeline.sql
--         (from the repository's top directory: it reads sql/dedup.sql;
--         the file readers and write_jsonl run only in statements run
--         directly, as here).  It refuses to overwrite existing shards:
--         remove them, or add overwrite=on to the last step's options.

-- 0. Settings.
DROP TABLE IF EXISTS pipeline_settings;
CREATE TABLE pipeline_settings AS SELECT
  'examples/data/sqlite-doc.warc.wet.gz' AS wet,
  NULL AS jsonl,
  'corpus-${rank}.jsonl.zst' AS out,   -- in an existing directory
  20 AS shard_rows,             -- documents per shard
  'cl100k_base' AS tokenizer;   -- token counts for the budget (GPT-4's BPE)

-- 1. Read.  The readers stream; a malformed record or line is an error
--    (on_error=skip would skip it and count it in corpus_errors()).
DROP TABLE IF EXISTS pipeline_raw;
CREATE TABLE pipeline_raw(id INTEGER PRIMARY KEY, source TEXT, file TEXT,
                          url TEXT, text TEXT);
INSERT INTO pipeline_raw(source, file, url, text)
  SELECT 'wet', file, target_uri, CAST(payload AS TEXT)
    FROM read_warc((SELECT wet FROM pipeline_settings), 'types=conversion');
INSERT INTO pipeline_raw(source, file, url, text)
  SELECT 'jsonl', file, json ->> '$.url', json ->> '$.text'
    FROM read_jsonl((SELECT jsonl FROM pipeline_settings));

-- 2. Exact duplicates: the same text once normalized (case, punctuation,
--    white space); the first read is kept.
DROP TABLE IF EXISTS pipeline_exact;
CREATE TABLE pipeline_exact AS
  SELECT id, xxh64(normalize(text)) AS key,
         min(id) OVER (PARTITION BY xxh64(normalize(text))) AS first
    FROM pipeline_raw WHERE text IS NOT NULL;

-- 3. Quality: the Gopher, C4 and FineWeb rules (datatrove's); the reason
--    of each document dropped.
DROP TABLE IF EXISTS pipeline_quality;
CREATE TABLE pipeline_quality AS
  SELECT id, quality_reject(text) AS reason FROM pipeline_raw
   WHERE id IN (SELECT id FROM pipeline_exact WHERE id = first);

-- 4. Near duplicates among what is left: MinHash + LSH with every
--    candidate verified (sql/dedup.sql reads docs(id, text)).
DROP VIEW IF EXISTS docs;    -- a view of the database (dedup.sql makes a view over it)
CREATE VIEW docs AS
  SELECT r.id AS id, r.text AS text FROM pipeline_raw AS r
    JOIN pipeline_quality AS q ON q.id = r.id AND q.reason IS NULL;
.read sql/dedup.sql

-- 5. The report: every document read has one fate.
DROP TABLE IF EXISTS pipeline_fate;
CREATE TABLE pipeline_fate AS
  SELECT r.id AS id, r.source AS source,
         CASE WHEN r.text IS NULL THEN 'no text'
              WHEN e.id <> e.first THEN 'exact duplicate'
              WHEN q.reason IS NOT NULL THEN 'quality: ' || q.reason
              WHEN c.id IS NOT NULL AND c.id <> c.cluster THEN 'near duplicate'
              ELSE 'kept' END AS fate,
         length(CAST(r.text AS BLOB)) AS bytes
    FROM pipeline_raw AS r
    LEFT JOIN pipeline_exact AS e ON e.id = r.id
    LEFT JOIN pipeline_quality AS q ON q.id = r.id
    LEFT JOIN dedup_cluster AS c ON c.id = r.id;
DROP TABLE IF EXISTS pipeline_report;
CREATE TABLE pipeline_report AS
  SELECT source, fate, count(*) AS docs, sum(bytes) AS bytes
    FROM pipeline_fate GROUP BY source, fate ORDER BY source, fate;

-- 6. Shards: the documents kept, with their token counts, in id order.
DROP TABLE IF EXISTS pipeline_manifest;
CREATE TABLE pipeline_manifest AS
  SELECT write_jsonl((SELECT out FROM pipeline_settings),
                     json_object('id', r.id, 'url', r.url, 'source', r.source,
                                 'tokens', token_count(r.text,
                                              (SELECT tokenizer FROM pipeline_settings)),
                                 'text', r.text),
                     'shard_rows=' || (SELECT shard_rows FROM pipeline_settings)) AS manifest
    FROM (SELECT r.* FROM pipeline_raw AS r JOIN pipeline_fate AS f ON f.id = r.id
           WHERE f.fate = 'kept' ORDER BY r.id) AS r;

SELECT source, fate, docs, bytes FROM pipeline_report;
SELECT json_array_length(manifest, '$.files') AS shards,
       manifest ->> '$.rows' AS rows FROM pipeline_manifest;
