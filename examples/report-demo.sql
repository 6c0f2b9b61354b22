-- The report's demo: report_docs from the bundled data (examples/data/),
-- then sql/report.sql writes dist/report.html.  `make report` runs it:
--     sqlite3 -bail :memory: < examples/report-demo.sql
-- Three sources: the SQLite documentation as JSON (sqlite-doc), the same
-- pages and a few others as a WET file (web: so the pages it shares with
-- sqlite-doc are exact duplicates), and a daily batch of JSON Lines
-- (daily: new pages, edited copies and copies, two without words).
.load ./dist/corpus
.bail on

CREATE TABLE docs(id INTEGER PRIMARY KEY, source TEXT, url TEXT, text TEXT);
INSERT INTO docs(source, url, text)
  SELECT 'sqlite-doc', 'https://sqlite.org/' || (value ->> 'path'),
         value ->> 'text'
    FROM json_each(readfile('examples/data/sqlite-doc.json'));
INSERT INTO docs(source, url, text)
  SELECT 'web', target_uri, CAST(payload AS TEXT)
    FROM read_warc('examples/data/sqlite-doc.warc.wet.gz', 'types=conversion');
INSERT INTO docs(source, url, text)
  SELECT 'daily', 'https://www.sqlite.org/' || (json ->> 'path'), json ->> 'text'
    FROM read_jsonl('examples/data/daily-batch.jsonl');

.read sql/exact_dedup.sql
.read sql/dedup.sql

-- Each document's fate, the first reason that drops it.
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

CREATE TABLE report_settings AS
  SELECT 'dist/report.html' AS path,
         'sqlite-corpus: the demo corpus (examples/data)' AS title;
.read sql/report.sql
