-- Self-Instruct, part 1 of a round: prompts from the task pool, a batch
-- request file out.  (Wang et al. 2022, "Self-Instruct: Aligning Language
-- Models with Self-Generated Instructions"; the prompt and the request as
-- yizhongw/self-instruct's self_instruct/bootstrap_instructions.py builds
-- them, at commit 0b26ccaa.)  Part 2, sql/self_instruct_filter.sql, reads
-- the responses and grows the pool.
--
-- Input:  si_pool(id INTEGER PRIMARY KEY, instruction TEXT NOT NULL,
--                 source TEXT, round INTEGER)
--           the task pool: source 'seed' for the human-written tasks
--           (Self-Instruct's 175), 'machine' for generated ones kept by
--           earlier rounds (part 2 adds them).
--         si_settings (below: change it here).
-- Output: si_prompt(prompt_no, custom_id, prompt)   this round's prompts
--         si_request(custom_id, prompt_no, line)    their request lines
--         the request file(s): si_settings.requests with -NNNNN before the
--         extension (write_jsonl's shards: at most 50,000 requests and
--         200,000,000 bytes a file, the OpenAI Batch API's limits), and
--         their manifest in si_request_manifest.
--
-- Run:    sqlite3 -bail -cmd '.load ./dist/corpus' pool.db < sql/self_instruct_requests.sql
--         then send the file(s) (OpenAI's Batch API, or `vllm run-batch`),
--         and run sql/self_instruct_filter.sql on what comes back.
--
-- Each prompt: "Come up with a series of tasks:\n", then 8 instructions
-- numbered "1. " to "8. " (2 drawn from the machine-generated ones, 6 from
-- the seeds; as many machine ones as there are while fewer than 2 exist;
-- each with its white space runs made one space and a trailing ':'
-- dropped), then "9." to continue.  Self-Instruct drew with Python's
-- random.sample and shuffled; here the draws and the order are xxh3
-- hashes of the round, the prompt's number and rng (step 1):
-- reproducible, the same on every run.
--
-- Self-Instruct sent the prompt to GPT-3 (davinci, a completion model) with
-- temperature 0.7, top_p 0.5, presence_penalty 2, max_tokens 1024 and stop
-- sequences "\n\n", "\n16", "16.", "16 ."; the requests here are chat
-- requests (the prompt as the user message) with the same parameters but
-- "\n\n": a chat model may put a blank line after a preamble ("Here are
-- more tasks:"), where that stop would end its answer before the list.

-- 0. Settings: change them here, and only here.  Part 2 reads them too.
DROP TABLE IF EXISTS si_settings;
CREATE TABLE si_settings AS SELECT
  1 AS round,                  -- this round's number (custom ids si-ROUND-P)
  'si-requests.jsonl' AS requests,     -- the request file(s) written
  'si-responses.jsonl' AS responses,   -- the batch output read by part 2
                                       -- (a glob: several files)
  'gpt-4o-mini' AS model,
  20 AS prompts,               -- requests in this round
  8 AS per_prompt,             -- instructions in a prompt ...
  2 AS machine_per_prompt,     -- ... of them machine-generated
  1 AS rng,                    -- the draw's seed
  0.7 AS temperature, 0.5 AS top_p, 2 AS presence_penalty,
  1024 AS max_tokens,
  -- part 2: Self-Instruct's filters
  0.7 AS rouge_threshold,      -- drop at ROUGE-L >= this against the pool
                               -- (the paper's rule; its code drops > 0.7)
  4 AS min_words, 150 AS max_words,    -- kept: 4..150 words
  '(?i)\b(image|images|graph|graphs|picture|pictures|file|files|map|maps|draw|plot|go to)\b'
    AS banned,                 -- Self-Instruct's keywords, as its code
                               -- matches them (re.IGNORECASE, \b...\b)
  1 AS prefilter,              -- 1: ROUGE-L only against the pool's
                               -- MinHash-LSH candidates; 0: against all
  128 AS num_perm, 42 AS bands, 3 AS rows;   -- the prefilter's LSH

-- Checks: a failed one stops the script (the shell's -bail) with a message
-- that says what is needed; nothing is written before them.
DROP TABLE IF EXISTS temp.si_check;
CREATE TEMP TABLE si_check(problem TEXT);
CREATE TEMP TRIGGER si_check_raise BEFORE INSERT ON si_check BEGIN
  SELECT CASE NEW.problem
    WHEN 'no pool' THEN RAISE(ABORT, 'self_instruct: no table si_pool(id, instruction, source, round): make it and put the seed tasks in it (source ''seed'')')
    WHEN 'few seeds' THEN RAISE(ABORT, 'self_instruct: si_pool has fewer seed tasks (source ''seed'') than a prompt takes (si_settings.per_prompt, less the machine instructions of earlier rounds it can take, machine_per_prompt)')
    WHEN 'per_prompt' THEN RAISE(ABORT, 'self_instruct: si_settings: per_prompt must be an integer 1..100, machine_per_prompt 0..per_prompt, prompts and round integers >= 0 and 1')
  END;
END;
INSERT INTO si_check
  SELECT 'no pool' WHERE NOT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'si_pool');
INSERT INTO si_check
  SELECT 'per_prompt' FROM si_settings
   WHERE typeof(per_prompt) <> 'integer' OR per_prompt NOT BETWEEN 1 AND 100
      OR typeof(machine_per_prompt) <> 'integer' OR machine_per_prompt NOT BETWEEN 0 AND per_prompt
      OR typeof(prompts) <> 'integer' OR prompts < 0 OR typeof(round) <> 'integer' OR round < 1;
INSERT INTO si_check     -- a prompt takes per_prompt less the machine ones it can
  SELECT 'few seeds' WHERE (SELECT count(*) FROM si_pool WHERE source = 'seed')
     < (SELECT per_prompt - min(machine_per_prompt,
                                (SELECT count(*) FROM si_pool
                                  WHERE source IS NOT 'seed' AND coalesce(round, 0) < si_settings.round))
          FROM si_settings);

-- 1. The prompts.  Prompt p (1..prompts) takes machine_per_prompt of the
--    machine-generated instructions, drawn uniformly by hashes of (round,
--    p, try): up to 4 tries a place, the first distinct ones kept; the
--    rest from the seeds, those with the least xxh3 for (round, p); the
--    instructions of a prompt numbered in the order of another hash.  Each
--    step is a lookup or a sort: 10,000 prompts over a pool of 50,000
--    machine instructions and 175 seeds took 7 s of CPU.
DROP TABLE IF EXISTS temp.si_n;
CREATE TEMP TABLE si_n(p INTEGER PRIMARY KEY);
WITH RECURSIVE n(p) AS (
    SELECT 1 WHERE (SELECT prompts FROM si_settings) >= 1
    UNION ALL SELECT p + 1 FROM n WHERE p < (SELECT prompts FROM si_settings))
INSERT INTO si_n SELECT p FROM n;
DROP TABLE IF EXISTS temp.si_machine;
CREATE TEMP TABLE si_machine(k INTEGER PRIMARY KEY, id INTEGER, instruction TEXT);
INSERT INTO si_machine    -- those of earlier rounds: a rerun draws the same
  SELECT row_number() OVER (ORDER BY id) - 1, id, instruction
    FROM si_pool
   WHERE source IS NOT 'seed' AND coalesce(round, 0) < (SELECT round FROM si_settings);
DROP TABLE IF EXISTS temp.si_chosen;
CREATE TEMP TABLE si_chosen(p INTEGER, id INTEGER, instruction TEXT);
WITH RECURSIVE try(j) AS (
    SELECT 1 WHERE (SELECT machine_per_prompt FROM si_settings) > 0
    UNION ALL SELECT j + 1 FROM try WHERE j < 4 * (SELECT machine_per_prompt FROM si_settings)),
  m AS (SELECT count(*) AS m FROM si_machine),
  draw AS (
    SELECT n.p, min(try.j) AS j, x.id, x.instruction
      FROM si_n AS n, try, si_settings AS s, m, si_machine AS x
     WHERE m.m > 0 AND x.k = (xxh3(n.p * 1000 + try.j, xxh3(s.round, s.rng)) % m.m + m.m) % m.m
     GROUP BY n.p, x.id),
  ranked AS (SELECT p, id, instruction, row_number() OVER (PARTITION BY p ORDER BY j) AS r FROM draw)
INSERT INTO si_chosen
  SELECT p, id, instruction FROM ranked WHERE r <= (SELECT machine_per_prompt FROM si_settings);
CREATE INDEX temp.si_chosen_p ON si_chosen(p);
INSERT INTO si_chosen
  SELECT p, id, instruction FROM (
    SELECT n.p AS p, x.id AS id, x.instruction AS instruction,
           row_number() OVER (PARTITION BY n.p ORDER BY xxh3(x.id, xxh3(s.round * 1000000 + n.p, s.rng + 1))) AS k,
           s.per_prompt - (SELECT count(*) FROM si_chosen AS c WHERE c.p = n.p) AS want
      FROM si_n AS n, si_settings AS s, si_pool AS x WHERE x.source IS 'seed')
   WHERE k <= want;
DROP TABLE IF EXISTS si_prompt;
CREATE TABLE si_prompt AS
  SELECT p AS prompt_no, 'si-' || (SELECT round FROM si_settings) || '-' || p AS custom_id,
         'Come up with a series of tasks:' || char(10) || group_concat(line, '') ||
           (count(*) + 1) || '.' AS prompt
    FROM (SELECT p, i || '. ' || instruction || char(10) AS line
            FROM (SELECT c.p AS p,
                         row_number() OVER (PARTITION BY c.p ORDER BY xxh3(c.id, xxh3(s.round * 1000000 + c.p, s.rng + 2))) AS i,
                         rtrim(trim(regexp_replace(c.instruction, '\s+', ' ')), ':') AS instruction
                    FROM si_chosen AS c, si_settings AS s)
           ORDER BY p, i)
   GROUP BY p ORDER BY p;
DROP TABLE temp.si_n;
DROP TABLE temp.si_machine;
DROP TABLE temp.si_chosen;

-- 2. The requests: one OpenAI Batch API line a prompt.
DROP TABLE IF EXISTS si_request;
CREATE TABLE si_request AS
  SELECT custom_id, prompt_no,
         llm_request(custom_id, prompt,
           (SELECT 'model=' || model || ' temperature=' || temperature ||
                   ' top_p=' || top_p || ' max_tokens=' || max_tokens ||
                   ' body=''{"presence_penalty":' || presence_penalty ||
                   ',"stop":["\n16","16.","16 ."]}''' FROM si_settings)) AS line
    FROM si_prompt ORDER BY prompt_no;

-- 3. The request file(s), written atomically; an existing file is replaced.
DROP TABLE IF EXISTS si_request_manifest;
CREATE TABLE si_request_manifest AS
  SELECT write_jsonl((SELECT requests FROM si_settings), line,
                     'shard_rows=50000 shard_bytes=200000000 overwrite=on') AS manifest
    FROM (SELECT line FROM si_request ORDER BY prompt_no);
SELECT 'self_instruct: ' || json_extract(manifest, '$.rows') || ' requests in '
       || json_array_length(manifest, '$.files') || ' file(s): '
       || (SELECT group_concat(json_extract(value, '$.path'), ', ') FROM json_each(manifest, '$.files'))
  FROM si_request_manifest;
