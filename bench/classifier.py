#!/usr/bin/python3
# Evaluation harness for the GPT-3-style quality classifier of the extension,
#   quality_train(text, label [, options])  aggregate -> model BLOB
#   quality_classify(text, model)           -> REAL, probability of label 1
# next to fastText (Debian package `fasttext`, 0.9.2) on the same data and
# the same split.  Prints figures, never a verdict.  Stdlib only.
#
#   /usr/bin/python3 bench/classifier.py LIB [--corpora DIR] [--options OPTS]...
#           [--seed S] [--task easy|hard|all] [--limit N] [--max-chars N]
#           [--runs N] [--fasttext-args ARGS]... [--fasttext-only] [--no-fasttext]
#           [--by-kind]
#   /usr/bin/python3 bench/classifier.py --self-test
#
# LIB is the extension without its suffix (dist/corpus).  --options is given
# to quality_train as its third argument; repeat it to sweep (one row per
# value, same data); when it holds no seed=, " seed=S" is appended.  A corpus
# is DIR/NAME.jsonl, one {"id","text"} object a line (default /tmp/corpora).
#
# The data (deterministic given --seed, which is printed; the same seed gives
# byte-identical datasets; each "task" line prints a digest of its data):
#   Every document is cut to --max-chars characters (default 20000), lone
#   surrogates are replaced, documents with fewer than 20 non-blank
#   characters are dropped, and exact duplicate texts within a corpus are
#   dropped (the least id stays); an id seen again in a file (gcide has
#   some) becomes ID#dupN.  "Curated" = sqlite-doc, pydoc-3.11, sotu (1,494
#   documents once cleaned); --limit N keeps at most N documents of each
#   curated corpus (a seeded choice; default no limit), and the negatives
#   follow.  Documents are chosen by sorting on a seeded hash of their id.
#
#   task easy   label 1: every curated document.
#               label 0: as many documents, a third each from spamassassin,
#               fortunes and gcide, as they are.  Separable by domain alone.
#
#   task hard   the curated documents of each corpus are cut in two disjoint
#               sets by the seeded hash: 4/7 are the positives (label 1) and
#               3/7 are donors.  The negatives (label 0) come from the same
#               domains, in four groups of about equal size:
#     shuffle   a donor whose words are shuffled within each unit (a unit is
#               a paragraph when the text has 3 or more blank-line separated
#               paragraphs, else a line when it has 3 or more lines, else a
#               group of 4 sentences; units keep their separators).  The
#               bag of words is the donor's: only word order tells.
#     mixed     a donor's units interleaved with junk: a header and a footer
#               of 2-5 boilerplate lines (menus, cookie notices, "Click
#               here", share buttons, copyright lines...), and after each
#               unit 0-3 lines, each a real spamassassin line (headers,
#               quoted mail, ads) or a boilerplate line, half and half.
#     cut       a donor whose units are cut into chunks of 1-6 words, one
#               chunk a line, 30% of the chunks dropped: fragments, as in
#               scraped tables, menus and captions.
#     real      real noisy documents, a third each: spamassassin messages as
#               they are, and "pages" of fortunes and of gcide: consecutive
#               entries of the file joined by blank lines up to a length
#               drawn from the positives' lengths (pages do not overlap),
#               so that length is less of a cue.
#               The donors of all three corpora, in seeded order, are dealt
#               round-robin to shuffle, mixed and cut, and the number of
#               real documents tops the negatives up to the positives.
#               No donor is a positive, so no text is on both sides.
#
# The split: a document is in the test set when blake2b-64 of its id (the
# synthesised ones have ids like "shuffle:sotu/1906_...txt") is 0 or 1 mod
# 10: about 20%, stable across runs, seeds and tasks.
#
# The extension: the data go in an in-memory database (Python's sqlite3 with
# enable_load_extension), train rows in a seeded shuffled order (an
# aggregate sees its rows in table order), then
#   CREATE TABLE train(id TEXT PRIMARY KEY, text TEXT NOT NULL, label INTEGER NOT NULL)
#   CREATE TABLE test(id TEXT PRIMARY KEY, text TEXT NOT NULL, label INTEGER NOT NULL)
#   SELECT quality_train(text, label, :opts) FROM train            -- timed once
#   SELECT sum(quality_classify(text, :model)) FROM test           -- best of --runs
#   SELECT sum(length(text)) FROM test                             -- the baseline, best of --runs
#   SELECT id, label, quality_classify(text, :model) FROM test ORDER BY id  -- the figures
# fastText: the same train rows in the same order, one document a line,
# "__label__L text" with \r and \n turned into spaces ("__label__" inside a
# text becomes "__lbl__"); the test texts without labels;
#   fasttext supervised -input train.txt -output model -wordNgrams 2 -thread 1
#            -seed S -verbose 0 [--fasttext-args]      (timed: train s)
# once per --fasttext-args (repeat it to sweep).  By default twice: as it is
# ("fasttext#1": fastText's defaults, lr 0.1, 5 epochs, dim 100, 2M buckets,
# which underfit a few thousand documents) and with "-epoch 25 -lr 1.0 -dim
# 10" ("fasttext#2": epochs and lr as in fastText's tutorial for small data
# sets, dim 10 for speed).  -thread 1 makes fastText reproducible.
#   fasttext predict-prob model.bin test.txt 2         (timed: score MB/s;
#            the wall time includes starting fastText and loading the model)
# p(label 1) is read from the output (1 - p(label 0) when only that one is
# printed, 0.5 for an empty line).  Scratch files live in a temporary
# directory removed at exit.
#
# Figures: accuracy at 0.5 (p >= 0.5 means label 1) and ROC AUC (Mann-Whitney
# U with average ranks for ties) on the test set; train s (wall) and train
# docs/s; score MB/s = UTF-8 bytes of the test texts / wall time; model size.
# The "length()" row is the baseline scan over the same test rows.
# --by-kind adds the test accuracy per source corpus or synthesised kind.
#
# Exit status: 0 after printing the figures; 1 when the extension could not
# be loaded or a query failed (the other figures are still printed); 2 on a
# usage error.  --self-test checks the AUC, the split, the fastText format
# and parsing and the synthesisers on hand-made data, and exits 1 on a
# failure.

