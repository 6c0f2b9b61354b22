-- Found by hand while writing test/fuzz/mhindex.c (its checks have no model
-- to compare with).  An UPDATE OR REPLACE that removes a near-duplicate row
-- which the same statement has yet to update brings that row back: SQLite
-- hands xUpdate the rows it collected before the first write, and
-- mhi_update() treats an UPDATE whose old row is gone (item_load finds
-- nothing) as an INSERT.  An ordinary table with UNIQUE(text) skips it.
-- Run: sqlite3 :memory: -cmd '.load dist/corpus' < this file
CREATE VIRTUAL TABLE t USING minhash_index(unique=on, store_text=on);
CREATE TABLE m(id INTEGER PRIMARY KEY, text TEXT UNIQUE);
INSERT INTO t(rowid, text) VALUES (1, 'a b c d e f g'), (2, 'h i j k l m n'), (3, 'o p q r s t u');
INSERT INTO m(id, text) VALUES (1, 'a b c d e f g'), (2, 'h i j k l m n'), (3, 'o p q r s t u');
UPDATE OR REPLACE t SET text = CASE rowid WHEN 1 THEN 'o p q r s t u' ELSE text || ' zz' END;
UPDATE OR REPLACE m SET text = CASE id WHEN 1 THEN 'o p q r s t u' ELSE text || ' zz' END;
SELECT 'minhash_index', group_concat(rowid || '=' || text, ', ') FROM t;
SELECT 'UNIQUE(text)', group_concat(id || '=' || text, ', ') FROM m;
-- minhash_index|1=o p q r s t u, 2=h i j k l m n zz, 3=o p q r s t u zz   (row 3 is back)
-- UNIQUE(text)|1=o p q r s t u, 2=h i j k l m n zz
