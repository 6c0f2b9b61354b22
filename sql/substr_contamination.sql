-- Substring-level contamination, as a SQL recipe: which spans of an
-- evaluation set occur in a training corpus (Lee et al. 2022 measured the
-- train-test overlap of their datasets this way, with ExactSubstr's
-- suffix arrays).
--
-- Input:  tables or views train(id, text) and eval(id, text) (rename to
--         yours, or make views); ids INTEGER or TEXT, unique and not NULL
--         within each table (the two may share ids); texts TEXT or NULL.
-- Output: contam_span(id, start, end, train_count)   the contaminated spans
--                 of each evaluation item, byte offsets into its text;
--                 train_count: how often the span's first window occurs
--                 in the training documents
--         contam_item(id, bytes, bytes_contaminated, fraction, spans)
--                 every item with text: its contaminated bytes, their
--                 share, and its spans as a JSON array of [start, end]
--                 (remove_spans(text, spans) gives the item without them)
--         contam_candidate, contam_window, contam_wtext, contam_hit: the
--                 steps, kept for inspection (contam_wtext holds min_length
--                 bytes for each window it checks: drop it after the run
--                 if it is large)
--         contam_settings   the settings of the run
--
-- Run:    sqlite3 -cmd '.load ./dist/corpus' DB < sql/substr_contamination.sql
--         As sql/dedup.sql: one transaction, checks first (a failed check
--         rolls it back with an error that says what is needed), every
--         step reads contam_settings.  Run it outside a transaction of
--         your own.
--
-- The rule: a window is min_length bytes of an evaluation item; it is
-- contaminated when those bytes occur in at least one training document
-- (inside it: no occurrence across two documents).  An item's contaminated
-- spans are the runs its contaminated windows cover, merged when they
-- overlap or touch, shrunk to code-point boundaries, those left shorter
-- than min_length dropped: substring_dups's rule (docs/substr.md), with
-- "occurs in a training document" for "occurs min_count times".
--
-- Why not just substring_dups over train and eval together: a span found
-- there may be repeated only inside the evaluation set (two items that
-- share an instruction, an item given twice), and that is not
-- contamination; and a span may join a window found in the training
-- corpus to one repeated only among the items.  So the recipe runs twice:
--   1. candidates: substring_dups over train + eval (min_count 2).  Every
--      contaminated window has two occurrences there, so it lies inside a
--      candidate span (or in the bytes the code-point shrinking took off
--      its edges, which step 2 puts back).  Nothing is missed; some
--      candidates are repeats among the items only.
--   2. the check: each distinct window of the candidate regions becomes a
--      document of its own, exactly min_length bytes, and substring_dups
--      runs over train + those windows.  A window document has a span
--      (always [0, min_length): a document's edges are code-point
--      boundaries) exactly when its bytes occur twice: once as itself, so
--      at least once in a training document, since the other window
--      documents are other strings of the same length.  Its count, less
--      one, is the number of occurrences in train.
--   3. the contaminated windows of each item, merged into runs and shrunk
--      to code-point boundaries in SQL.
-- Limits: bytes only (a window of tokens cut out of its text would not
-- tokenize as it did in place); step 2 holds min_length bytes for every
-- position of the candidate regions (an evaluation set of 5 MB that is all
-- candidates, at min_length 50: 250 MB) besides the training corpus, whose
-- suffix array is built twice (docs/substr.md, "Memory").

-- 0. Settings.  min_length 50 bytes: 8 to 10 English words, the short end
--    of GPT-3's 8- to 13-word n-grams (appendix C); evaluation items are
--    short, often a sentence or two, so the 100 bytes of exact_substr.sql
--    would miss most of their overlaps.
BEGIN;
DROP TABLE IF EXISTS contam_settings;
CREATE TABLE contam_settings AS SELECT
  50 AS min_length;   -- bytes a window (1..1000000000)

DROP TABLE IF EXISTS contam_candidate;
DROP TABLE IF EXISTS contam_window;
DROP TABLE IF EXISTS contam_wtext;
DROP TABLE IF EXISTS contam_hit;
DROP TABLE IF EXISTS contam_span;
DROP TABLE IF EXISTS contam_item;

-- The checks: each failure is RAISE(ROLLBACK) with what is needed.
DROP TABLE IF EXISTS temp.contam_check;
CREATE TEMP TABLE contam_check(problem TEXT);
CREATE TEMP TRIGGER contam_check_raise BEFORE INSERT ON contam_check BEGIN
  SELECT CASE NEW.problem
    WHEN 'no train' THEN RAISE(ROLLBACK, 'substr_contamination.sql: no table or view train (the recipe reads train(id, text) and eval(id, text))')
    WHEN 'no eval' THEN RAISE(ROLLBACK, 'substr_contamination.sql: no table or view eval (the recipe reads train(id, text) and eval(id, text))')
    WHEN 'no column' THEN RAISE(ROLLBACK, 'substr_contamination.sql: train and eval need columns id and text')
    WHEN 'min_length' THEN RAISE(ROLLBACK, 'substr_contamination.sql: contam_settings: min_length must be an integer 1..1000000000')
    WHEN 'null id' THEN RAISE(ROLLBACK, 'substr_contamination.sql: eval has a NULL id (every item needs an id)')
    WHEN 'text type' THEN RAISE(ROLLBACK, 'substr_contamination.sql: train or eval has a text that is not TEXT or NULL (a BLOB or a number)')
    WHEN 'duplicate id' THEN RAISE(ROLLBACK, 'substr_contamination.sql: eval has duplicate ids (each id must name one item)')
    WHEN 'incomplete' THEN RAISE(ROLLBACK, 'substr_contamination.sql: a step failed (see the error before this one); the run was rolled back')
  END;
