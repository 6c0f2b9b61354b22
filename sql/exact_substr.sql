-- Exact-substring deduplication (ExactSubstr: Lee et al., "Deduplicating
-- Training Data Makes Language Models Better", ACL 2022), as a SQL recipe:
-- build a suffix array over the corpus, find every span of at least
-- min_length bytes that occurs at least min_count times, cut those spans out
-- of each document, keep the documents that still have enough text, and
-- report the bytes each source lost.
--
-- Input:  a table or view docs(id, text, source)   (rename to yours, or
--         make a view); id: INTEGER or TEXT, unique and not NULL; text:
--         TEXT or NULL; source: any value (a crawl, a site, a dataset
--         name), the unit of the report.
-- Output: substr_index      a substring_index over docs (the suffix array,
--                           kept in the database: other min_length values
--                           are queried without building it again)
--         substr_span(id, start, end, count)   the repeated spans, byte
--                           offsets into each document's text
--         substr_cut(id, source, bytes, bytes_cut, words_before, words,
--                    keep, text)   each document that lost spans: its text
--                           after the cut, its words before and after,
--                           and whether it is kept
--         docs_substr       a view of docs(id, source, text): the
--                           documents kept, the cut ones with their new text
--         substr_report(source, docs, docs_cut, docs_dropped, bytes,
--                       bytes_cut, bytes_dropped, bytes_removed,
--                       pct_removed)   what each source lost
--         substr_settings   the settings of the run
--
-- Run:    sqlite3 -cmd '.load ./dist/corpus' DB < sql/exact_substr.sql
--         (or `.read sql/exact_substr.sql` after `.load ./dist/corpus`, or
--         from any program that loaded the extension).
--
-- As sql/dedup.sql: the run is one transaction that first checks docs and
-- the settings; a failed check rolls it back (the database is as before)
-- with an error that says what is needed, such as
--   exact_substr.sql: docs has no column source (the recipe reads docs(id, text, source))
-- and every later step reads substr_settings, which the failed check took
-- back (or, left by an earlier complete run, with every table of that run,
-- which the steps refuse to overwrite), so a shell that goes on after an
-- error gets errors, not a wrong answer.  Run it outside a transaction of
-- your own.
--
-- The rule (docs/substr.md, "The span rule"): a window is min_length bytes
-- of a document; it is repeated when it occurs at least min_count times in
-- the corpus (across and within documents, never across a document's edge);
-- a document's spans are the runs its repeated windows cover, merged when
-- they overlap or touch, shrunk to code-point boundaries.  Every occurrence
-- goes, the first one included, as the public tool removes them (a document
-- repeated whole loses all its text in every copy: run sql/exact_dedup.sql
-- or sql/dedup.sql first to keep one copy of such documents).

-- 0. Settings, read by every step: change them here, and only here.
--    min_length 100 bytes: the public tool's --length-threshold of its
--    README and the paper's 50 tokens at about 2 bytes a token (for the
--    paper's own unit, create substr_index with unit=tokens below and set
--    min_length 50).  min_count 2: any repeat.
--    Which cut documents still have enough text: a document that lost spans
--    is kept when what is left has at least min_words (50) words, or at
--    least min_share (half) of the words it had, and one word at least
--    (token_count()'s words).  Each test alone fails one kind of document:
--    a share alone would drop a long document whose unique body sits under
--    a long licence or navigation block (the text worth keeping); a floor
--    alone would drop a short one (a quotation, a question) for losing one
--    repeated line, though the same text uncut is kept.  Together they drop
--    what the cut reduced to scraps: a greeting left above a removed
--    signature, the joins between removed spans, a copy of another
--    document.  50 is datatrove's floor after the same removal
--    (ESRangeRemover's min_doc_words) and Gopher's shortest document.
--    Documents without spans are kept as they are, whatever their length:
--    that is a quality decision (quality_reject()), not a deduplication one.
BEGIN;
DROP TABLE IF EXISTS substr_settings;
CREATE TABLE substr_settings AS SELECT
  100 AS min_length,  -- bytes a window (1..1000000000)
  2   AS min_count,   -- occurrences that make a window repeated (>= 2)
  50  AS min_words,   -- a cut document is kept with this many words left
  0.5 AS min_share;   -- ... or this share of its words (0..1)

-- The tables of an earlier run go (a failed check brings them back).
-- docs_substr is made here: CREATE VIEW does not look at the tables it
-- reads, so made after a failed check it would outlive it.
DROP TABLE IF EXISTS substr_index;
DROP TABLE IF EXISTS substr_span;
DROP TABLE IF EXISTS substr_cut;
DROP TABLE IF EXISTS substr_report;
DROP VIEW IF EXISTS docs_substr;
-- The documents kept: those without spans as they are, the cut ones with
-- their new text when enough of it is left.  A document whose text is NULL
-- has no text to keep and is not here (as in sql/exact_dedup.sql).
-- Materialize with CREATE TABLE ... AS SELECT * FROM docs_substr.
CREATE VIEW docs_substr AS
  SELECT d.id AS id, d.source AS source, coalesce(c.text, d.text) AS text
    FROM docs AS d LEFT JOIN substr_cut AS c ON c.id = d.id
   WHERE d.text IS NOT NULL AND (c.id IS NULL OR c.keep);

-- The checks: each failure is RAISE(ROLLBACK) with what is needed.
DROP TABLE IF EXISTS temp.substr_check;
CREATE TEMP TABLE substr_check(problem TEXT);
CREATE TEMP TRIGGER substr_check_raise BEFORE INSERT ON substr_check BEGIN
  SELECT CASE NEW.problem
    WHEN 'no docs' THEN RAISE(ROLLBACK, 'exact_substr.sql: no table or view docs (the recipe reads docs(id, text, source))')
    WHEN 'no id' THEN RAISE(ROLLBACK, 'exact_substr.sql: docs has no column id (the recipe reads docs(id, text, source))')
    WHEN 'no text' THEN RAISE(ROLLBACK, 'exact_substr.sql: docs has no column text (the recipe reads docs(id, text, source))')
    WHEN 'no source' THEN RAISE(ROLLBACK, 'exact_substr.sql: docs has no column source (the recipe reads docs(id, text, source))')
    WHEN 'min_length' THEN RAISE(ROLLBACK, 'exact_substr.sql: substr_settings: min_length must be an integer 1..1000000000')
    WHEN 'min_count' THEN RAISE(ROLLBACK, 'exact_substr.sql: substr_settings: min_count must be an integer >= 2')
    WHEN 'min_words' THEN RAISE(ROLLBACK, 'exact_substr.sql: substr_settings: min_words must be an integer >= 0')
    WHEN 'min_share' THEN RAISE(ROLLBACK, 'exact_substr.sql: substr_settings: min_share must be a number in [0, 1]')
    WHEN 'null id' THEN RAISE(ROLLBACK, 'exact_substr.sql: docs has a NULL id (every document needs an id)')
    WHEN 'text type' THEN RAISE(ROLLBACK, 'exact_substr.sql: docs has a text that is not TEXT or NULL (a BLOB or a number)')
    WHEN 'duplicate id' THEN RAISE(ROLLBACK, 'exact_substr.sql: docs has duplicate ids (each id must name one document)')
    WHEN 'incomplete' THEN RAISE(ROLLBACK, 'exact_substr.sql: a step failed (see the error before this one); the run was rolled back')
  END;
END;
INSERT INTO temp.substr_check
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('docs')) THEN 'no docs'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('docs') WHERE name = 'id' COLLATE NOCASE) THEN 'no id'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('docs') WHERE name = 'text' COLLATE NOCASE) THEN 'no text'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('docs') WHERE name = 'source' COLLATE NOCASE) THEN 'no source'
    WHEN typeof(min_length) <> 'integer' OR min_length NOT BETWEEN 1 AND 1000000000 THEN 'min_length'
    WHEN typeof(min_count) <> 'integer' OR min_count < 2 THEN 'min_count'
    WHEN typeof(min_words) <> 'integer' OR min_words < 0 THEN 'min_words'
    WHEN typeof(min_share) NOT IN ('integer', 'real') OR NOT (min_share BETWEEN 0 AND 1) THEN 'min_share'
    ELSE 'ok' END
    FROM substr_settings;
