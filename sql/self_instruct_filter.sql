-- Self-Instruct, part 2 of a round: the batch output in, instructions
-- parsed and filtered, the pool grown.  Run after
-- sql/self_instruct_requests.sql, on the same database, with the responses
-- at si_settings.responses.  The parsing and the filters are those of
-- yizhongw/self-instruct's self_instruct/bootstrap_instructions.py (commit
-- 0b26ccaa), with the differences said below.
--
-- Input:  si_settings, si_request, si_pool (part 1)
--         the responses: OpenAI Batch API output lines (or vLLM's
--         run-batch), read with read_jsonl(..., 'on_error=skip strict=off')
-- Output: si_response   every response line read: custom_id, status,
--                       text, finish_reason, error
--         si_outcome    (kind, custom_id, response: the row n of si_response,
--                       outcome, detail) every request's fate: ok, error (the response's
--                       error), truncated (finish_reason length: Self-
--                       Instruct drops the whole response), filtered
--                       (finish_reason content_filter), no text (a
--                       refusal, an empty answer), no response;
--                       and every response line not used: unknown id,
--                       duplicate (a second line for an id), unreadable
--                       (the read log, corpus_errors(), counts the lines
--                       that were not JSON)
--         si_candidate  every instruction parsed, with why it was dropped
--                       (reason NULL: kept) and its most similar pool
--                       instruction (similar_id: its id in si_pool; rouge_l)
--         si_pool       the kept instructions added: source 'machine',
--                       round si_settings.round
--         si_report     counts of the above, for a look (and, for each
--                       file, the lines that were not JSON: how many, and
--                       the first one's place and fault)
--
-- Run:    sqlite3 -bail -cmd '.load ./dist/corpus' pool.db < sql/self_instruct_filter.sql
--
-- Parsing a response's text: split at "\n" + a number + an optional space
-- + ". " (Self-Instruct's re.split(r"\n\d+\s?\. ", text)), after a "\n"
-- put before the text, so that a chat model's reply that starts with its
-- own "9. " is split there too (a completion model's reply, which goes on
-- after the prompt's "9.", is split as Self-Instruct splits it), and a
-- first piece that ends with ':' before a list (a chat model's "Here are
-- more tasks:") is no instruction; each piece
-- with its white space runs made one space, trimmed, and capitalized as
-- Python's str.capitalize() (the first character upper case, the rest
-- lower case; SQLite's upper() and lower(), which change ASCII letters
-- only).
--
-- Filters, in Self-Instruct's order: empty pieces skipped; fewer than
-- min_words or more than max_words words (split at white space); a banned keyword (the
-- banned pattern, a regular expression); starts with "Write a program";
-- starts with ASCII punctuation; starts with a character that is not
-- ASCII; then ROUGE-L (rouge_l(), rouge-score's) against every
-- instruction in the pool, seeds and machine ones, those kept earlier in
-- this run included (the candidates in order of their request and place
-- in the response): dropped at rouge_threshold or more.
--
-- With prefilter = 1, an instruction is compared only with the pool
-- instructions that share an LSH bucket with it (MinHash over single words
-- of the normalized text: 128 slots, 42 bands of 3 rows, so a pair at
-- Jaccard 0.5 shares a bucket with probability 0.996); with 0, with all of
-- them (quadratic in the pool).  bench/self_instruct.py measures
-- both and the prefilter's recall.

-- 0. Checks (settings and part 1's tables).
DROP TABLE IF EXISTS temp.si_check;
CREATE TEMP TABLE si_check(problem TEXT);
CREATE TEMP TRIGGER si_check_raise BEFORE INSERT ON si_check BEGIN
  SELECT CASE NEW.problem
    WHEN 'no settings' THEN RAISE(ABORT, 'self_instruct: no si_settings or si_request: run sql/self_instruct_requests.sql first')
    WHEN 'threshold' THEN RAISE(ABORT, 'self_instruct: si_settings.rouge_threshold must be a number in (0, 1]')
  END;
END;
INSERT INTO si_check
  SELECT 'no settings'
   WHERE (SELECT count(*) FROM sqlite_schema WHERE name IN ('si_settings', 'si_request', 'si_pool')) < 3;
INSERT INTO si_check
  SELECT 'threshold' FROM si_settings
   WHERE typeof(rouge_threshold) NOT IN ('integer', 'real') OR rouge_threshold <= 0 OR rouge_threshold > 1;

-- A rerun redoes the round: the instructions it added before go first.
DELETE FROM si_pool WHERE source = 'machine' AND round = (SELECT round FROM si_settings);

-- 1. The responses, every line read (a line that is not JSON is skipped
--    and counted in corpus_errors(), which si_report shows).
DROP TABLE IF EXISTS si_response;
CREATE TABLE si_response AS
  SELECT row_number() OVER (ORDER BY file, line) AS n, file, line,
         llm_response(json, 'custom_id') AS custom_id,
         llm_response(json, 'status') AS status,
         llm_response(json, 'text') AS text,
         llm_response(json, 'finish_reason') AS finish_reason,
         llm_response(json, 'error') AS error
    FROM read_jsonl((SELECT responses FROM si_settings), 'on_error=skip strict=off');
DROP TABLE IF EXISTS temp.si_read_log;
CREATE TEMP TABLE si_read_log AS      -- each file's skipped lines, the first named
  SELECT file, skipped, first_error
    FROM corpus_errors() WHERE scan = (SELECT max(scan) FROM corpus_errors());

-- 2. Every request's fate, and every response line's that was not used.
--    A request answered more than once (a retry in a second output file,
--    say) uses its best line: a usable answer before a truncated or empty
--    one, before an error; the first (file, then line order) among equals.
DROP TABLE IF EXISTS si_outcome;
CREATE TABLE si_outcome AS
  WITH graded AS (
    SELECT n, custom_id,
           CASE WHEN error IS NOT NULL THEN 'error'
                WHEN finish_reason = 'length' THEN 'truncated'
                WHEN finish_reason = 'content_filter' THEN 'filtered'
                WHEN text IS NULL OR trim(text, ' ' || char(9, 10, 13)) = '' THEN 'no text'
                ELSE 'ok' END AS outcome
      FROM si_response WHERE custom_id IS NOT NULL),
  best AS (
    SELECT custom_id, n, outcome FROM (
      SELECT custom_id, n, outcome,
             row_number() OVER (PARTITION BY custom_id
                                ORDER BY CASE outcome WHEN 'ok' THEN 0 WHEN 'truncated' THEN 1
                                                      WHEN 'filtered' THEN 2 WHEN 'no text' THEN 3
                                                      ELSE 4 END, n) AS rank
        FROM graded)
     WHERE rank = 1)
  SELECT 'request' AS kind, q.custom_id AS custom_id, b.n AS response,
         coalesce(b.outcome, 'no response') AS outcome, r.error AS detail
    FROM si_request AS q
    LEFT JOIN best AS b ON b.custom_id = q.custom_id
    LEFT JOIN si_response AS r ON r.n = b.n
  UNION ALL
  SELECT 'response line', r.custom_id, r.n,
         CASE WHEN r.custom_id IS NULL THEN 'no custom_id'
              WHEN r.custom_id NOT IN (SELECT custom_id FROM si_request) THEN 'unknown id'
              ELSE 'duplicate' END,
         r.file || ':' || r.line || coalesce(': ' || r.error, '')
    FROM si_response AS r
   WHERE r.n NOT IN (SELECT b.n FROM best AS b JOIN si_request AS q USING (custom_id));

-- 3. The instructions of the usable responses, parsed, with the filters'
--    verdicts (reason NULL: passed so far).
DROP TABLE IF EXISTS si_candidate;
CREATE TABLE si_candidate(id INTEGER PRIMARY KEY, custom_id TEXT, position INTEGER,
                          instruction TEXT, reason TEXT, similar_id INTEGER, rouge_l REAL);
INSERT INTO si_candidate(custom_id, position, instruction)
  SELECT custom_id, position, upper(substr(inst, 1, 1)) || lower(substr(inst, 2))
    FROM (SELECT o.custom_id AS custom_id, q.prompt_no AS prompt_no, s.position AS position,
                 trim(regexp_replace(s.piece, '\s+', ' ')) AS inst,
                 count(*) OVER (PARTITION BY o.custom_id) AS pieces
            FROM si_outcome AS o
            JOIN si_response AS r ON r.n = o.response
            JOIN si_request AS q ON q.custom_id = o.custom_id,
                 regexp_split(char(10) || r.text, '\n\d+\s?\. ') AS s
           WHERE o.kind = 'request' AND o.outcome = 'ok')
   -- an empty piece (before a reply's first number) is skipped, and so is
   -- a chat model's preamble before its list ("Here are more tasks:")
   WHERE inst <> '' AND NOT (position = 0 AND pieces > 1 AND inst LIKE '%:')
   ORDER BY prompt_no, position;
UPDATE si_candidate SET reason = (
  SELECT CASE
    WHEN length(instruction) - length(replace(instruction, ' ', '')) + 1 < min_words THEN 'too short'
    WHEN length(instruction) - length(replace(instruction, ' ', '')) + 1 > max_words THEN 'too long'
    WHEN regexp(banned, instruction) THEN 'banned keyword'
    WHEN instruction LIKE 'Write a program%' THEN 'write a program'
    WHEN instr('!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~', substr(instruction, 1, 1)) > 0 THEN 'starts with punctuation'
    WHEN unicode(instruction) > 127 THEN 'starts with non-ASCII'
  END FROM si_settings);

-- 4. ROUGE-L against the pool, in order, the pool growing as instructions
--    are kept: a trigger per candidate (rows inserted into si_step, in
--    order) finds its most similar pool instruction, and the pool takes
--    it when that is below the threshold.  With the prefilter, si_band
--    holds the LSH buckets of the pool's instructions (lsh_bands() of
--    minhash() over single words), and a candidate is compared only with
--    the instructions that share a bucket with it; a kept instruction's
--    buckets join si_band.  (A plain table: SQLite lets no trigger write
--    to a DIRECTONLY virtual table such as minhash_index.)
DROP TABLE IF EXISTS si_band;
CREATE TABLE si_band(band INTEGER, bucket INTEGER, id INTEGER,
                     PRIMARY KEY (band, bucket, id)) WITHOUT ROWID;
INSERT INTO si_band
  SELECT b.band, b.bucket, p.id
    FROM si_settings AS t, si_pool AS p,
         lsh_bands(minhash(p.instruction, 'ngram=1 num_perm=' || t.num_perm), t.bands, t.rows) AS b
   WHERE t.prefilter = 1;
DROP TABLE IF EXISTS temp.si_step;
CREATE TEMP TABLE si_step(id INTEGER PRIMARY KEY, instruction TEXT);
DROP TABLE IF EXISTS temp.si_best;
CREATE TEMP TABLE si_best(id INTEGER PRIMARY KEY, similar_id INTEGER, rouge_l REAL);
-- One trigger, its statements in this order (SQLite fires several
-- triggers of one event newest first).
CREATE TEMP TRIGGER si_step_run AFTER INSERT ON si_step BEGIN
  INSERT INTO si_best
    SELECT NEW.id, p.id, rouge_l(p.instruction, NEW.instruction) AS score
      FROM si_pool AS p
     WHERE (SELECT prefilter FROM si_settings) = 1
       AND p.id IN (SELECT s.id FROM si_settings AS t,
                      lsh_bands(minhash(NEW.instruction, 'ngram=1 num_perm=' || t.num_perm), t.bands, t.rows) AS q
                      JOIN si_band AS s ON s.band = q.band AND s.bucket = q.bucket)
     ORDER BY score DESC, p.id LIMIT 1;
  INSERT INTO si_best
    SELECT NEW.id, p.id, rouge_l(p.instruction, NEW.instruction) AS score
      FROM si_pool AS p
     WHERE (SELECT prefilter FROM si_settings) = 0
     ORDER BY score DESC, p.id LIMIT 1;
  INSERT INTO si_pool(instruction, source, round)
    SELECT NEW.instruction, 'machine', (SELECT round FROM si_settings)
     WHERE coalesce((SELECT rouge_l FROM si_best WHERE id = NEW.id), 0)
           < (SELECT rouge_threshold FROM si_settings);
END;
DROP TRIGGER IF EXISTS temp.si_pool_band;
CREATE TEMP TRIGGER si_pool_band AFTER INSERT ON si_pool
  WHEN (SELECT prefilter FROM si_settings) = 1 BEGIN
  INSERT INTO si_band
    SELECT b.band, b.bucket, NEW.id
      FROM si_settings AS t,
           lsh_bands(minhash(NEW.instruction, 'ngram=1 num_perm=' || t.num_perm), t.bands, t.rows) AS b;
END;
INSERT INTO si_step(id, instruction)
  SELECT id, instruction FROM si_candidate WHERE reason IS NULL ORDER BY id;
UPDATE si_candidate SET (similar_id, rouge_l) =
  (SELECT similar_id, rouge_l FROM si_best WHERE si_best.id = si_candidate.id)
 WHERE id IN (SELECT id FROM si_best);
UPDATE si_candidate SET reason = 'rouge-l'
 WHERE reason IS NULL AND rouge_l >= (SELECT rouge_threshold FROM si_settings);
DROP TABLE temp.si_step;     -- its triggers with it
DROP TABLE temp.si_best;
DROP TRIGGER temp.si_pool_band;

-- 5. The report.
DROP TABLE IF EXISTS si_report;
CREATE TABLE si_report AS
  SELECT kind AS what, outcome AS value, count(*) AS n FROM si_outcome GROUP BY kind, outcome
  UNION ALL
  SELECT 'response lines skipped', coalesce(first_error, file), skipped FROM temp.si_read_log WHERE skipped > 0
  UNION ALL
  SELECT 'instruction', coalesce(reason, 'kept'), count(*) FROM si_candidate GROUP BY reason
  UNION ALL
  SELECT 'pool', source, count(*) FROM si_pool GROUP BY source;
SELECT what, value, n FROM si_report ORDER BY what, value;
