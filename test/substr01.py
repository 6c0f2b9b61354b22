"""substring_dups against a brute-force search of the rule (docs/substr.md)
on thousands of small random corpora: overlapping repeats, a document
repeated inside itself, spans at document edges, multi-byte characters and
invalid UTF-8, NUL bytes, empty documents, NULL texts, one document.
Bytes and tokens (cl100k_base), width 32 and 64, and substring_index's rows
for the same corpus.  Usage: substr01.py LIB [SEED [ROUNDS]]; prints the
seed first and "N corpora, M differ" last."""
import random, sqlite3, sys, time

lib = sys.argv[1]
seed = int(sys.argv[2]) if len(sys.argv) > 2 else int(time.time() * 1000) % 1000000007
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
print("substr01: seed %d" % seed)
rng = random.Random(seed)

db = sqlite3.connect(":memory:")
db.enable_load_extension(True)
db.load_extension(lib)

PIECES = [b"a", b"b", b"ab", b"abc", b" the", b" cat", b"\xc3\xa9", b"\xe2\x82\xac",
          b"\xf0\x9f\x98\x80", b"\xff", b"\x80", b"\x00", b"\n", b" ", b"x",
          "ꙮ".encode(), "𝔘𝔫".encode(), "龘".encode()]

def boundary(z, x):
    return x == 0 or x >= len(z) or (z[x] & 0xC0) != 0x80

def rand_doc(prev):
    r = rng.random()
    if prev and r < 0.15:
        return rng.choice(prev)                      # a whole copy
    if prev and r < 0.3:
        d = rng.choice(prev)                          # a piece of another
        a = rng.randrange(len(d) + 1); b = rng.randrange(a, len(d) + 1)
        return bytes(rng.choice(PIECES)) + d[a:b] + bytes(rng.choice(PIECES))
    if r < 0.35:
        return b""
    n = rng.randrange(0, 12)
    d = b"".join(rng.choice(PIECES[:rng.randrange(2, len(PIECES) + 1)]) for _ in range(n))
    if rng.random() < 0.2:
        d = d * rng.randrange(2, 4)                  # repeated inside itself
    return d

def brute_bytes(docs, L, m):
    cnt = {}
    for d in docs:
        for p in range(len(d) - L + 1):
            w = d[p:p + L]; cnt[w] = cnt.get(w, 0) + 1
    out = []
    for i, d in enumerate(docs):
        spans = []
        for p in range(len(d) - L + 1):
            if cnt[d[p:p + L]] >= m:
                if spans and p <= spans[-1][1]:
                    spans[-1][1] = p + L
                else:
                    spans.append([p, p + L])
        for s, e in spans:
            u = s
            while s < e and not boundary(d, s): s += 1
            while e > s and not boundary(d, e): e -= 1
            if e - s >= L:
                out.append((i, s, e, cnt[d[u:u + L]]))
    return out

def token_lists(docs, texts):
    res = []
    for d, t in zip(docs, texts):
        rows = db.execute("SELECT start, token_id FROM tokens(?, 'cl100k_base')", (t,)).fetchall() if len(d) else []
        res.append(rows)
    return res

def brute_tokens(docs, toks, L, m):
    cnt = {}
    seqs = [tuple(t for _, t in tl) for tl in toks]
    for s in seqs:
        for p in range(len(s) - L + 1):
            w = s[p:p + L]; cnt[w] = cnt.get(w, 0) + 1
    out = []
    for i, (d, tl, s) in enumerate(zip(docs, toks, seqs)):
        spans = []
        for p in range(len(s) - L + 1):
            if cnt[s[p:p + L]] >= m:
                if spans and p <= spans[-1][1]:
                    spans[-1][1] = p + L
                else:
                    spans.append([p, p + L])
        off = [o for o, _ in tl]
        for a, e in spans:
            u = a
            while a < e and not boundary(d, off[a]): a += 1
            while e > a and e < len(off) and not boundary(d, off[e]): e -= 1
            if e > a:
                out.append((i, off[a], off[e] if e < len(off) else len(d), cnt[s[u:u + L]]))
    return out

differ = 0
for r in range(rounds):
    ndoc = 1 if rng.random() < 0.1 else rng.randrange(0, 8)
    docs = []
    for _ in range(ndoc):
        docs.append(rand_doc(docs))
    # TEXT where the bytes are valid UTF-8 (some), else BLOB; some NULL
    vals, keep = [], []
    for d in docs:
        if rng.random() < 0.05:
            vals.append(None); continue
        try:
            t = d.decode("utf-8")
            vals.append(t if rng.random() < 0.7 else d)
        except UnicodeDecodeError:
            vals.append(d)
        keep.append(len(vals) - 1)
    db.execute("DROP TABLE IF EXISTS docs")
    db.execute("CREATE TABLE docs(id INTEGER PRIMARY KEY, text)")
    db.executemany("INSERT INTO docs VALUES (?, ?)", [(i + 1, v) for i, v in enumerate(vals)])
    real = [docs[i] for i in keep]
    ids = [i + 1 for i in keep]
    L = rng.choice([1, 1, 2, 2, 3, 4, 5, 8])
    m = rng.choice([2, 2, 2, 3])
    width = rng.choice(["32", "64", "auto"])
    exp = [(ids[i], s, e, c) for i, s, e, c in brute_bytes(real, L, m)]
    got = db.execute("SELECT doc, start, end, count FROM substring_dups('docs', ?)",
                     ("min_length=%d min_count=%d width=%s" % (L, m, width),)).fetchall()
    bad = got != exp
    if r % 10 == 0:
        db.execute("DROP TABLE IF EXISTS ix")
        db.execute("CREATE VIRTUAL TABLE ix USING substring_index(source='docs', width=%s)" % width)
        got2 = db.execute("SELECT doc, start, end, count FROM ix WHERE min_length=? AND min_count=?", (L, m)).fetchall()
        bad = bad or got2 != exp
    # tokens: only where every text is valid UTF-8 TEXT (tokens() reads TEXT)
    texts = [vals[i] for i in keep]
    if all(isinstance(t, str) for t in texts):
        toks = token_lists(real, texts)
        Lt = rng.choice([1, 1, 2, 3])
        expt = [(ids[i], s, e, c) for i, s, e, c in brute_tokens(real, toks, Lt, m)]
        gott = db.execute("SELECT doc, start, end, count FROM substring_dups('docs', ?)",
                          ("unit=tokens min_length=%d min_count=%d" % (Lt, m),)).fetchall()
        if gott != expt:
            bad = True
            exp, got = expt, gott
    if bad:
        differ += 1
        if differ <= 3:
            print("differ: round %d L=%d m=%d docs=%r\n  expected %r\n  got      %r" % (r, L, m, vals, exp, got))
print("%d corpora, %d differ" % (rounds, differ))