import argparse
import atexit
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

CURATED = ["sqlite-doc", "pydoc-3.11", "sotu"]
NOISY = ["spamassassin", "fortunes", "gcide"]
MIN_NONBLANK = 20
DONOR_NUM, DONOR_DEN = 3, 7
KINDS = ["shuffle", "mixed", "cut"]

BOILERPLATE = [
    "Home | About | Contact",
    "Home | News | Products | Support | Blog | Contact us",
    "Skip to main content",
    "Skip to navigation",
    "Menu",
    "Search",
    "Search this site...",
    "Sign in",
    "Log in | Register",
    "Forgot your password?",
    "Subscribe to our newsletter",
    "Enter your email address to subscribe to this blog and receive notifications of new posts by email.",
    "We use cookies to ensure that we give you the best experience on our website.",
    "This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish.",
    "By continuing to use this site you agree to our use of cookies.",
    "Accept all cookies",
    "Accept | Reject | Cookie settings",
    "Manage cookie preferences",
    "Click here",
    "Click here to read more",
    "Click here to download the full version",
    "Click here to unsubscribe",
    "Read more \u00bb",
    "\u00ab Previous | Next \u00bb",
    "Share this: Facebook Twitter LinkedIn Email Print",
    "Like this: Like Loading...",
    "Related posts",
    "You may also like",
    "Leave a comment",
    "Leave a Reply Cancel reply",
    "You must be logged in to post a comment.",
    "Your email address will not be published. Required fields are marked *",
    "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
    "Posted by admin on {date}",
    "Posted in Uncategorized | {n} Comments",
    "Tags: {w}, {w}, {w}",
    "Categories: {w}",
    "Copyright \u00a9 {year} All rights reserved.",
    "\u00a9 {year} {w}. All Rights Reserved.",
    "Privacy Policy | Terms of Service | Sitemap",
    "Powered by WordPress | Theme by {w}",
    "Advertisement",
    "Sponsored links",
    "Back to top",
    "Page {n} of {m}",
    "{n} comments",
    "Follow us on Twitter",
    "Like us on Facebook",
    "Download now for free!",
    "Limited time offer - order today!",
    "Free shipping on orders over ${n}",
    "Add to cart",
    "Best price guaranteed",
    "Last updated: {date}",
    "Loading...",
    "JavaScript must be enabled to view this page.",
    "Print this page",
    "Report abuse",
    "View all",
    "Reply",
    "Top",
]


# --------------------------------------------------------------- helpers

def h64(s):
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "big")


def seeded_order(items, seed, tag, key=lambda x: x):
    """items sorted on a seeded hash of key(item): a deterministic shuffle."""
    return sorted(items, key=lambda x: (h64("%s\x1f%s\x1f%s" % (seed, tag, key(x))), key(x)))


def is_test(doc_id):
    return h64(doc_id) % 10 < 2


def clean(text, max_chars):
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
    return text[:max_chars]


def nbytes(texts):
    return sum(len(t.encode("utf-8")) for t in texts)


def auc(labels, scores):
    """ROC AUC = Mann-Whitney U / (n1 n0), average ranks for ties."""
    pairs = sorted(zip(scores, labels), key=lambda p: p[0])
    n1 = sum(1 for l in labels if l == 1)
    n0 = len(labels) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    rank_sum = 0.0
    i = 0
    n = len(pairs)
    while i < n:
        j = i
        while j + 1 < n and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        avg = (i + j) / 2.0 + 1.0  # ranks i+1 .. j+1
        rank_sum += avg * sum(1 for k in range(i, j + 1) if pairs[k][1] == 1)
        i = j + 1
    return (rank_sum - n1 * (n1 + 1) / 2.0) / (n1 * n0)


