-- Exact deduplication, as SQL recipes: whole documents, then lines.
--
-- Input:  a table docs(id INTEGER PRIMARY KEY, text TEXT)   (rename to yours)
-- Output: docs_exact(id, text)   one document per normalized text, and every
--                                contentless document
--         docs_lines(id, text)   the same documents with every line dropped
--                                that already occurred (normalized) in an
--                                earlier document or earlier in the same one
-- Run after `.load ./dist/corpus`.  "Normalized" is normalize()'s default:
-- NFKC, case folding, punctuation to spaces, white space collapsed, so
-- copies that differ only in case, punctuation or spacing count as equal.
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

-- 1. Documents: group by the 128-bit hash of the normalized text (xxh128:
--    no collision to fear at any corpus size) and keep the least id.  The
--    key of a contentless document is NULL, and NULL keys are not grouped.
DROP TABLE IF EXISTS docs_exact;
CREATE TABLE docs_exact AS
  WITH norm AS MATERIALIZED (
    SELECT id, normalize(text) AS norm FROM docs WHERE text IS NOT NULL),
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
DROP TABLE IF EXISTS dedup_line;
CREATE TABLE dedup_line AS
  SELECT d.id, l.position, l.token AS line, normalize(l.token) AS norm
    FROM docs_exact AS d, tokens(d.text, 'lines') AS l;

-- The lines are concatenated in (id, position) order, the order of the
-- subquery (SQLite 3.44 and later can say group_concat(... ORDER BY position)).
-- A document all of whose lines went is not in docs_lines.
DROP TABLE IF EXISTS docs_lines;
CREATE TABLE docs_lines AS
  SELECT id, group_concat(line, char(10)) AS text
    FROM (SELECT id, position, line,
                 token_count(norm) = 0 OR row_number() OVER (PARTITION BY xxh128(norm)
                                                 ORDER BY id, position) = 1 AS keep
            FROM dedup_line
           ORDER BY id, position)
   WHERE keep
   GROUP BY id;
