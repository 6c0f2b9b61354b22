#!/usr/bin/python3
"""Build the pipeline benchmark's corpus: N documents of real text with
planted near-duplicates and exact duplicates, into an SQLite file.

    /usr/bin/python3 bench/make_dupes.py -n 100000 -o /tmp/corpus-bench/docs-100000.db
        [--corpora-dir /tmp/corpora] [--corpora "man sotu ..."] [--seed 1]
        [--near 0.10] [--exact 0.03]

Standard library only (Debian's python3), deterministic for a given seed,
corpora and N: the same inputs give the same bytes.

How the documents are made
--------------------------
Every corpus (JSONL, {"id","text"} a line) is cut into segments: paragraphs
(split on blank lines), long ones cut at whitespace into pieces of 200-800
bytes, short ones (< 40 bytes) joined to the next.  Exact repeats of a
segment (after collapsing whitespace and case) are kept once, so that the
heavy boilerplate of some corpora (licence texts, mail footers) does not
make accidental near-duplicates.  The pool is about 260 MB of text, so a
million documents of 2 KB reuse each segment about eight times, in
different company.

An original document picks a corpus (weighted by its size in bytes), then
joins random segments of that corpus with blank lines until it reaches its
target length, drawn in 1,000-5,000 bytes as 1000 + 4000*u^3 (mean 2,000
bytes, so 1,000,000 documents are about 2 GB; --length MIN,MAX draws
MIN + (MAX-MIN)*u^3 instead), and is cut there at a
whitespace.  Two originals share a 5-word shingle only across a shared
segment, so two of them are near-duplicates only by a rare accident.

Then --near of the documents (default 10%) are near-duplicates of an
original and --exact (3%) exact copies of one.  The kind of a near-duplicate
(table planted, column kind), with its parameters in column detail:

  subst     a fraction r (1-10%) of the words replaced by words of the corpus
  delete    a fraction r of the words deleted
  insert    a fraction r of new words inserted
  edit      a fraction r of the words each substituted, deleted or followed
            by an insertion (one third each)
  truncate  only the first (or, one time in four, the last) 70-99% of the
            words kept
  format    whitespace, case and punctuation changes only (3-30% of the
            words): invisible after the default normalization, so Jaccard 1
  combo     format, then edit at r, then a truncation to 85-99% half the time

Word counts are of whitespace-separated words; each edit keeps the text's
lines.  Documents get ids 1..N in a random order, so a duplicate's id may be
below its source's.

Output (the file is replaced):
  docs(id INTEGER PRIMARY KEY, text TEXT)
  planted(id INTEGER PRIMARY KEY, source_id INTEGER, kind TEXT, detail TEXT)
      one row per planted document; kind 'exact' or one of the above
  origin(id INTEGER PRIMARY KEY, corpus TEXT)   the corpus each document's
      text came from
  bench_info(key TEXT PRIMARY KEY, value)       the generator's settings
"""
import argparse
import json
import os
import random
import re
import sqlite3
import sys
import time

DEFAULT_CORPORA = ("deb-copyright foldoc fortunes gcide jargon man pydoc-3.11 "
                   "sotu spamassassin sqlite-doc")

PARA_SPLIT = re.compile(r"\n[ \t]*\n+")
SPACE = re.compile(r"\s+")
WORDS = re.compile(r"(\s+)")
PUNCT = ",.;:!?"


def log(msg):
    print("make_dupes: " + msg, file=sys.stderr, flush=True)


def cut_at_space(s, limit):
    """s cut to at most limit characters, at a whitespace when there is one."""
    if len(s) <= limit:
        return s
    k = s.rfind(" ", 0, limit)
    j = s.rfind("\n", 0, limit)
    k = max(k, j)
    if k < limit // 2:
        k = limit
    return s[:k]


def segments_of(text, rng):
    """The segments of one document: paragraphs, long ones cut into 200-800
    character pieces at whitespace, short ones joined to the next."""
    out = []
    pending = ""
    for para in PARA_SPLIT.split(text):
        para = para.strip()
        if not para:
            continue
        if pending:
            para = pending + "\n\n" + para
            pending = ""
        while len(para) > 800:
            piece = cut_at_space(para, rng.randint(200, 800))
            out.append(piece.strip())
            para = para[len(piece):].strip()
        if len(para) < 40:
            pending = para
        else:
            out.append(para)
    if pending:
        if out:
            out[-1] = out[-1] + "\n\n" + pending
        else:
            out.append(pending)
    return [s for s in out if s]


def load_pool(corpora_dir, names, rng):
    pool = {}
    for name in names:
        path = os.path.join(corpora_dir, name + ".jsonl")
        if not os.path.exists(path):
            log("no %s, skipped" % path)
            continue
        seen = set()
        segs = []
        nbytes = 0
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                text = json.loads(line).get("text")
                if not text:
                    continue
                for s in segments_of(text, rng):
                    key = SPACE.sub(" ", s).lower()
                    if key in seen:
                        continue
                    seen.add(key)
                    segs.append(s)
                    nbytes += len(s.encode("utf-8"))
        if segs:
            pool[name] = (segs, nbytes)
            log("%-14s %8d segments, %6.1f MB" % (name, len(segs), nbytes / 1e6))
    return pool


