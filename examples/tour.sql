-- A 60-second tour of sqlite-corpus, run by `make demo` from the top of the
-- repository:  sqlite3 -bail :memory: < examples/tour.sql
-- The corpus is 43 pages of SQLite's own (public-domain) documentation,
-- bundled in examples/data/ (see its README for provenance).
.load ./dist/corpus
.mode box
.headers on

.print '== The extension'
SELECT corpus_version() AS version;

.print '== Load the bundled corpus into a table'
CREATE TABLE docs(id INTEGER PRIMARY KEY, path TEXT, title TEXT, text TEXT);
INSERT INTO docs
  SELECT value->>'id', value->>'path', value->>'title', value->>'text'
    FROM json_each(readfile('examples/data/sqlite-doc.json'));
SELECT count(*) AS documents,
       sum(length(CAST(text AS BLOB))) AS bytes,
       sum(token_count(text)) AS words
  FROM docs;

.print '== normalize(): the deduplication normalization (NFKC, case fold, no punctuation)'
SELECT normalize('Ｆｕｌｌ-width ＳＱＬ, “quotes” & Straße — ﬁne!') AS normalized;
SELECT normalize('Crème brûlée, naïve café', 'accents=strip') AS accents_stripped,
       normalize('Call 555-0199 now', 'digits=zero punct=keep') AS digits_zeroed;

.print '== tokenize(): words, with CJK and Thai split per character'
SELECT tokenize('SQLite は軽量なデータベースです') AS words,
       tokenize('naïve', 'chars') AS chars;

.print '== tokens(): every word with its byte offsets'
SELECT position, token, start, end FROM tokens('Héllo, wörld! 你好');

.print '== The longest pages, in words'
SELECT id, title, token_count(text) AS words
  FROM docs ORDER BY words DESC LIMIT 5;

.print '== The most frequent words of the corpus (after normalization)'
SELECT token AS word, count(*) AS n
  FROM docs, tokens(normalize(docs.text))
 GROUP BY token ORDER BY n DESC, word LIMIT 8;

.print '== The most frequent word 3-grams (shingles) across documents'
SELECT ngram, count(*) AS n, count(DISTINCT docs.id) AS documents
  FROM docs, ngrams(normalize(docs.text), 3)
 GROUP BY hash ORDER BY n DESC, ngram LIMIT 5;

.print '== Exact duplicates: paragraphs that occur in more than one page'
WITH RECURSIVE split(id, para, rest) AS (
  SELECT id, NULL, text || char(10, 10) FROM docs
  UNION ALL
  SELECT id, substr(rest, 1, instr(rest, char(10, 10)) - 1),
         substr(rest, instr(rest, char(10, 10)) + 2)
    FROM split WHERE rest <> ''
), para AS (SELECT id, para FROM split
             WHERE length(para) > 80 AND token_count(normalize(para)) > 0)
SELECT count(*) AS copies, count(DISTINCT id) AS pages,
       substr(min(para), 1, 50) AS paragraph
  FROM para
 GROUP BY xxh3(normalize(para))
HAVING count(DISTINCT id) > 1
 ORDER BY copies DESC LIMIT 5;

.print '== Near-duplicates: MinHash signatures estimate Jaccard similarity'
SELECT round(jaccard(a, b), 3) AS exact,
       round(minhash_jaccard(minhash(a), minhash(b)), 3) AS estimated
  FROM (SELECT text AS a,
               replace(replace(text, 'SQLite', 'SQLITE'), ' the ', ' a ') AS b
          FROM docs WHERE id = 6);
SELECT lsh_params(0.8) AS bands_for_threshold_0_8;
.print 'A signature is a BLOB, which the shell prints as raw bytes: read it with minhash_info() and hex()'
SELECT length(sig) AS bytes, minhash_info(sig) ->> '$.num_perm' AS slots,
       minhash_info(sig) ->> '$.ngram' AS ngram, hex(substr(sig, 25, 8)) AS first_two_slots
  FROM (SELECT minhash(text) AS sig FROM docs WHERE id = 6);

