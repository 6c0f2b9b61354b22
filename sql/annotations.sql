-- Human annotation, the shape of InstructGPT's data (Ouyang et al. 2022):
-- demonstrations (a person writes the response a prompt should get) for
-- supervised fine-tuning, and comparisons (a person says which of two
-- responses is better) for preference training, with who did each and when.
--
--   .read sql/annotations.sql          (idempotent: IF NOT EXISTS throughout)
--
-- Tables: annotator, prompt_item, response, demonstration, comparison.
-- Views:  sft_jsonl(line)            one JSON object a demonstration
--         preference_jsonl(line)     one JSON object a comparison that is
--                                    not a tie: prompt, chosen, rejected
--         comparison_pair            each comparison as a labelled pair
--                                    (lower response id first)
--         annotator_pair_agreement   Cohen's kappa of every two annotators
--                                    over the pairs both compared
--         annotator_agreement        per annotator: comparisons, the pairs
--                                    shared with others, mean kappa
-- Export as JSON lines from the sqlite3 shell:
--   .mode list
--   .output sft.jsonl
--   SELECT line FROM sft_jsonl;
--   .output stdout
-- Needs SQLite's JSON functions (built in since 3.38); not the extension.

CREATE TABLE IF NOT EXISTS annotator(
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS prompt_item(
  id      INTEGER PRIMARY KEY,
  prompt  TEXT NOT NULL,
  source  TEXT,                  -- where the prompt came from (a task, a user log, ...)
  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Responses to compare: a model's, or a person's.
CREATE TABLE IF NOT EXISTS response(
  id        INTEGER PRIMARY KEY,
  prompt_id INTEGER NOT NULL REFERENCES prompt_item(id),
  text      TEXT NOT NULL,
  model     TEXT,                -- NULL for a human-written response
  created   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS response_prompt ON response(prompt_id);

CREATE TABLE IF NOT EXISTS demonstration(
  id           INTEGER PRIMARY KEY,
  prompt_id    INTEGER NOT NULL REFERENCES prompt_item(id),
  annotator_id INTEGER NOT NULL REFERENCES annotator(id),
  response     TEXT NOT NULL,
  created      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- choice: 'a' (response_a is better), 'b', or 'tie'.  Both responses
-- answer the comparison's prompt (checked by the trigger below).
CREATE TABLE IF NOT EXISTS comparison(
  id           INTEGER PRIMARY KEY,
  prompt_id    INTEGER NOT NULL REFERENCES prompt_item(id),
  response_a   INTEGER NOT NULL REFERENCES response(id),
  response_b   INTEGER NOT NULL REFERENCES response(id),
  annotator_id INTEGER NOT NULL REFERENCES annotator(id),
  choice       TEXT NOT NULL CHECK (choice IN ('a', 'b', 'tie')),
  created      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK (response_a <> response_b)
);
CREATE INDEX IF NOT EXISTS comparison_annotator ON comparison(annotator_id);

CREATE TRIGGER IF NOT EXISTS comparison_same_prompt
BEFORE INSERT ON comparison
WHEN (SELECT prompt_id FROM response WHERE id = NEW.response_a) IS NOT NEW.prompt_id
  OR (SELECT prompt_id FROM response WHERE id = NEW.response_b) IS NOT NEW.prompt_id
BEGIN
  SELECT RAISE(ABORT, 'comparison: both responses must answer the comparison''s prompt');
END;

-- Supervised fine-tuning data: one line a demonstration.
CREATE VIEW IF NOT EXISTS sft_jsonl(line) AS
  SELECT json_object('prompt', p.prompt, 'response', d.response,
                     'annotator', a.name, 'created', d.created)
    FROM demonstration AS d
    JOIN prompt_item AS p ON p.id = d.prompt_id
    JOIN annotator AS a ON a.id = d.annotator_id
   ORDER BY d.id;

-- Preference data (reward models, DPO): one line a comparison with a winner.
CREATE VIEW IF NOT EXISTS preference_jsonl(line) AS
  SELECT json_object('prompt', p.prompt,
                     'chosen',   CASE c.choice WHEN 'a' THEN ra.text ELSE rb.text END,
                     'rejected', CASE c.choice WHEN 'a' THEN rb.text ELSE ra.text END,
                     'annotator', an.name, 'created', c.created)
    FROM comparison AS c
    JOIN prompt_item AS p ON p.id = c.prompt_id
    JOIN response AS ra ON ra.id = c.response_a
    JOIN response AS rb ON rb.id = c.response_b
    JOIN annotator AS an ON an.id = c.annotator_id
   WHERE c.choice <> 'tie'
   ORDER BY c.id;

-- Each comparison as a judgement on an unordered pair: the lower response
-- id is "first", and label says which was better ('first', 'second',
-- 'tie'), so two annotators shown the pair in either order compare alike.
CREATE VIEW IF NOT EXISTS comparison_pair AS
  SELECT c.id, c.annotator_id,
         min(c.response_a, c.response_b) AS first,
         max(c.response_a, c.response_b) AS second,
         CASE WHEN c.choice = 'tie' THEN 'tie'
              WHEN (c.choice = 'a') = (c.response_a < c.response_b) THEN 'first'
              ELSE 'second' END AS label
    FROM comparison AS c;

-- Cohen's kappa of two annotators over the pairs both judged (an
-- annotator's latest judgement of a pair counts): observed agreement p_o,
-- chance agreement p_e = sum over labels of the product of each one's
-- share of that label, kappa = (p_o - p_e) / (1 - p_e); NULL when p_e = 1
-- (both gave one and the same label to everything).
CREATE VIEW IF NOT EXISTS annotator_pair_agreement AS
  WITH latest AS (
    SELECT annotator_id, first, second, label
      FROM comparison_pair AS cp
     WHERE id = (SELECT max(id) FROM comparison_pair AS x
                  WHERE x.annotator_id = cp.annotator_id
                    AND x.first = cp.first AND x.second = cp.second)
  ), shared AS (
    SELECT a.annotator_id AS annotator_a, b.annotator_id AS annotator_b,
           a.label AS label_a, b.label AS label_b
      FROM latest AS a JOIN latest AS b
        ON a.first = b.first AND a.second = b.second
       AND a.annotator_id < b.annotator_id
  ), totals AS (
    SELECT annotator_a, annotator_b, count(*) AS n,
           sum(label_a = label_b) AS agree
      FROM shared GROUP BY annotator_a, annotator_b
  ), chance AS (
    SELECT t.annotator_a, t.annotator_b,
           sum((SELECT count(*) FROM shared AS s
                 WHERE s.annotator_a = t.annotator_a AND s.annotator_b = t.annotator_b
                   AND s.label_a = l.label) * 1.0 / t.n
             * (SELECT count(*) FROM shared AS s
                 WHERE s.annotator_a = t.annotator_a AND s.annotator_b = t.annotator_b
                   AND s.label_b = l.label) * 1.0 / t.n) AS p_e
      FROM totals AS t,
           (SELECT 'first' AS label UNION ALL SELECT 'second' UNION ALL SELECT 'tie') AS l
     GROUP BY t.annotator_a, t.annotator_b
  )
  SELECT t.annotator_a, aa.name AS name_a, t.annotator_b, ab.name AS name_b,
         t.n AS pairs, t.agree, t.agree * 1.0 / t.n AS p_o, c.p_e,
         CASE WHEN c.p_e < 1 THEN (t.agree * 1.0 / t.n - c.p_e) / (1 - c.p_e) END AS kappa
    FROM totals AS t
    JOIN chance AS c USING (annotator_a, annotator_b)
    JOIN annotator AS aa ON aa.id = t.annotator_a
    JOIN annotator AS ab ON ab.id = t.annotator_b;

-- Per annotator: how much they compared, how much of it others compared
-- too, and their kappa against the others (mean over the other
-- annotators, weighted by the pairs shared).
CREATE VIEW IF NOT EXISTS annotator_agreement AS
  SELECT a.id AS annotator_id, a.name,
         (SELECT count(*) FROM comparison WHERE annotator_id = a.id) AS comparisons,
         (SELECT count(*) FROM demonstration WHERE annotator_id = a.id) AS demonstrations,
         coalesce((SELECT sum(pairs) FROM annotator_pair_agreement
                    WHERE a.id IN (annotator_a, annotator_b)), 0) AS shared_pairs,
         (SELECT sum(kappa * pairs) / sum(pairs) FROM annotator_pair_agreement
           WHERE a.id IN (annotator_a, annotator_b) AND kappa IS NOT NULL) AS mean_kappa
    FROM annotator AS a;