def auc_pairs(labels, scores):
    """The O(n^2) definition, for --self-test."""
    pos = [s for s, l in zip(scores, labels) if l == 1]
    neg = [s for s, l in zip(scores, labels) if l == 0]
    tot = 0.0
    for p in pos:
        for q in neg:
            tot += 1.0 if p > q else 0.5 if p == q else 0.0
    return tot / (len(pos) * len(neg))


def accuracy(labels, scores):
    return sum(1 for l, s in zip(labels, scores) if (s >= 0.5) == (l == 1)) / len(labels)


# ---------------------------------------------------------- synthesisers

_PARA = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SENT = re.compile(r"(?<=[.!?])\s+")


def units(text):
    """(units, separator): paragraphs, else lines, else groups of 4 sentences."""
    paras = [p for p in _PARA.split(text) if p.strip()]
    if len(paras) >= 3:
        return paras, "\n\n"
    lines = [l for l in text.split("\n") if l.strip()]
    if len(lines) >= 3:
        return lines, "\n"
    sents = [s for s in _SENT.split(text) if s.strip()]
    return [" ".join(sents[i:i + 4]) for i in range(0, len(sents), 4)], " "


def synth_shuffle(text, rng):
    us, sep = units(text)
    out = []
    for u in us:
        w = u.split()
        rng.shuffle(w)
        out.append(" ".join(w))
    return sep.join(out)


def boilerplate_line(rng, words):
    t = rng.choice(BOILERPLATE)
    w = lambda: rng.choice(words) if words else "news"
    t = re.sub(r"\{w\}", lambda m: w(), t)
    t = t.replace("{year}", str(rng.randint(2003, 2024)))
    t = t.replace("{date}", "%04d-%02d-%02d" % (rng.randint(2003, 2024), rng.randint(1, 12), rng.randint(1, 28)))
    t = t.replace("{n}", str(rng.randint(1, 99))).replace("{m}", str(rng.randint(100, 400)))
    return t


def synth_mixed(text, rng, spam_lines):
    us, _ = units(text)
    words = [w for w in text.split() if w.isalpha() and len(w) > 3][:2000]
    out = [boilerplate_line(rng, words) for _ in range(rng.randint(2, 5))]
    for u in us:
        out.append(u)
        for _ in range(rng.randint(0, 3)):
            if spam_lines and rng.random() < 0.5:
                out.append(rng.choice(spam_lines))
            else:
                out.append(boilerplate_line(rng, words))
    out += [boilerplate_line(rng, words) for _ in range(rng.randint(2, 5))]
    return "\n".join(out)


def synth_cut(text, rng):
    us, _ = units(text)
    out = []
    for u in us:
        w = u.split()
        lines = []
        i = 0
        while i < len(w):
            k = rng.randint(1, 6)
            if rng.random() >= 0.3:
                lines.append(" ".join(w[i:i + k]))
            i += k
        if lines:
            out.append("\n".join(lines))
    return "\n\n".join(out)


def make_pages(docs, targets, name):
    """Consecutive entries joined by blank lines, each page at least as long
    as the next target; pages never overlap."""
    pages = []
    i = 0
    t = 0
    while i < len(docs):
        target = targets[t % len(targets)]
        t += 1
        parts = []
        first = docs[i][0]
        size = 0
        while i < len(docs) and size < target:
            parts.append(docs[i][1])
            size += len(docs[i][1]) + 2
            i += 1
        if size >= target or not pages:
            pages.append(("%s-page:%s+%d" % (name, first, len(parts)), "\n\n".join(parts)))
    return pages


# --------------------------------------------------------------- datasets

def load_corpus(path, max_chars):
    """[(id, text)] in file order: cut, cleaned, short and duplicate texts dropped."""
    rows = []
    count = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            t = o.get("text") or ""
            if len(t) - t.count(" ") - t.count("\n") - t.count("\t") < MIN_NONBLANK:
                continue
            i = str(o["id"])
            n = count.get(i, 0)
            count[i] = n + 1
            rows.append((i if n == 0 else "%s#dup%d" % (i, n), clean(t, max_chars)))
    seen = {}
    for i, t in sorted(rows):
        seen.setdefault(t, i)
    keep = set(seen.values())
    return [r for r in rows if r[0] in keep]


