-- Exact deduplication, as SQL recipes: whole documents, then lines.
--
-- Input:  a table or view docs(id, text)   (rename to yours, or make a view)
--         id: INTEGER or TEXT, unique and not NULL; text: TEXT or NULL.
-- Output: docs_exact(id, text)   one document per normalized text, and every
--                                contentless document
--         docs_lines(id, text)   the same documents with every line dropped
--                                that already occurred (normalized) in an
--                                earlier document or earlier in the same one
-- Run:    sqlite3 -cmd '.load ./dist/corpus' DB < sql/exact_dedup.sql
--         (or `.read` it after `.load ./dist/corpus`, or from any program
--         that loaded the extension).  As sql/dedup.sql: one transaction
--         that first checks docs; a failed check rolls it back, with an
--         error that says what is needed, such as
--           exact_dedup.sql: docs has no column text (the recipe reads docs(id, text))
--         and the steps read temp.exact_dedup_ok, which then does not exist,
--         so a shell that goes on after an error gets errors, not a wrong
--         answer.  Run it outside a transaction of your own.
--
-- "Normalized" is normalize()'s default: NFKC, case folding, punctuation to
-- spaces, white space collapsed, so copies that differ only in case,
-- punctuation or spacing count as equal.
--
-- Contentless text (no word, that is no letter, mark or number, after
-- normalization: empty, white space, punctuation, emoji and symbols, zero
-- width characters) is never a duplicate: it carries no text to compare,
-- and its normalizations are all equal ('' or a few format characters), so
-- grouping them would keep one and drop the rest as "copies" of unrelated
-- documents.  Each contentless document or line is its own group and is
-- kept; filter contentless documents out with quality_reject() (or
-- WHERE token_count(normalize(text)) > 0) if they are unwanted.  The same
-- rule as minhash() (sql/dedup.sql), where such a text has no shingle.

BEGIN;
DROP TABLE IF EXISTS docs_exact;
DROP TABLE IF EXISTS dedup_line;
DROP TABLE IF EXISTS docs_lines;
DROP TABLE IF EXISTS temp.exact_dedup_ok;
CREATE TEMP TABLE exact_dedup_ok(problem TEXT);
CREATE TEMP TRIGGER exact_dedup_check BEFORE INSERT ON exact_dedup_ok BEGIN
  SELECT CASE NEW.problem
    WHEN 'no docs' THEN RAISE(ROLLBACK, 'exact_dedup.sql: no table or view docs (the recipe reads docs(id, text))')
    WHEN 'no id' THEN RAISE(ROLLBACK, 'exact_dedup.sql: docs has no column id (the recipe reads docs(id, text))')
    WHEN 'no text' THEN RAISE(ROLLBACK, 'exact_dedup.sql: docs has no column text (the recipe reads docs(id, text))')
    WHEN 'null id' THEN RAISE(ROLLBACK, 'exact_dedup.sql: docs has a NULL id (every document needs an id)')
    WHEN 'text type' THEN RAISE(ROLLBACK, 'exact_dedup.sql: docs has a text that is not TEXT or NULL (a BLOB or a number)')
    WHEN 'duplicate id' THEN RAISE(ROLLBACK, 'exact_dedup.sql: docs has duplicate ids (each id must name one document)')
    WHEN 'incomplete' THEN RAISE(ROLLBACK, 'exact_dedup.sql: a step failed (see the error before this one); the run was rolled back')
  END;
END;
INSERT INTO temp.exact_dedup_ok
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('docs')) THEN 'no docs'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('docs') WHERE name = 'id' COLLATE NOCASE) THEN 'no id'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('docs') WHERE name = 'text' COLLATE NOCASE) THEN 'no text'
    ELSE 'ok' END;
INSERT INTO temp.exact_dedup_ok
  SELECT CASE WHEN nulls > 0 THEN 'null id' WHEN bad > 0 THEN 'text type' ELSE 'ok' END
    FROM (SELECT count(*) FILTER (WHERE id IS NULL) AS nulls,
                 count(*) FILTER (WHERE typeof(text) NOT IN ('text', 'null')) AS bad
            FROM docs);
-- With a duplicate id, the join back to docs would keep every document of
-- that id, copies included.
INSERT INTO temp.exact_dedup_ok
  SELECT CASE WHEN EXISTS (SELECT 1 FROM docs GROUP BY id HAVING count(*) > 1)
              THEN 'duplicate id' ELSE 'ok' END;

-- 1. Documents: group by the 128-bit hash of the normalized text (xxh128:
--    no collision to fear at any corpus size) and keep the least id.  The
--    key of a contentless document is NULL, and NULL keys are not grouped.
CREATE TABLE docs_exact AS
  WITH norm AS MATERIALIZED (
    SELECT id, normalize(text) AS norm FROM docs
     WHERE text IS NOT NULL AND EXISTS (SELECT 1 FROM temp.exact_dedup_ok)),
  keyed AS (
    SELECT id, CASE WHEN token_count(norm) > 0 THEN xxh128(norm) END AS k FROM norm)
  SELECT d.* FROM docs AS d
    JOIN (SELECT id FROM keyed WHERE k IS NULL
          UNION ALL
          SELECT min(id) FROM keyed WHERE k IS NOT NULL GROUP BY k) AS keep
      USING (id)
   ORDER BY d.id;

-- 2. Lines, within and across documents (the CCNet / C4 idea at line level:
--    boilerplate such as navigation, cookie notices and licence footers
--    repeats across pages).  A line is kept at its first occurrence, by
--    (document id, position); contentless lines (rules such as "----",
--    blank-looking lines of zero width characters) are always kept.
CREATE TABLE dedup_line AS
  SELECT d.id, l.position, l.token AS line, normalize(l.token) AS norm
    FROM docs_exact AS d, tokens(d.text, 'lines') AS l
   WHERE EXISTS (SELECT 1 FROM temp.exact_dedup_ok);

-- The lines are concatenated in (id, position) order, the order of the
-- subquery (SQLite 3.44 and later can say group_concat(... ORDER BY position)).
-- A document all of whose lines went is not in docs_lines.
CREATE TABLE docs_lines AS
  SELECT id, group_concat(line, char(10)) AS text
    FROM (SELECT id, position, line,
                 token_count(norm) = 0 OR row_number() OVER (PARTITION BY xxh128(norm)
                                                 ORDER BY id, position) = 1 AS keep
            FROM dedup_line
           ORDER BY id, position)
   WHERE keep AND EXISTS (SELECT 1 FROM temp.exact_dedup_ok)
   GROUP BY id;

-- The end: every step's table is there, or the run is rolled back.
INSERT INTO temp.exact_dedup_ok
  SELECT CASE WHEN count(*) = 3 THEN 'ok' ELSE 'incomplete' END
    FROM main.sqlite_schema
   WHERE type = 'table' AND name IN ('docs_exact', 'dedup_line', 'docs_lines');
DROP TABLE temp.exact_dedup_ok;
COMMIT;