def original(seed, k, names, weights, pool, length=(1000, 5000)):
    """The text of original document k and its corpus: a pure function of
    (seed, k), so that a duplicate can rebuild its source."""
    rng = random.Random("%d:orig:%d" % (seed, k))
    name = rng.choices(names, weights)[0]
    segs = pool[name][0]
    target = int(length[0] + (length[1] - length[0]) * rng.random() ** 3)
    parts = []
    size = 0
    while size < target:
        s = segs[rng.randrange(len(segs))]
        parts.append(s)
        size += len(s.encode("utf-8")) + 2
    text = "\n\n".join(parts)
    # cut to target bytes at whitespace (characters ~ bytes for a cut point)
    b = text.encode("utf-8")
    if len(b) > target:
        cut = b[:target].decode("utf-8", "ignore")
        k2 = max(cut.rfind(" "), cut.rfind("\n"))
        if k2 > len(cut) // 2:
            cut = cut[:k2]
        text = cut.rstrip()
    return text, name


# ---- perturbations: text is kept as lines of words, so edits keep the lines

def to_lines(text):
    return [line.split(" ") for line in text.split("\n")]


def from_lines(lines):
    return "\n".join(" ".join(w) for w in lines)


def word_slots(lines):
    return [(i, j) for i, ws in enumerate(lines) for j, w in enumerate(ws) if w]


def random_word(rng, name, pool):
    segs = pool[name][0]
    while True:
        words = segs[rng.randrange(len(segs))].split()
        if words:
            return words[rng.randrange(len(words))]


def edit_words(text, rng, rate, ops, name, pool):
    """Applies one of ops ('s'ubstitute, 'd'elete, 'i'nsert) to a fraction
    rate of the words (at least one)."""
    lines = to_lines(text)
    slots = word_slots(lines)
    if not slots:
        return text
    n = max(1, round(rate * len(slots)))
    chosen = rng.sample(slots, min(n, len(slots)))
    for i, j in chosen:
        op = rng.choice(ops)
        if op == "s":
            lines[i][j] = random_word(rng, name, pool)
        elif op == "d":
            lines[i][j] = ""
        else:
            lines[i][j] = lines[i][j] + " " + random_word(rng, name, pool)
    # deleted words leave empty strings: drop them (keeps single spaces)
    return "\n".join(" ".join(w for w in ws if w) for ws in lines)


def truncate(text, rng, lo, hi, allow_head=True):
    """The first (or, one time in four, the last) fraction keep of the words,
    keep drawn in [lo, hi]; the whitespace between them is kept."""
    parts = WORDS.split(text)          # word, space, word, space, ...
    nwords = (len(parts) + 1) // 2
    keep = rng.uniform(lo, hi)
    n = max(1, int(nwords * keep))
    if allow_head and rng.random() < 0.25:
        return "".join(parts[2 * (nwords - n):]), "last %.2f" % keep
    return "".join(parts[:2 * n - 1]), "first %.2f" % keep


def reformat(text, rng, rate):
    """Whitespace, case and punctuation changes at word boundaries."""
    lines = to_lines(text)
    slots = word_slots(lines)
    if not slots:
        return text
    n = max(1, round(rate * len(slots)))
    for i, j in rng.sample(slots, min(n, len(slots))):
        w = lines[i][j]
        op = rng.randrange(6)
        if op == 0:
            w = w.upper()
        elif op == 1:
            w = w.capitalize() if w[:1].islower() else w.lower()
        elif op == 2:
            w = w + rng.choice(PUNCT)
        elif op == 3:
            w = w.rstrip(PUNCT) or w
        elif op == 4:
            w = w + rng.choice(["  ", "\t", " \n"])
        else:
            w = "(" + w + ")"
        lines[i][j] = w
    text = from_lines(lines)
    if rng.random() < 0.3:
        text = "  " + text.replace("\n", "\n\n") + "\n"
    return text