INSERT INTO temp.substr_check
  SELECT CASE WHEN nulls > 0 THEN 'null id' WHEN bad > 0 THEN 'text type' ELSE 'ok' END
    FROM (SELECT count(*) FILTER (WHERE id IS NULL) AS nulls,
                 count(*) FILTER (WHERE typeof(text) NOT IN ('text', 'null')) AS bad
            FROM docs);
-- Spans are joined back to documents by id.
INSERT INTO temp.substr_check
  SELECT CASE WHEN EXISTS (SELECT 1 FROM docs GROUP BY id HAVING count(*) > 1)
              THEN 'duplicate id' ELSE 'ok' END;

-- 1. Build: the suffix array of every text of docs (NULL texts left out),
--    kept in the shadow tables substr_index_config, _doc and _data.  The
--    source query reads substr_settings so that a shell that goes on after
--    a failed check gets an error here too.  A rebuild after docs changed:
--    INSERT INTO substr_index(substr_index) VALUES ('rebuild').
--    (unit=tokens: CREATE ... USING substring_index(source=..., unit=tokens)
--    and min_length in tokens.)
CREATE VIRTUAL TABLE substr_index USING substring_index(
  source="SELECT id, text FROM docs WHERE EXISTS (SELECT 1 FROM substr_settings)");

