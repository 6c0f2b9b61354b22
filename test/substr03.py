"""The two recipes of docs/substr.md against a brute-force reading of their
rules on random small corpora (test/substr03.test runs it):

  sql/exact_substr.sql       substr_span is the span rule's spans (every
                             window of min_length bytes occurring min_count
                             times, merged when overlapping or touching,
                             shrunk to code-point boundaries); substr_cut's
                             text is the text without them; the report's
                             bytes add up
  sql/substr_contamination.sql
                             contam_span is the rule with "occurs in a
                             training document" for "occurs min_count
                             times": eval windows found in train, merged and
                             shrunk alike, with their count in train

Corpora mix shared pieces, multi-byte characters whose bytes other
characters share (é C3 A9, ũ C5 A9, の E3 81 AE, で E3 81 A7), runs of bare
continuation bytes (invalid UTF-8, stored as TEXT), items repeated inside
the evaluation set, NULL and empty texts.
Usage: substr03.py LIB [SEED [ROUNDS]]; prints the seed first and
"N corpora, M differ" last."""
import random, re, sqlite3, sys, time, os

lib = sys.argv[1]
seed = int(sys.argv[2]) if len(sys.argv) > 2 else int(time.time() * 1000) % 1000000007
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 200
print("substr03: seed %d" % seed)
rng = random.Random(seed)
here = os.path.dirname(os.path.abspath(__file__))

def recipe(name):
    with open(os.path.join(here, "..", "sql", name), encoding="utf-8") as f:
        return f.read()
EXACT = recipe("exact_substr.sql")
CONTAM = recipe("substr_contamination.sql")

PIECES = [b"a", b"b", b"ab", b" the", b" cat", b"\xc3\xa9", b"\xc5\xa9", b"\xe3\x81\xae",
          b"\xe3\x81\xa7", b"\x80", b"\x80\x80\x80\x80", b"\n", b" ", b"x", b"yz"]

def boundary(z, x):
    return x == 0 or x >= len(z) or (z[x] & 0xC0) != 0x80

def rand_text(pool):
    r = rng.random()
    if pool and r < 0.2:
        return rng.choice(pool)
    if pool and r < 0.45:
        d = rng.choice(pool)
        a = rng.randrange(len(d) + 1); b = rng.randrange(a, len(d) + 1)
        return rng.choice(PIECES) + d[a:b] + rng.choice(PIECES)
    if r < 0.5:
        return b""
    n = rng.randrange(0, 14)
    return b"".join(rng.choice(PIECES[:rng.randrange(2, len(PIECES) + 1)]) for _ in range(n))

def runs(z, hits, L):
    """hits: sorted window starts; the rule's merge and shrink."""
    spans = []
    for p in hits:
        if spans and p <= spans[-1][1]:
            spans[-1][1] = p + L
        else:
            spans.append([p, p + L, p])
    out = []
    for s, e, first in spans:
        while s < e and not boundary(z, s): s += 1
        while e > s and not boundary(z, e): e -= 1
        if e - s >= L:
            out.append((s, e, first))
    return out

def occurrences(docs, w):
    n = 0
    for d in docs:
        i = d.find(w)
        while i >= 0:
            n += 1
            i = d.find(w, i + 1)
    return n

def brute_exact(docs, L, m):
    cnt = {}
    for d in docs:
        if d is None: continue
        for p in range(len(d) - L + 1):
            w = d[p:p + L]; cnt[w] = cnt.get(w, 0) + 1
    out = {}
    for i, d in enumerate(docs):
        if d is None: continue
        hits = [p for p in range(len(d) - L + 1) if cnt[d[p:p + L]] >= m]
        for s, e, first in runs(d, hits, L):
            out.setdefault(i + 1, []).append((s, e, cnt[d[first:first + L]]))
    return out

def brute_contam(train, evals, L):
    tr = [t for t in train if t is not None]
    out = {}
    for i, d in enumerate(evals):
        if d is None: continue
        hits = [p for p in range(len(d) - L + 1) if occurrences(tr, d[p:p + L]) > 0]
        for s, e, first in runs(d, hits, L):
            out.setdefault(i + 1, []).append((s, e, occurrences(tr, d[first:first + L])))
    return out