class Corpora:
    def __init__(self, d, max_chars, limit, seed):
        self.d, self.max_chars, self.limit, self.seed = d, max_chars, limit, seed
        self.cache = {}

    def get(self, name):
        if name not in self.cache:
            path = os.path.join(self.d, name + ".jsonl")
            docs = load_corpus(path, self.max_chars)
            if self.limit is not None and name in CURATED and len(docs) > self.limit:
                keep = {i for i, _ in seeded_order(docs, self.seed, "limit:" + name, key=lambda r: r[0])[:self.limit]}
                docs = [r for r in docs if r[0] in keep]
            self.cache[name] = docs
        return self.cache[name]


def take(docs, n, seed, tag):
    return seeded_order(docs, seed, tag, key=lambda r: r[0])[:n]


def shares(total, k):
    return [total // k + (1 if i < total % k else 0) for i in range(k)]


def build_easy(C, seed):
    data = []  # (id, text, label, kind)
    for name in CURATED:
        data += [(i, t, 1, name) for i, t in C.get(name)]
    npos = len(data)
    for name, n in zip(NOISY, shares(npos, len(NOISY))):
        data += [(i, t, 0, name) for i, t in take(C.get(name), n, seed, "easy:" + name)]
    return data


def build_hard(C, seed):
    data = []
    donors = []
    for name in CURATED:
        docs = seeded_order(C.get(name), seed, "donor:" + name, key=lambda r: r[0])
        nd = (len(docs) * DONOR_NUM + DONOR_DEN // 2) // DONOR_DEN
        donors += docs[:nd]
        data += [(i, t, 1, name) for i, t in docs[nd:]]
    npos = len(data)
    donors = seeded_order(donors, seed, "kind", key=lambda r: r[0])

    # real noisy documents, then the spam lines from the messages left over
    nreal = max(0, npos - len(donors))
    pos_lengths = [len(t) for _, t, _, _ in data]
    spam = seeded_order(C.get("spamassassin"), seed, "hard:spamassassin", key=lambda r: r[0])
    n_spam, n_fort, n_gcide = shares(nreal, 3)
    real = [(i, t, "spamassassin") for i, t in spam[:n_spam]]
    for name, n in (("fortunes", n_fort), ("gcide", n_gcide)):
        targets = list(pos_lengths)
        random.Random("targets:%s:%s" % (seed, name)).shuffle(targets)
        pages = make_pages(C.get(name), targets or [2000], name)
        real += [(i, clean(t, C.max_chars), name + "-page") for i, t in take(pages, n, seed, "page:" + name)]

    spam_lines = []
    for _, t in spam[n_spam:n_spam + 1500]:
        spam_lines += [l.strip() for l in t.split("\n") if len(l.strip()) >= 3]

    for k, (i, t) in enumerate(donors):
        kind = KINDS[k % len(KINDS)]
        r = random.Random("%s:%s:%s" % (seed, kind, i))
        if kind == "shuffle":
            s = synth_shuffle(t, r)
        elif kind == "mixed":
            s = synth_mixed(t, r, spam_lines)
        else:
            s = synth_cut(t, r)
        s = s[:C.max_chars]
        if len(s.strip()) >= MIN_NONBLANK:
            data.append(("%s:%s" % (kind, i), s, 0, kind))
    data += [(i, t, 0, kind) for i, t, kind in real]
    return data


def split(data, seed):
    train = [r for r in data if not is_test(r[0])]
    test = sorted((r for r in data if is_test(r[0])), key=lambda r: r[0])
    train = seeded_order(train, seed, "train-order", key=lambda r: r[0])
    return train, test


def digest(data):
    h = hashlib.blake2b(digest_size=8)
    for i, t, l, _ in sorted(data, key=lambda r: r[0]):
        h.update(("%s\x00%d\x00" % (i, l)).encode("utf-8"))
        h.update(t.encode("utf-8"))
        h.update(b"\x01")
    return h.hexdigest()


def describe(task, train, test):
    data = train + test
    kinds = {}
    for _, t, l, k in data:
        c = kinds.setdefault((l, k), [0, 0])
        c[0] += 1
        c[1] += len(t.encode("utf-8"))
    print("task %s: %d documents (%.1f MB), digest %s" % (
        task, len(data), nbytes(t for _, t, _, _ in data) / 1e6, digest(data)))
    for l in (1, 0):
        parts = ["%s %d (%.1f MB)" % (k, c[0], c[1] / 1e6) for (ll, k), c in sorted(kinds.items()) if ll == l]
        print("  label %d: %d: %s" % (l, sum(c[0] for (ll, _), c in kinds.items() if ll == l), ", ".join(parts)))
    for name, part in (("train", train), ("test", test)):
        npos = sum(1 for r in part if r[2] == 1)
        print("  %-5s %5d documents, label 1 %d, label 0 %d, %.1f MB" % (
            name, len(part), npos, len(part) - npos, nbytes(r[1] for r in part) / 1e6))


# -------------------------------------------------------------- fastText

def ft_line(text):
    return text.replace("\r", " ").replace("\n", " ").replace("__label__", "__lbl__")


def parse_ft_prob(line):
    """p(__label__1) from one line of `fasttext predict-prob ... 2`."""
    f = line.split()
    probs = {}
    for k in range(0, len(f) - 1, 2):
        probs[f[k]] = float(f[k + 1])
    if "__label__1" in probs:
        p = probs["__label__1"]
    elif "__label__0" in probs:
        p = 1.0 - probs["__label__0"]
    else:
        p = 0.5
    return min(1.0, max(0.0, p))


def find_fasttext():
    ft = shutil.which("fasttext")
    if ft:
        return ft
    print("fasttext not found; apt-get install -y fasttext", flush=True)
    try:
        subprocess.run(["apt-get", "install", "-y", "fasttext"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except (OSError, subprocess.CalledProcessError) as e:
        print("  apt-get failed: %s" % (getattr(e, "stderr", b"") or str(e)), flush=True)
    return shutil.which("fasttext")


def run_fasttext(ft, train, test, seed, extra, tmp):
    trf = os.path.join(tmp, "train.txt")
    tef = os.path.join(tmp, "test.txt")
    model = os.path.join(tmp, "model")
    with open(trf, "w", encoding="utf-8", newline="\n") as f:
        for _, t, l, _ in train:
            f.write("__label__%d %s\n" % (l, ft_line(t)))
    with open(tef, "w", encoding="utf-8", newline="\n") as f:
        for _, t, _, _ in test:
            f.write(ft_line(t) + "\n")
    cmd = [ft, "supervised", "-input", trf, "-output", model, "-wordNgrams", "2",
           "-thread", "1", "-seed", str(seed), "-verbose", "0"] + extra
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    train_s = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError("fasttext supervised: exit %d: %s" % (p.returncode, p.stderr.decode()[-500:]))
    t0 = time.perf_counter()
    p = subprocess.run([ft, "predict-prob", model + ".bin", tef, "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    score_s = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError("fasttext predict-prob: exit %d: %s" % (p.returncode, p.stderr.decode()[-500:]))
    out = p.stdout.decode("utf-8", "replace").split("\n")
    if out and out[-1] == "":
        out.pop()
    if len(out) != len(test):
        raise RuntimeError("fasttext predict-prob: %d lines for %d documents" % (len(out), len(test)))
    scores = [parse_ft_prob(l) for l in out]
    size = os.path.getsize(model + ".bin")
    for f in (trf, tef, model + ".bin", model + ".vec"):
        if os.path.exists(f):
            os.remove(f)
    shown = ["fasttext", "supervised", "-input", "train.txt", "-output", "model"] + cmd[6:]
    return dict(scores=scores, train_s=train_s, score_s=score_s, size=size,
                params=" ".join(shlex.quote(x) for x in shown))


# ------------------------------------------------------------- extension

SQL_TRAIN = "SELECT quality_train(text, label, :opts) FROM train"
SQL_SCORE_SUM = "SELECT sum(quality_classify(text, :model)) FROM test"
SQL_BASELINE = "SELECT sum(length(text)) FROM test"
SQL_SCORES = "SELECT id, label, quality_classify(text, :model) FROM test ORDER BY id"


def open_db(lib, train, test):
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(lib)
    db.enable_load_extension(False)
    for tbl, rows in (("train", train), ("test", test)):
        db.execute("CREATE TABLE %s(id TEXT PRIMARY KEY, text TEXT NOT NULL, label INTEGER NOT NULL)" % tbl)
        db.executemany("INSERT INTO %s(id, text, label) VALUES (?, ?, ?)" % tbl, [(i, t, l) for i, t, l, _ in rows])
    db.commit()
    missing = [f for f in ("quality_train", "quality_classify")
               if not db.execute("SELECT 1 FROM pragma_function_list WHERE name = ?", (f,)).fetchone()]
    if missing:
        raise RuntimeError("%s: no function %s" % (lib, ", ".join(missing)))
    return db


def best(db, sql, params, runs):
    b = None
    v = None
    for _ in range(runs):
        t0 = time.perf_counter()
        v = db.execute(sql, params).fetchone()[0]
        dt = time.perf_counter() - t0
        b = dt if b is None else min(b, dt)
    return b, v


def run_extension(db, opts, test, runs):
    t0 = time.perf_counter()
    model = db.execute(SQL_TRAIN, {"opts": opts}).fetchone()[0]
    train_s = time.perf_counter() - t0
    if not isinstance(model, bytes):
        raise RuntimeError("quality_train returned %s, not a BLOB" % type(model).__name__)
    score_s, total = best(db, SQL_SCORE_SUM, {"model": model}, runs)
    rows = db.execute(SQL_SCORES, {"model": model}).fetchall()
    ids = [r[0] for r in rows]
    if ids != [r[0] for r in test]:
        raise RuntimeError("quality_classify rows do not match the test set")
    nulls = sum(1 for r in rows if r[2] is None or r[2] != r[2])
    scores = [0.5 if (r[2] is None or r[2] != r[2]) else float(r[2]) for r in rows]
    out = dict(scores=scores, train_s=train_s, score_s=score_s, size=len(model), params=opts, nulls=nulls)
    s = sum(scores)
    if total is not None and abs(float(total) - s) > 1e-6 * max(1.0, abs(s)) and not nulls:
        out["note"] = "sum(quality_classify) %.9g differs from the per-row scores %.9g" % (total, s)
    return out


# ------------------------------------------------------------------ report

def row(task, method, ntrain, ntest, labels, res, test_mb):
    if res is None:
        return [task, method, str(ntrain), str(ntest), "-", "-", "-", "-", "-", "-"]
    sc = res.get("scores")
    acc = "%.4f" % accuracy(labels, sc) if sc else "-"
    a = "%.4f" % auc(labels, sc) if sc else "-"
    tr = "%.2f" % res["train_s"] if res.get("train_s") is not None else "-"
    dps = "%.0f" % (ntrain / res["train_s"]) if res.get("train_s") else "-"
    mbs = "%.1f" % (test_mb / res["score_s"]) if res.get("score_s") else "-"
    size = res.get("size")
    sz = "-" if size is None else ("%.1f MB" % (size / 1e6) if size >= 1e5 else "%.1f KB" % (size / 1e3))
    return [task, method, str(ntrain), str(ntest), acc, a, tr, dps, mbs, sz]


def print_table(rows, notes):
    head = ["task", "method", "train", "test", "accuracy", "AUC", "train s", "docs/s", "score MB/s", "model"]
    rows = [head] + rows
    w = [max(len(r[c]) for r in rows) for c in range(len(head))]
    print()
    for r in rows:
        print("  ".join(r[c].ljust(w[c]) if c < 2 else r[c].rjust(w[c]) for c in range(len(head))).rstrip())
    for n in notes:
        print(n)


# --------------------------------------------------------------- self-test

def self_test():
    fails = []

    def check(name, got, want, tol=1e-12):
        ok = (abs(got - want) <= tol) if isinstance(want, float) else got == want
        print("  %-4s %s: %r%s" % ("ok" if ok else "FAIL", name, got, "" if ok else " (want %r)" % (want,)))
        if not ok:
            fails.append(name)

    print("AUC (Mann-Whitney with ties), hand-checked:")
    # perfect: every positive above every negative
    check("perfect", auc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]), 1.0)
    check("reversed", auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]), 0.0)
    check("all tied", auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]), 0.5)
    # pairs (p,n): (.5,.5)=.5 (.5,.3)=1 (.7,.5)=1 (.7,.3)=1 -> 3.5/4
    check("one tie", auc([1, 1, 0, 0], [0.5, 0.7, 0.5, 0.3]), 0.875)
    # pos {.8,.4,.4}, neg {.4,.2}: .8>both =2; .4 vs .4 tie .5, .4>.2 1; twice -> 2+1.5+1.5 = 5/6
    check("ties 5/6", auc([1, 1, 1, 0, 0], [0.8, 0.4, 0.4, 0.4, 0.2]), 5.0 / 6.0)
    # pos {1,3}, neg {2,4}: 1<2,1<4,3>2,3<4 -> 1/4
    check("interleaved", auc([1, 0, 1, 0], [1.0, 2.0, 3.0, 4.0]), 0.25)
    # three tied at 0.5 (1 pos, 2 neg) and one pos at 0.9, neg at 0.1:
    # pos .9 beats 3 negs = 3; pos .5: tie, tie, beats .1 -> 2; total 5/6
    check("tie block", auc([1, 1, 0, 0, 0], [0.9, 0.5, 0.5, 0.5, 0.1]), 5.0 / 6.0)
    check("one class", auc([1, 1], [0.3, 0.4]) != auc([1, 1], [0.3, 0.4]), True)
    r = random.Random(7)
    ok = True
    for _ in range(200):
        n = r.randint(2, 40)
        labels = [r.randint(0, 1) for _ in range(n)]
        labels[0], labels[1] = 0, 1
        scores = [r.choice([0.0, 0.25, 0.5, 0.75, 1.0]) for _ in range(n)]
        if abs(auc(labels, scores) - auc_pairs(labels, scores)) > 1e-12:
            ok = False
    check("rank form = pair form on 200 random cases with ties", ok, True)

    print("accuracy at 0.5:")
    # right: 1@.5, 0@.49; wrong: 1@.2, 0@.9, 0@.5 (0.5 counts as label 1)
    check("p >= 0.5 is label 1", accuracy([1, 0, 1, 0, 0], [0.5, 0.49, 0.2, 0.9, 0.5]), 0.4)

    print("split (blake2b-64 of the id, 0 or 1 mod 10 is test):")
    ids = ["doc/%d" % i for i in range(20000)]
    frac = sum(map(is_test, ids)) / len(ids)
    check("test fraction of 20000 ids in [0.19, 0.21]", 0.19 <= frac <= 0.21, True)
    check("stable", [is_test(i) for i in ids[:50]] == [h64(i) % 10 < 2 for i in ids[:50]], True)
    check("h64('sotu/1906_theodore_roosevelt_r.txt'), fixed value",
          h64("sotu/1906_theodore_roosevelt_r.txt"), 14094066132335091397)
    check("... so it is a train document", is_test("sotu/1906_theodore_roosevelt_r.txt"), False)

    print("fastText format and predict-prob parsing:")
    check("line", ft_line("a\r\nb\nc __label__0 d"), "a  b c __lbl__0 d")
    check("both labels", parse_ft_prob("__label__0 0.75 __label__1 0.25"), 0.25, 1e-12)
    check("label 1 first", parse_ft_prob("__label__1 0.9 __label__0 0.1"), 0.9, 1e-12)
    check("only label 0", parse_ft_prob("__label__0 0.8"), 0.2, 1e-12)
    check("clipped", parse_ft_prob("__label__1 1.00001 __label__0 1e-05"), 1.0, 1e-12)
    check("empty line", parse_ft_prob(""), 0.5)

    print("synthesisers:")
    paras = "Alpha beta gamma delta.\n\nEpsilon zeta eta theta iota.\n\nKappa lambda mu.\n\nNu xi omicron pi rho."
    check("units: paragraphs", units(paras), (paras.split("\n\n"), "\n\n"))
    check("units: lines", units("a b\nc d\ne f"), (["a b", "c d", "e f"], "\n"))
    sents = " ".join("S%d w." % i for i in range(9))
    check("units: 4-sentence groups", units(sents)[0], ["S0 w. S1 w. S2 w. S3 w.", "S4 w. S5 w. S6 w. S7 w.", "S8 w."])
    sh = synth_shuffle(paras, random.Random(1))
    check("shuffle keeps the words of each unit",
          [sorted(u.split()) for u in sh.split("\n\n")], [sorted(u.split()) for u in paras.split("\n\n")])
    check("shuffle is deterministic", sh, synth_shuffle(paras, random.Random(1)))
    cut = synth_cut(paras, random.Random(2))
    cl = [l for l in cut.split("\n") if l]
    check("cut: 1-6 words a line", all(1 <= len(l.split()) <= 6 for l in cl), True)
    check("cut: only donor words, some dropped",
          all(w in paras.split() for w in cut.split()) and len(cut.split()) <= len(paras.split()), True)
    mx = synth_mixed(paras, random.Random(3), ["SPAM LINE one", "SPAM LINE two"])
    check("mixed: every unit kept, in order",
          [l for l in mx.split("\n") if l in paras.split("\n\n")], paras.split("\n\n"))
    check("mixed: junk around", len(mx.split("\n")) >= 4 + 4, True)
    pg = make_pages([("a", "x" * 10), ("b", "y" * 10), ("c", "z" * 10), ("d", "w" * 3)], [15], "t")
    check("pages: consecutive, no overlap", [p[0] for p in pg], ["t-page:a+2", "t-page:c+2"])

    print("self-test: %s" % ("%d failed: %s" % (len(fails), ", ".join(fails)) if fails else "all passed"))
    return 1 if fails else 0