-- 2. Find: the spans, with how often each span's first window occurs.
--    Other lengths come from the same index:
--      SELECT * FROM substr_index WHERE min_length = 50 AND min_count = 2;
CREATE TABLE substr_span AS
  SELECT doc AS id, start, end, count
    FROM substr_index
   WHERE min_length = (SELECT min_length FROM substr_settings)
     AND min_count = (SELECT min_count FROM substr_settings);
CREATE INDEX substr_span_id ON substr_span(id);

-- 3. Cut: each document with spans, its spans gathered as a JSON array of
--    [start, end] pairs and cut out by remove_spans().  (A document without
--    spans keeps its text: it is not in this table.  remove_spans() of a
--    NULL spans argument is NULL, so a LEFT JOIN of every document would
--    need remove_spans(text, coalesce(spans, '[]')).)
CREATE TABLE substr_cut AS
  WITH s AS (
    SELECT id, json_group_array(json_array(start, end)) AS spans,
           sum(end - start) AS bytes_cut
      FROM substr_span GROUP BY id),
  cut AS MATERIALIZED (
    SELECT d.id AS id, d.source AS source, length(CAST(d.text AS BLOB)) AS bytes,
           s.bytes_cut AS bytes_cut, token_count(d.text) AS words_before,
           remove_spans(d.text, s.spans) AS text
      FROM s JOIN docs AS d ON d.id = s.id),
  counted AS MATERIALIZED (
    SELECT id, source, bytes, bytes_cut, words_before, token_count(text) AS words, text
      FROM cut)
  SELECT id, source, bytes, bytes_cut, words_before, words,
         words > 0 AND (words >= (SELECT min_words FROM substr_settings)
                        OR words >= (SELECT min_share FROM substr_settings) * words_before)
           AS keep,
         text
    FROM counted
   ORDER BY id;
-- docs_substr (made above) looks each document up here.
CREATE UNIQUE INDEX substr_cut_id ON substr_cut(id);

-- 4. Report, per source: documents, those cut and those dropped; bytes of
--    text, bytes cut out as spans, bytes of the dropped documents' remains;
--    bytes_removed = bytes_cut + bytes_dropped, and its share of bytes.
CREATE TABLE substr_report AS
  SELECT d.source AS source, count(*) AS docs,
         count(c.id) AS docs_cut,
         count(*) FILTER (WHERE c.id IS NOT NULL AND NOT c.keep) AS docs_dropped,
         coalesce(sum(length(CAST(d.text AS BLOB))), 0) AS bytes,
         coalesce(sum(c.bytes_cut), 0) AS bytes_cut,
         coalesce(sum(length(CAST(c.text AS BLOB))) FILTER (WHERE NOT c.keep), 0) AS bytes_dropped,
         coalesce(sum(c.bytes_cut), 0)
           + coalesce(sum(length(CAST(c.text AS BLOB))) FILTER (WHERE NOT c.keep), 0) AS bytes_removed,
         round(100.0 * (coalesce(sum(c.bytes_cut), 0)
           + coalesce(sum(length(CAST(c.text AS BLOB))) FILTER (WHERE NOT c.keep), 0))
           / max(coalesce(sum(length(CAST(d.text AS BLOB))), 0), 1), 2) AS pct_removed
    FROM docs AS d LEFT JOIN substr_cut AS c ON c.id = d.id
   WHERE EXISTS (SELECT 1 FROM substr_settings)
   GROUP BY d.source
   ORDER BY d.source;

-- The end: every step's table is there, or the run is rolled back.
INSERT INTO temp.substr_check
  SELECT CASE WHEN count(*) = 4 THEN 'ok' ELSE 'incomplete' END
    FROM main.sqlite_schema
   WHERE type = 'table' AND name IN ('substr_index', 'substr_span', 'substr_cut', 'substr_report');
DROP TABLE temp.substr_check;
COMMIT;