def connect():
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(lib)
    return db

def fill(db, table, texts, cols="id, text"):
    for i, t in enumerate(texts):
        # TEXT whatever the bytes: invalid UTF-8 included
        db.execute("INSERT INTO %s(id, text) VALUES (?, CAST(? AS TEXT))" % table,
                   (i + 1, None if t is None else sqlite3.Binary(t)))

def cut(z, spans):
    out, pos = b"", 0
    for s, e, _ in spans:
        out += z[pos:s]; pos = e
    return out + z[pos:]

bad = 0
for r in range(rounds):
    L = rng.randrange(1, 9)
    pool = []
    docs = []
    for _ in range(rng.randrange(1, 8)):
        t = None if rng.random() < 0.05 else rand_text(pool)
        docs.append(t)
        if t: pool.append(t)
    m = rng.choice([2, 2, 2, 3])
    # exact_substr.sql
    db = connect()
    db.execute("CREATE TABLE docs(id INTEGER PRIMARY KEY, text TEXT, source TEXT)")
    fill(db, "docs", docs)
    db.execute("UPDATE docs SET source = CASE id % 2 WHEN 0 THEN 'even' ELSE 'odd' END")
    sql = EXACT.replace("100 AS min_length", "%d AS min_length" % L) \
               .replace("2   AS min_count", "%d AS min_count" % m) \
               .replace("50  AS min_words", "1 AS min_words")
    db.executescript(sql)
    got = {}
    for i, s, e, c in db.execute("SELECT id, start, end, count FROM substr_span ORDER BY id, start"):
        got.setdefault(i, []).append((s, e, c))
    want = brute_exact(docs, L, m)
    ok = got == want
    # remove_spans() gives valid UTF-8: an invalid part of what is left
    # reads as U+FFFD, as Python's "replace" has it
    for i, t in db.execute("SELECT id, CAST(text AS BLOB) FROM substr_cut"):
        left = cut(docs[i - 1], want.get(i, []))
        if t != left.decode("utf-8", "replace").encode("utf-8"):
            ok = False
    removed = db.execute("SELECT sum(bytes_cut) FROM substr_report").fetchone()[0]
    if removed != sum(e - s for v in want.values() for s, e, _ in v):
        ok = False
    db.close()
    if not ok:
        bad += 1
        if bad <= 3:
            print("exact_substr.sql differs: L=%d m=%d docs=%r\n  got %r\n  want %r"
                  % (L, m, docs, got, want))
    # substr_contamination.sql
    train = [None if rng.random() < 0.05 else rand_text(pool) for _ in range(rng.randrange(1, 6))]
    evals = []
    for _ in range(rng.randrange(1, 6)):
        if evals and rng.random() < 0.2:
            evals.append(rng.choice(evals))                 # an item given twice
        else:
            t = None if rng.random() < 0.05 else rand_text(pool + [x for x in train if x])
            evals.append(t)
    db = connect()
    db.execute("CREATE TABLE train(id INTEGER PRIMARY KEY, text TEXT)")
    db.execute("CREATE TABLE eval(id INTEGER PRIMARY KEY, text TEXT)")
    fill(db, "train", train)
    fill(db, "eval", evals)
    db.executescript(CONTAM.replace("50 AS min_length", "%d AS min_length" % L))
    got = {}
    for i, s, e, c in db.execute("SELECT id, start, end, train_count FROM contam_span ORDER BY id, start"):
        got.setdefault(i, []).append((s, e, c))
    want = brute_contam(train, evals, L)
    db.close()
    if got != want:
        bad += 1
        if bad <= 3:
            print("substr_contamination.sql differs: L=%d train=%r eval=%r\n  got %r\n  want %r"
                  % (L, train, evals, got, want))
print("%d corpora, %d differ" % (2 * rounds, bad))
