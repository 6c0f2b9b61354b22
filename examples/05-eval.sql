-- 05-eval: an evaluation set made from the corpus, the way
-- lm-evaluation-harness lays it out, and its decontamination.
-- The task: which Jargon File term does a definition define (four choices,
-- MMLU's layout).  prompt() renders each item, fewshot() builds the k-shot
-- context the harness puts before the model, calibrate() corrects a model's
-- label probabilities by its answers to content-free inputs (the
-- probabilities here are fixed numbers standing in for a model's), and
-- ngram_index / contamination() / decontaminate() find the items in the
-- training data (GPT-3's 13-gram overlap) and cut them out.
-- Run from the top of the repository:
--     sqlite3 -bail :memory: < examples/05-eval.sql
.load ./dist/corpus
.mode box
.headers on

CREATE TABLE docs(id INTEGER PRIMARY KEY, key TEXT, source TEXT, title TEXT, text TEXT);
INSERT INTO docs
  SELECT json->>'id', json->>'key', json->>'source', json->>'title', json->>'text'
    FROM read_jsonl('examples/data/mixed.jsonl.gz');

.print '== 12 items: Jargon File definitions of 30 to 60 words, chosen by a hash'
-- The definition is the entry after its head (the term and its part of
-- speech), its indented lines joined.
CREATE TABLE defs AS
  SELECT id, title AS term,
         trim(replace(replace(substr(text, instr(text, char(10, 10)) + 2),
                              char(10) || '    ', ' '), char(10), ' ')) AS definition
    FROM docs WHERE source = 'jargon' AND title GLOB '[a-z]*' AND title NOT GLOB '*[^a-z ]*';
CREATE TABLE items AS
  SELECT row_number() OVER (ORDER BY xxh3(term)) - 1 AS i, id, term, definition
    FROM defs WHERE token_count(definition) BETWEEN 30 AND 60
   ORDER BY xxh3(term) LIMIT 12;
-- Choices: the item's term and the next three items' terms, rotated so
-- that the answer is at position i % 4; items 0..3 are the few-shot (dev) split.
CREATE TABLE task AS
  SELECT a.i, a.id, CASE WHEN a.i < 4 THEN 'dev' ELSE 'test' END AS split,
         a.definition, a.i % 4 AS answer,
         json_array((SELECT term FROM items WHERE i = (a.i + (4 - a.i % 4) % 4) % 12),
                    (SELECT term FROM items WHERE i = (a.i + (5 - a.i % 4) % 4) % 12),
                    (SELECT term FROM items WHERE i = (a.i + (6 - a.i % 4) % 4) % 12),
                    (SELECT term FROM items WHERE i = (a.i + (7 - a.i % 4) % 4) % 12))
           AS choices
    FROM items AS a;
SELECT i, split, (SELECT term FROM items WHERE items.i = task.i) AS term,
       choices, char(65 + answer) AS answer
  FROM task ORDER BY i;

.print "== prompt(): each item as the harness's doc_to_text renders it"
CREATE VIEW task_doc AS
  SELECT i, split, answer, choices,
         prompt('Definition: {{definition}}' || char(10) ||
                '{{#choices}}{{@letter}}. {{.}}' || char(10) || '{{/choices}}Answer:',
                json_object('definition', definition, 'choices', json(choices))) AS text,
         char(65 + answer) AS target
    FROM task;
.mode list
.headers off
SELECT text FROM task_doc WHERE i = 4;

.print ''
.print '== fewshot(): the 3-shot context of test item 4 (the dev items in order, first_n)'
SELECT fewshot(q.i, q.text,
               (SELECT json_group_array(json_object('id', d.i, 'text', d.text, 'target', d.target))
                  FROM (SELECT * FROM task_doc WHERE split = 'dev' ORDER BY i) AS d),
               3,
               'sampler=first_n description="The following are multiple choice questions (with answers) about hacker slang.' || char(10, 10) || '"')
  FROM task_doc AS q WHERE q.i = 4;
.mode box
.headers on

.print ''
.print "== calibrate(): a model's label probabilities, corrected by its content-free answers"
-- Fixed numbers standing in for a model that favours "A".
CREATE TABLE cf_outputs(input TEXT, probs TEXT);
INSERT INTO cf_outputs VALUES ('N/A', '[0.46, 0.20, 0.18, 0.16]'),
  ('', '[0.50, 0.18, 0.17, 0.15]'), ('[MASK]', '[0.42, 0.22, 0.19, 0.17]');
CREATE TABLE item_outputs(i INTEGER PRIMARY KEY, probs TEXT);
INSERT INTO item_outputs VALUES
  (4, '[0.70, 0.10, 0.10, 0.10]'), (5, '[0.45, 0.35, 0.10, 0.10]'),
  (6, '[0.40, 0.15, 0.35, 0.10]'), (7, '[0.38, 0.12, 0.12, 0.38]'),
  (8, '[0.55, 0.15, 0.15, 0.15]'), (9, '[0.44, 0.36, 0.10, 0.10]'),
  (10, '[0.30, 0.10, 0.50, 0.10]'), (11, '[0.40, 0.10, 0.10, 0.40]');
SELECT content_free_probs(probs) AS p_cf FROM cf_outputs;
CREATE TABLE predictions AS
  SELECT o.i, t.answer,
         (SELECT key FROM json_each(o.probs) ORDER BY value DESC, key LIMIT 1) AS raw,
         (SELECT key FROM json_each(calibrate(o.probs,
                   (SELECT content_free_probs(probs) FROM cf_outputs)))
           ORDER BY value DESC, key LIMIT 1) AS calibrated
    FROM item_outputs AS o JOIN task AS t USING (i);
SELECT i, char(65 + answer) AS answer, char(65 + raw) AS raw_prediction,
       char(65 + calibrated) AS calibrated_prediction FROM predictions ORDER BY i;
SELECT sum(raw = answer) AS raw_correct, sum(calibrated = answer) AS calibrated_correct,
       count(*) AS items FROM predictions;

.print "== Decontamination: the test items' 13-grams in the training documents"
CREATE VIRTUAL TABLE bench USING ngram_index(n=13);
INSERT INTO bench(text, source)
  SELECT definition, 'jargon-quiz/' || i FROM task WHERE split = 'test' ORDER BY i;
SELECT (SELECT count(*) FROM bench) AS items, (SELECT count(*) FROM bench_grams) AS grams;
CREATE TABLE hits AS
  SELECT d.id, d.key, d.source, json_array_length(contamination(d.text, 'bench')) AS matches
    FROM docs AS d;
SELECT source, count(*) AS documents, sum(matches > 0) AS contaminated,
       sum(matches) AS matched_grams
  FROM hits GROUP BY source ORDER BY contaminated DESC, source;
SELECT key, matches FROM hits WHERE matches > 0 ORDER BY id;

.print '== decontaminate(): cut each match out with 200 characters around it'
SELECT h.key, length(d.text) AS chars_before,
       coalesce(length(decontaminate(d.text, 'bench')), 'dropped') AS chars_after
  FROM hits AS h JOIN docs AS d USING (id) WHERE h.matches > 0 ORDER BY h.id;