def near_duplicate(src, rng, name, pool):
    kind = rng.choices(
        ["subst", "delete", "insert", "edit", "truncate", "format", "combo"],
        [15, 15, 15, 20, 10, 10, 15])[0]
    rate = rng.uniform(0.01, 0.10)
    if kind == "subst":
        return kind, edit_words(src, rng, rate, "s", name, pool), "rate=%.3f" % rate
    if kind == "delete":
        return kind, edit_words(src, rng, rate, "d", name, pool), "rate=%.3f" % rate
    if kind == "insert":
        return kind, edit_words(src, rng, rate, "i", name, pool), "rate=%.3f" % rate
    if kind == "edit":
        return kind, edit_words(src, rng, rate, "sdi", name, pool), "rate=%.3f" % rate
    if kind == "truncate":
        text, how = truncate(src, rng, 0.70, 0.99)
        return kind, text, how
    if kind == "format":
        frate = rng.uniform(0.03, 0.30)
        return kind, reformat(src, rng, frate), "format=%.3f" % frate
    frate = rng.uniform(0.03, 0.30)
    text = reformat(src, rng, frate)
    text = edit_words(text, rng, rate, "sdi", name, pool)
    detail = "format=%.3f rate=%.3f" % (frate, rate)
    if rng.random() < 0.5:
        text, how = truncate(text, rng, 0.85, 0.99, allow_head=False)
        detail += " " + how
    return kind, text, detail


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=100000, help="documents (100000)")
    ap.add_argument("-o", "--out", required=True, help="SQLite file to write")
    ap.add_argument("--corpora-dir", default=os.environ.get("CORPORA_DIR", "/tmp/corpora"))
    ap.add_argument("--corpora", default=DEFAULT_CORPORA)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--near", type=float, default=0.10)
    ap.add_argument("--exact", type=float, default=0.03)
    ap.add_argument("--length", default="1000,5000",
                    help="MIN,MAX bytes of an original (1000,5000): MIN + (MAX-MIN)*u^3")
    a = ap.parse_args()
    try:
        length = tuple(int(x) for x in a.length.split(","))
        if len(length) != 2 or not 0 < length[0] <= length[1]:
            raise ValueError
    except ValueError:
        log("--length must be MIN,MAX with 0 < MIN <= MAX, got %r" % a.length)
        return 1

    t0 = time.time()
    pool = load_pool(a.corpora_dir, a.corpora.split(),
                     random.Random("%d:pool" % a.seed))
    if not pool:
        log("no corpus found in %s" % a.corpora_dir)
        return 1
    names = sorted(pool)
    weights = [pool[n][1] for n in names]
    log("pool: %.1f MB in %d segments (%.1f s)" % (
        sum(weights) / 1e6, sum(len(pool[n][0]) for n in names), time.time() - t0))

    rng = random.Random("%d:plan" % a.seed)
    n = a.n
    n_near = round(a.near * n)
    n_exact = round(a.exact * n)
    n_orig = n - n_near - n_exact
    if n_orig < 1:
        log("--near + --exact leave no originals")
        return 1
    # plan[slot] = (kind, k): originals are slots 0..n_orig-1 (k = original
    # number); the duplicates' k is the original they copy.
    plan = [("orig", k) for k in range(n_orig)]
    plan += [("near", rng.randrange(n_orig)) for _ in range(n_near)]
    plan += [("exact", rng.randrange(n_orig)) for _ in range(n_exact)]
    ids = list(range(1, n + 1))
    rng.shuffle(ids)
    orig_id = ids[:n_orig]            # original k gets id orig_id[k]
    by_id = [None] * (n + 1)
    for slot, doc_id in enumerate(ids):
        by_id[doc_id] = plan[slot]

    tmp = a.out + ".tmp"
    for p in (tmp, tmp + "-journal"):
        if os.path.exists(p):
            os.remove(p)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript("""
        PRAGMA journal_mode=OFF;
        PRAGMA synchronous=OFF;
        CREATE TABLE docs(id INTEGER PRIMARY KEY, text TEXT);
        CREATE TABLE planted(id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL,
                             kind TEXT NOT NULL, detail TEXT);
        CREATE TABLE origin(id INTEGER PRIMARY KEY, corpus TEXT);
        CREATE TABLE bench_info(key TEXT PRIMARY KEY, value);
    """)
    total = 0
    batch, pbatch, obatch = [], [], []

    def flush():
        db.executemany("INSERT INTO docs VALUES(?,?)", batch)
        db.executemany("INSERT INTO planted VALUES(?,?,?,?)", pbatch)
        db.executemany("INSERT INTO origin VALUES(?,?)", obatch)
        batch.clear(); pbatch.clear(); obatch.clear()

    for doc_id in range(1, n + 1):
        kind, k = by_id[doc_id]
        text, name = original(a.seed, k, names, weights, pool, length)
        if kind == "exact":
            pbatch.append((doc_id, orig_id[k], "exact", None))
        elif kind == "near":
            drng = random.Random("%d:near:%d" % (a.seed, doc_id))
            nkind, text, detail = near_duplicate(text, drng, name, pool)
            pbatch.append((doc_id, orig_id[k], nkind, detail))
        batch.append((doc_id, text))
        obatch.append((doc_id, name))
        total += len(text.encode("utf-8"))
        if len(batch) >= 5000:
            flush()
            if doc_id % 100000 == 0:
                log("%d documents, %.0f MB (%.0f s)" % (doc_id, total / 1e6, time.time() - t0))
    flush()
    info = {"n": n, "seed": a.seed, "near": a.near, "exact": a.exact,
            "originals": n_orig, "near_planted": n_near, "exact_planted": n_exact,
            "text_bytes": total, "corpora": " ".join(names),
            "length": a.length,
            "pool_bytes": sum(weights), "generator": "bench/make_dupes.py"}
    db.executemany("INSERT INTO bench_info VALUES(?,?)", sorted(info.items()))
    db.commit()
    db.close()
    os.replace(tmp, a.out)
    log("wrote %s: %d documents (%d originals, %d near, %d exact), %.1f MB of text in %.0f s"
        % (a.out, n, n_orig, n_near, n_exact, total / 1e6, time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