END;
INSERT INTO temp.contam_check
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('train')) THEN 'no train'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('eval')) THEN 'no eval'
    WHEN (SELECT count(*) FROM pragma_table_info('train') WHERE name IN ('id', 'text') COLLATE NOCASE) < 2
      OR (SELECT count(*) FROM pragma_table_info('eval') WHERE name IN ('id', 'text') COLLATE NOCASE) < 2
      THEN 'no column'
    WHEN typeof(min_length) <> 'integer' OR min_length NOT BETWEEN 1 AND 1000000000 THEN 'min_length'
    ELSE 'ok' END
    FROM contam_settings;
INSERT INTO temp.contam_check
  SELECT CASE
    WHEN (SELECT count(*) FROM eval WHERE id IS NULL) > 0 THEN 'null id'
    WHEN (SELECT count(*) FROM eval WHERE typeof(text) NOT IN ('text', 'null'))
         + (SELECT count(*) FROM train WHERE typeof(text) NOT IN ('text', 'null')) > 0 THEN 'text type'
    WHEN EXISTS (SELECT 1 FROM eval GROUP BY id HAVING count(*) > 1) THEN 'duplicate id'
    ELSE 'ok' END;

-- 1. Candidates: the spans of the items in substring_dups over train and
--    eval together.  Documents are told apart by a tag in their id, a JSON
--    array [0, id] for train and [1, id] for eval (->> 1 gives the id back
--    with its type).
CREATE TABLE contam_candidate AS
  SELECT d.doc ->> 1 AS id, d.start AS start, d.end AS end
    FROM substring_dups(
           'SELECT json_array(0, id), text FROM train
            UNION ALL SELECT json_array(1, id), text FROM eval',
           (SELECT printf('min_length=%d', min_length) FROM contam_settings)) AS d
   WHERE d.doc ->> 0 = 1;

-- 2a. The windows to check: every window of each candidate region.  A
--     region is the candidate span with the bytes the code-point shrinking
--     took off its edges put back: the continuation bytes (10xxxxxx) just
--     before its start (not at offset 0, always a boundary) and just after
--     its end.  cont(x), "byte x is a continuation byte", is
--     hex(substr(b, x + 1, 1)) BETWEEN '80' AND 'BF' on the item's bytes b.
CREATE TABLE contam_window AS
  WITH RECURSIVE
  c AS MATERIALIZED (
    SELECT k.id AS id, k.start AS start, k.end AS end, CAST(e.text AS BLOB) AS b
      FROM contam_candidate AS k JOIN eval AS e ON e.id = k.id),
  lo(id, start, x) AS (
    SELECT id, start, start FROM c
    UNION ALL
    SELECT lo.id, lo.start, lo.x - 1 FROM lo JOIN c USING (id, start)
     WHERE lo.x - 1 >= 1 AND hex(substr(c.b, lo.x, 1)) BETWEEN '80' AND 'BF'),
  hi(id, start, x) AS (
    SELECT id, start, end FROM c
    UNION ALL
    SELECT hi.id, hi.start, hi.x + 1 FROM hi JOIN c USING (id, start)
     WHERE hi.x + 1 < length(c.b) AND hex(substr(c.b, hi.x + 2, 1)) BETWEEN '80' AND 'BF'),
  region AS MATERIALIZED (
    SELECT c.id AS id, c.b AS b, l.x AS lo, h.x AS hi
      FROM c
      JOIN (SELECT id, start, min(x) AS x FROM lo GROUP BY id, start) AS l USING (id, start)
      JOIN (SELECT id, start, max(x) AS x FROM hi GROUP BY id, start) AS h USING (id, start)),
  pos(id, p, last, b) AS (
    SELECT id, lo, hi - (SELECT min_length FROM contam_settings), b FROM region
    UNION ALL
    SELECT id, p + 1, last, b FROM pos WHERE p + 1 <= last)
  SELECT DISTINCT id, p, substr(b, p + 1, (SELECT min_length FROM contam_settings)) AS w
    FROM pos WHERE p <= last;

-- 2b. The distinct windows, each to be a document of its own.
CREATE TABLE contam_wtext(n INTEGER PRIMARY KEY, w BLOB UNIQUE);
INSERT INTO contam_wtext(w) SELECT DISTINCT w FROM contam_window ORDER BY w;