.print '== Plant 3 edited copies and 2 exact copies, then run sql/dedup.sql'
INSERT INTO docs(path, title, text)
  SELECT path, title || ' (edited copy)',
         replace(replace(text, 'database', 'DB'), 'SQLite', 'SQLite3')
    FROM docs WHERE id IN (2, 9, 17)
  UNION ALL
  SELECT path, title || ' (exact copy)', text FROM docs WHERE id IN (4, 30);
.read sql/dedup.sql
SELECT c.cluster, c.id, d.title
  FROM dedup_cluster AS c JOIN docs AS d USING (id)
 ORDER BY c.cluster, c.id;
.print 'Each planted copy, its exact Jaccard to its source (threshold 0.8) and its cluster:'
SELECT copy.id AS copy, src.id AS source,
       round(jaccard(src.text, copy.text), 3) AS exact_jaccard,
       (SELECT cluster FROM dedup_cluster WHERE id = copy.id) AS cluster
  FROM docs AS copy JOIN docs AS src ON src.path = copy.path AND src.id < copy.id
 ORDER BY copy.id;
SELECT (SELECT count(*) FROM docs) AS documents,
       (SELECT count(*) FROM docs_dedup) AS after_dedup;

.print '== A reproducible 80/20 train/test split'
SELECT sum(sample_keep(id, 0.8, 2024)) AS train,
       sum(NOT sample_keep(id, 0.8, 2024)) AS test
  FROM docs;

.print '== Hashes as xxhsum prints them'
SELECT printf('%016x', xxh64('abc')) AS xxh64, printf('%016x', xxh3('abc')) AS xxh3,
       lower(hex(xxh128('abc'))) AS xxh128;

.print '== Quality filters: the first Gopher, C4 or FineWeb rule each page fails'
SELECT coalesce(quality_reject(text), '(kept)') AS reason, count(*) AS pages
  FROM docs WHERE id <= 43
 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 6;
SELECT json_extract(s, '$.words') AS words,
       round(json_extract(s, '$.alpha_words_ratio'), 3) AS alpha_ratio,
       round(json_extract(s, '$.fineweb_dup_line_chars'), 3) AS dup_line_chars,
       quality_reject(text) AS reason
  FROM (SELECT text, quality_signals(text) AS s FROM docs WHERE id = 6);

.print '== A GPT-3-style quality classifier: the pages (1) against crawl-like junk made of them (0)'
CREATE TABLE labelled AS
  SELECT id, text, 1 AS label FROM docs WHERE id <= 43
  UNION ALL
  SELECT d.id + 1000,
         'Home | Products | Blog | Login' || char(10) ||
         (SELECT group_concat(token, ' ')
            FROM (SELECT token FROM tokens(d.text) ORDER BY xxh3(position) LIMIT 150)) ||
         char(10) || 'Click here to subscribe! Cookie policy | Terms of use | Share on Facebook', 0
    FROM docs AS d WHERE d.id <= 43;
CREATE TABLE models AS
  SELECT quality_train(text, label, 'epochs=10') AS model
    FROM labelled WHERE sample_keep(id, 0.7, 1);
SELECT json_extract(quality_model_info(model), '$.documents') AS trained_on,
       json_extract(quality_model_info(model), '$.buckets') AS buckets
  FROM models;
SELECT label, count(*) AS held_out,
       sum((quality_classify(text, (SELECT model FROM models)) > 0.5) = label) AS correct
  FROM labelled WHERE NOT sample_keep(id, 0.7, 1)
 GROUP BY label;
.print 'GPT-3 keeps a page when pareto(9) > 1 - score: deterministic per id'
SELECT sum(quality_keep(quality_classify(text, (SELECT model FROM models)), id)) AS kept,
       count(*) AS pages
  FROM labelled WHERE label = 1;
