-- Exact deduplication, as SQL recipes: whole documents, then lines.
--
-- Input:  a table docs(id INTEGER PRIMARY KEY, text TEXT)   (rename to yours)
-- Output: docs_exact(id, text)   one document per normalized text
--         docs_lines(id, text)   the same documents with every line dropped
--                                that already occurred (normalized) in an
--                                earlier document or earlier in the same one
-- Run after `.load ./dist/corpus`.  "Normalized" is normalize()'s default:
-- NFKC, case folding, punctuation to spaces, white space collapsed, so
-- copies that differ only in case, punctuation or spacing count as equal.

-- 1. Documents: group by the 128-bit hash of the normalized text (xxh128:
--    no collision to fear at any corpus size) and keep the least id.
DROP TABLE IF EXISTS docs_exact;
CREATE TABLE docs_exact AS
  SELECT d.* FROM docs AS d
    JOIN (SELECT min(id) AS id FROM docs WHERE text IS NOT NULL
           GROUP BY xxh128(normalize(text))) AS keep USING (id);

-- 2. Lines, within and across documents (the CCNet / C4 idea at line level:
--    boilerplate such as navigation, cookie notices and licence footers
--    repeats across pages).  A line is kept at its first occurrence, by
--    (document id, position); lines whose normalization is empty (rules,
--    "----") are always kept, since they carry no content to repeat.
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
                 norm = '' OR row_number() OVER (PARTITION BY xxh128(norm)
                                                 ORDER BY id, position) = 1 AS keep
            FROM dedup_line
           ORDER BY id, position)
   WHERE keep
   GROUP BY id;