-- 2c. The check: the windows that occur in a training document, and how
--     often.  Train documents have spans of their own here; only the
--     window documents ([2, n]) are read.
CREATE TABLE contam_hit AS
  SELECT d.doc ->> 1 AS n, d.count - 1 AS train_count
    FROM substring_dups(
           'SELECT json_array(0, id), text FROM train
            UNION ALL SELECT json_array(2, n), w FROM contam_wtext',
           (SELECT printf('min_length=%d', min_length) FROM contam_settings)) AS d
   WHERE d.doc ->> 0 = 2;
CREATE UNIQUE INDEX contam_hit_n ON contam_hit(n);

-- 3. The spans: each item's contaminated windows merged into runs (a run
--    goes on while the next window starts at or before the end of the one
--    before, min_length bytes after its start: overlapping or touching),
--    then shrunk to code-point boundaries: the start moved forward and the
--    end back past continuation bytes (offset 0 and the text's end are
--    boundaries); a run left shorter than min_length goes.
CREATE TABLE contam_span AS
  WITH RECURSIVE
  hit AS MATERIALIZED (
    SELECT w.id AS id, w.p AS p, h.train_count AS train_count
      FROM contam_window AS w
      JOIN contam_wtext AS t ON t.w = w.w
      JOIN contam_hit AS h ON h.n = t.n),
  grp AS MATERIALIZED (
    SELECT id, p, train_count,
           sum(new) OVER (PARTITION BY id ORDER BY p ROWS UNBOUNDED PRECEDING) AS g
      FROM (SELECT id, p, train_count,
                   CASE WHEN p <= lag(p) OVER (PARTITION BY id ORDER BY p)
                                  + (SELECT min_length FROM contam_settings)
                        THEN 0 ELSE 1 END AS new
              FROM hit)),
  run AS MATERIALIZED (
    SELECT r.id AS id, r.u0 AS u0, r.u1 AS u1, f.train_count AS train_count,
           CAST(e.text AS BLOB) AS b
      FROM (SELECT id, min(p) AS u0,
                   max(p) + (SELECT min_length FROM contam_settings) AS u1
              FROM grp GROUP BY id, g) AS r
      JOIN grp AS f ON f.id = r.id AND f.p = r.u0          -- the first window
      JOIN eval AS e ON e.id = r.id),
  s(id, u0, x) AS (
    SELECT id, u0, u0 FROM run
    UNION ALL
    SELECT s.id, s.u0, s.x + 1 FROM s JOIN run USING (id, u0)
     WHERE s.x > 0 AND s.x < run.u1 AND hex(substr(run.b, s.x + 1, 1)) BETWEEN '80' AND 'BF'),
  e(id, u0, x) AS (
    SELECT id, u0, u1 FROM run
    UNION ALL
    SELECT e.id, e.u0, e.x - 1 FROM e JOIN run USING (id, u0)
     WHERE e.x > run.u0 AND e.x < length(run.b)
       AND hex(substr(run.b, e.x + 1, 1)) BETWEEN '80' AND 'BF'),
  cut AS (
    SELECT run.id AS id, run.train_count AS train_count, s.x AS start, e.x AS end
      FROM run
      JOIN (SELECT id, u0, max(x) AS x FROM s GROUP BY id, u0) AS s USING (id, u0)
      JOIN (SELECT id, u0, min(x) AS x FROM e GROUP BY id, u0) AS e USING (id, u0))
  SELECT id, start, end, train_count FROM cut
   WHERE end - start >= (SELECT min_length FROM contam_settings)
   ORDER BY id, start;

-- 4. Per item: contaminated bytes (spans do not overlap), their share of
--    the item's bytes, and the spans.
CREATE TABLE contam_item AS
  SELECT e.id AS id, length(CAST(e.text AS BLOB)) AS bytes,
         coalesce(s.bytes, 0) AS bytes_contaminated,
         round(1.0 * coalesce(s.bytes, 0) / max(length(CAST(e.text AS BLOB)), 1), 4) AS fraction,
         coalesce(s.spans, '[]') AS spans
    FROM eval AS e
    LEFT JOIN (SELECT id, sum(end - start) AS bytes,
                      json_group_array(json_array(start, end)) AS spans
                 FROM (SELECT * FROM contam_span ORDER BY id, start) GROUP BY id) AS s
      ON s.id = e.id
   WHERE e.text IS NOT NULL AND EXISTS (SELECT 1 FROM contam_settings)
   ORDER BY e.id;

-- The end: every step's table is there, or the run is rolled back.
INSERT INTO temp.contam_check
  SELECT CASE WHEN count(*) = 6 THEN 'ok' ELSE 'incomplete' END
    FROM main.sqlite_schema
   WHERE type = 'table' AND name IN ('contam_candidate', 'contam_window', 'contam_wtext',
                                     'contam_hit', 'contam_span', 'contam_item');
DROP TABLE temp.contam_check;
COMMIT;