# -------------------------------------------------------------------- main

FASTTEXT_DEFAULT = ["", "-epoch 25 -lr 1.0 -dim 10"]


def by_kind(test, scores):
    """Accuracy at 0.5 per source or kind of the test documents."""
    acc = {}
    for (_, _, l, k), s in zip(test, scores):
        c = acc.setdefault((l, k), [0, 0])
        c[0] += (s >= 0.5) == (l == 1)
        c[1] += 1
    return " ".join("%s %.2f/%d" % (k, c[0] / c[1], c[1]) for (l, k), c in sorted(acc.items(), key=lambda x: (-x[0][0], x[0][1])))


def main():
    ap = argparse.ArgumentParser(description="quality_train/quality_classify next to fastText (figures only)")
    ap.add_argument("lib", nargs="?", help="the extension without suffix, e.g. dist/corpus")
    ap.add_argument("--corpora", default=os.environ.get("CORPORA_DIR", "/tmp/corpora"))
    ap.add_argument("--options", action="append", default=None,
                    help="quality_train options; repeat to sweep (default: 'seed=S')")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--task", choices=["easy", "hard", "all"], default="all")
    ap.add_argument("--limit", type=int, default=None, help="at most N documents of each curated corpus")
    ap.add_argument("--max-chars", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3, help="scoring and baseline queries: best of N")
    ap.add_argument("--fasttext-args", action="append", default=None,
                    help="extra fasttext supervised arguments (later ones win); repeat to sweep; "
                         "default: '' and %r" % FASTTEXT_DEFAULT[1])
    ap.add_argument("--fasttext-only", action="store_true")
    ap.add_argument("--no-fasttext", action="store_true")
    ap.add_argument("--by-kind", action="store_true", help="also print the test accuracy per source or kind")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()

    if a.self_test:
        return self_test()
    if not a.fasttext_only and not a.lib:
        ap.error("LIB is required (or --fasttext-only, --self-test)")
    if a.fasttext_only and a.no_fasttext:
        ap.error("--fasttext-only and --no-fasttext leave nothing to run")
    if a.runs < 1 or a.max_chars < 1 or (a.limit is not None and a.limit < 1):
        ap.error("--runs, --max-chars and --limit must be positive")
    for n in CURATED + NOISY:
        if not os.path.exists(os.path.join(a.corpora, n + ".jsonl")):
            ap.error("%s/%s.jsonl not found" % (a.corpora, n))

    opts_list = [(o + " seed=%d" % a.seed).strip() if "seed=" not in o else o for o in (a.options or [""])]
    ft_list = a.fasttext_args if a.fasttext_args is not None else FASTTEXT_DEFAULT
    ft = None
    if not a.no_fasttext:
        ft = find_fasttext()
    tmp = tempfile.mkdtemp(prefix="classifier-bench-")
    atexit.register(shutil.rmtree, tmp, True)

    print("seed %d; corpora %s; max chars %d; limit %s; python sqlite %s" % (
        a.seed, a.corpora, a.max_chars, a.limit if a.limit is not None else "none", sqlite3.sqlite_version))
    t0 = time.perf_counter()
    C = Corpora(a.corpora, a.max_chars, a.limit, a.seed)
    tasks = ["easy", "hard"] if a.task == "all" else [a.task]
    table, notes = [], []
    status = 0

    def add(task, method, train, test, labels, res, test_mb, note):
        table.append(row(task, method, len(train), len(test), labels, res, test_mb))
        notes.append("  %s %s: %s" % (task, method, note))
        if a.by_kind and res is not None and res.get("scores"):
            notes.append("  %s %s: by kind: %s" % (task, method, by_kind(test, res["scores"])))

    for task in tasks:
        tb = time.perf_counter()
        data = build_easy(C, a.seed) if task == "easy" else build_hard(C, a.seed)
        train, test = split(data, a.seed)
        describe(task, train, test)
        print("  built in %.1f s" % (time.perf_counter() - tb), flush=True)
        labels = [r[2] for r in test]
        test_mb = nbytes(r[1] for r in test) / 1e6

        if not a.no_fasttext:
            for k, extra in enumerate(ft_list):
                m = "fasttext" if len(ft_list) == 1 else "fasttext#%d" % (k + 1)
                if not ft:
                    add(task, m, train, test, labels, None, test_mb, "not installed")
                    status = 1
                    continue
                try:
                    res = run_fasttext(ft, train, test, a.seed, shlex.split(extra), tmp)
                    add(task, m, train, test, labels, res, test_mb,
                        res["params"] + " (score time includes loading the model)")
                except Exception as e:  # noqa: BLE001 - report and go on
                    add(task, m, train, test, labels, None, test_mb, "error: %s" % e)
                    status = 1

        if not a.fasttext_only:
            try:
                db = open_db(a.lib, train, test)
            except Exception as e:  # noqa: BLE001
                db = None
                add(task, "quality", train, test, labels, None, test_mb, "error: %s" % e)
                status = 1
            if db is not None:
                bs, _ = best(db, SQL_BASELINE, {}, a.runs)
                add(task, "length()", train, test, labels, dict(score_s=bs), test_mb,
                    "baseline scan, " + SQL_BASELINE)
                for k, opts in enumerate(opts_list):
                    m = "quality" if len(opts_list) == 1 else "quality#%d" % (k + 1)
                    try:
                        res = run_extension(db, opts, test, a.runs)
                        add(task, m, train, test, labels, res, test_mb, "options '%s'%s%s" % (
                            opts,
                            "; %d NULL/NaN scores counted as 0.5" % res["nulls"] if res["nulls"] else "",
                            "; " + res["note"] if res.get("note") else ""))
                    except Exception as e:  # noqa: BLE001
                        add(task, m, train, test, labels, None, test_mb, "options '%s': error: %s" % (opts, e))
                        status = 1
                db.close()
    print_table(table, notes)
    print("total %.1f s" % (time.perf_counter() - t0))
    return status


if __name__ == "__main__":
    sys.exit(main())
