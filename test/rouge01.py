"""rouge_l() and rouge_n() against test/rouge_ref.py (a plain reading of
Google's rouge-score 0.1.2 with its defaults), value for value, on random
pairs of real sentences.

    /usr/bin/python3 test/rouge01.py LIB SEED [PAIRS]       the check
    /usr/bin/python3 test/rouge01.py --reference SEED [PAIRS]  the same
        against rouge_ref itself, registered as SQL functions (no extension)
    /usr/bin/python3 test/rouge01.py --pairs SEED N DBFILE  writes N pairs
        to the table pairs(id, kind, target, prediction) of DBFILE (for
        bench/rouge.tcl), and checks nothing

The sentences are the repository's own English prose, docs/*.md and
README.md (code blocks and tables left out), and the non-English texts of
test/data/lang/sample.tsv: text that is committed, so a clean checkout can
run this; a seed replays the same pairs on the same checkout (edit the
docs and the sentences change).  The pairs, in random order and each
either way round:

  identical    a sentence and itself
  unrelated    two sentences drawn at random
  neighbours   two sentences that follow each other in a document
  near         a sentence and a copy edited 1-5 times: words dropped,
               swapped, duplicated, replaced, inserted, a span reversed;
               case changed; punctuation added, words joined by "-", "_",
               "'" or nothing; digits; non-ASCII: U+0130 (İ), U+212A
               (Kelvin sign), accented letters, combining marks,
               fullwidth letters, ligatures, an emoji, NBSP and other
               Unicode spaces, curly quotes and dashes; runs of whitespace
  span         a sentence and a run of its words
  long         a paragraph (3-8 sentences) and an edited copy or another
  repeat       few distinct words repeated (the n-gram counts' min, the
               LCS with many equal tokens)
  other-lang   a text of sample.tsv (Latin, Greek, Cyrillic, CJK, ...) and
               an edited copy or another text
  empty        one side or both empty, white space or punctuation only,
               or nothing but non-ASCII

and first a fixed list of cases (FIXED) whatever the seed.  For each pair
rouge_l(t, p [, 'measure=f|precision|recall']) and rouge_n(t, p, n [, ...])
for n = 1, 2, 3 and one n in 4..9 must EQUAL the reference's fmeasure,
precision and recall (==: both make the same double operations).  The
first differences are printed with the texts and their tokens; the last
line is "P pairs, V values, D differ, K non-trivial" where K counts the
pairs whose reference rougeL F is strictly between 0 and 1.
"""
import glob
import os
import random
import re
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rouge_ref  # noqa: E402

ROOT = os.path.dirname(HERE)

# ---------------------------------------------------------------- sentences

SENT_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9`(\"*\[])")


def doc_paragraphs():
    """The paragraphs of docs/*.md and README.md: (file, [sentences])."""
    files = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    files.append(os.path.join(ROOT, "README.md"))
    out = []
    for path in files:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        # leave out fenced code blocks
        text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.S | re.M)
        para = []
        for line in text.split("\n") + [""]:
            s = line.strip()
            if (not s or s.startswith("|") or s.startswith("<")
                    or line.startswith("    ") or s.startswith("#")):
                if para:
                    out.append((os.path.relpath(path, ROOT), " ".join(para)))
                    para = []
                if s.startswith("#"):
                    h = s.lstrip("#").strip()
                    if len(h.split()) >= 3:
                        out.append((os.path.relpath(path, ROOT), h))
                continue
            s = re.sub(r"^([-*+]|\d+\.)\s+", "", s)   # list markers
            para.append(s)
    paras = []
    for path, p in out:
        sents = [s.strip() for s in SENT_SPLIT.split(p)]
        sents = [s for s in sents if 3 <= len(s.split()) <= 80]
        if sents:
            paras.append((path, sents))
    return paras


def lang_texts():
    path = os.path.join(ROOT, "test", "data", "lang", "sample.tsv")
    if not os.path.exists(path):
        return []
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 3 and cols[0] != "en" and cols[2].strip():
                out.append(cols[2])
    return out


# ---------------------------------------------------------------- edits

ACCENTS = {"a": "áàâäãå", "e": "éèêë", "i": "íìîï", "o": "óòôöõø",
           "u": "úùûü", "n": "ñ", "c": "ç", "s": "š", "z": "ž",
           "A": "ÁÀÂÄÅ", "E": "ÉÈÊË", "O": "ÓÖØ", "U": "ÚÜ", "N": "Ñ", "C": "Ç"}
PUNCT = [",", ".", ";", ":", "!", "?", "'s", ")", "\"", "...", "--", "/",
         "\u2019s", "\u201d", "\u2026", "\u2014"]
PREFIX = ["(", "\"", "'", "\u201c", "\u00ab", "#", "$", "*", "`", "["]
JOINERS = ["-", "_", "'", "", "/", ".", "\u2014", "\u00b7", "\u2019", "+"]
SPACES = [" ", "  ", "\t", "\n", " \n\n ", "\u00a0", "\u2003", "\u3000",
          "\u200b", "\u2028", "\r\n", " \u00a0 ", "\u0085", "\x0b", "\x0c"]
NUMBERS = ["2026", "3.14", "1,000", "v2", "10x", "0", "42nd", "1e9", "x86_64",
           "\u0663", "\u00bd", "\u00b2", "\uff11\uff12", "\u2167", "12:30",
           "99%", "#7", "U+0130", "0x1F"]
NONASCII_WORDS = ["\u0130stanbul", "\u0130", "\u212a", "\u212aelvin",
                  "caf\u00e9", "cafe\u0301", "na\u00efve", "\uff21\uff22\uff23",
                  "\ufb01nd", "\u1e9e", "stra\u00dfe", "\u03a3\u039f\u03a6\u0399\u0391",
                  "\u00c5ngstr\u00f6m", "\u212b", "\u2126", "\U0001f600",
                  "\U0001d400\U0001d401", "\u01c5", "\u24b6", "\u0131",
                  "\u00e6", "\u0153uvre", "\u0628\u064a\u062a", "\u4e2d\u6587"]
EMPTIES = ["", " ", "\t", "\n\n", "   \u00a0 ", "...", "\u2014", "!!! ???",
           "\u0307", "\u00e9\u00e8", "\u03a9\u03bc\u03ad\u03b3\u03b1",
           "\U0001f600\U0001f600", "\u3000", "-- / --", "_", "\u00a0", "\u200b",
           "\u00c9T\u00c9", "\u2167 \u00bd"]


def upper_first(w):
    return w[:1].upper() + w[1:]


def mixed_case(rng, w):
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in w)


def nonascii_in(rng, w):
    """w with one character made non-ASCII, when it has a candidate."""
    idx = [i for i, c in enumerate(w) if c in "iIkK" or c in ACCENTS]
    if not idx:
        return w + rng.choice(["\u0301", "\u00e9", "\u212a", "\u0130"])
    i = rng.choice(idx)
    c = w[i]
    if c in "iI" and rng.random() < 0.6:
        r = "\u0130"              # lower(): "i" + U+0307
    elif c in "kK" and rng.random() < 0.7:
        r = "\u212a"              # lower(): "k"
    elif c in ACCENTS and rng.random() < 0.8:
        r = rng.choice(ACCENTS[c])
    elif c.isalpha() and c.isascii():
        r = rng.choice([chr(0xFF21 + ord(c.upper()) - 65),   # fullwidth
                        c + "\u0301", c + "\u0308"])          # combining
    else:
        r = c
    return w[:i] + r + w[i + 1:]


def edit_once(rng, words, pool):
    """One random edit of the list of words (changed in place)."""
    if not words:
        words.append(rng.choice(pool))
        return
    n = len(words)
    i = rng.randrange(n)
    op = rng.choice(["drop", "drop", "drop_run", "swap", "swap", "dup",
                     "replace", "insert", "reverse", "case", "case",
                     "punct", "punct", "join", "join", "digits", "nonascii",
                     "nonascii", "nonascii_word", "space", "move"])
    if op == "drop":
        del words[i]
    elif op == "drop_run":
        k = rng.randint(1, max(1, n // 3))
        del words[i:i + k]
    elif op == "swap" and n > 1:
        j = min(i + 1, n - 1) if i < n - 1 else i - 1
        words[i], words[j] = words[j], words[i]
    elif op == "dup":
        words.insert(i, words[i])
    elif op == "replace":
        words[i] = rng.choice(pool)
    elif op == "insert":
        words.insert(i, rng.choice(pool))
    elif op == "reverse":
        k = rng.randint(2, 6)
        words[i:i + k] = words[i:i + k][::-1]
    elif op == "move" and n > 2:
        w = words.pop(i)
        words.insert(rng.randrange(len(words) + 1), w)
    elif op == "case":
        f = rng.choice([str.upper, str.lower, upper_first, str.swapcase,
                        lambda w: mixed_case(rng, w)])
        for j in range(i, min(n, i + rng.randint(1, 4))):
            words[j] = f(words[j])
    elif op == "punct":
        if rng.random() < 0.6:
            words[i] = words[i] + rng.choice(PUNCT)
        else:
            words[i] = rng.choice(PREFIX) + words[i]
    elif op == "join" and n > 1 and i < n - 1:
        words[i:i + 2] = [words[i] + rng.choice(JOINERS) + words[i + 1]]
    elif op == "digits":
        num = rng.choice(NUMBERS)
        r = rng.random()
        if r < 0.5:
            words.insert(i, num)
        elif r < 0.75:
            words[i] = words[i] + num
        else:
            words[i] = num
    elif op == "nonascii":
        words[i] = nonascii_in(rng, words[i])
    elif op == "nonascii_word":
        words.insert(i, rng.choice(NONASCII_WORDS))
    elif op == "space":
        # a space of another kind before word i (joined back below)
        words[i] = rng.choice(SPACES).strip(" ") + words[i] if i else words[i]


def edited(rng, text, pool, lo=1, hi=5):
    words = text.split()
    for _ in range(rng.randint(lo, hi)):
        edit_once(rng, words, pool)
    out = ""
    for k, w in enumerate(words):
        if k:
            out += rng.choice(SPACES) if rng.random() < 0.05 else " "
        out += w
    r = rng.random()
    if r < 0.05:
        out = rng.choice(SPACES) + out
    elif r < 0.10:
        out = out + rng.choice(SPACES)
    return out


# ---------------------------------------------------------------- pairs

FIXED = [
    ("", ""), ("a", ""), ("", "a"), ("  ", "\t\n"), ("...", "a"), ("a", "..."),
    ("The quick brown fox", "the fox"),
    ("The quick brown fox jumps over the lazy dog",
     "The quick brown dog jumps on the log."),
    ("testing one two", "testing"), ("testing one two", "testing one"),
    ("testing one two", "testing two"),
    ("\u0130stanbul", "i stanbul"), ("\u0130STANBUL", "istanbul"),
    ("B\u0130R \u0130K\u0130", "bi r i ki"), ("\u212aelvin", "kelvin"),
    ("KELVIN", "\u212aELVIN"), ("\u212a \u212a \u212a", "k k"),
    ("caf\u00e9", "caf"), ("caf\u00e9", "cafe\u0301"), ("na\u00efve", "na ve"),
    ("\uff21\uff22\uff23 abc", "abc"), ("x_y", "x y"), ("don't", "don t"),
    ("\ufb01nd find", "nd find"), ("\u1e9e \u00df ss", "ss"),
    ("\u03a3\u0391\u03a3 a", "\u03c3\u03b1\u03c2 a"), ("\u0663\u0664 34", "34"),
    ("2026-12-01", "2026 12 01"), ("a\U0001f600b", "a b"),
    ("a\u00a0b\u3000c\u2003d", "a b c d"), ("\u01c4 \u01c5 dz", "dz"),
    ("the the the", "the"), ("the", "the the the"), ("a b a b", "b a b a"),
    ("a a a b", "a b b"), ("A" * 1000, "a" * 1000), ("a " * 300, "a " * 299 + "b"),
    ("\u0131 I i", "i"), ("\u2126 \u212b \u2160", "x"), ("Hello, World!", "hello world"),
    ("one two three four five", "five four three two one"),
    ("x" + "\u0307" * 5 + "y", "x y"), ("\u24b6\u24b7 ab", "ab"),
]


def make_pair(rng, paras, sents, others, pool):
    kind = rng.choices(
        ["identical", "unrelated", "neighbours", "near", "span", "long",
         "repeat", "other-lang", "empty"],
        weights=[8, 16, 8, 38, 6, 5, 4, 7, 8])[0]
    if kind == "identical":
        s = rng.choice(sents)
        t, p = s, s
    elif kind == "unrelated":
        t, p = rng.choice(sents), rng.choice(sents)
    elif kind == "neighbours":
        cands = [q for q in paras if len(q[1]) > 1]
        _, ss = rng.choice(cands)
        i = rng.randrange(len(ss) - 1)
        t, p = ss[i], ss[i + 1]
    elif kind == "near":
        s = rng.choice(sents)
        t, p = s, edited(rng, s, pool)
        if rng.random() < 0.15:
            t = edited(rng, s, pool)
    elif kind == "span":
        s = rng.choice(sents)
        w = s.split()
        i = rng.randrange(len(w))
        j = rng.randint(i + 1, len(w))
        t, p = s, " ".join(w[i:j])
    elif kind == "long":
        _, ss = rng.choice(paras)
        k = rng.randint(3, 8)
        if len(ss) >= k:
            i = rng.randrange(len(ss) - k + 1)
            t = " ".join(ss[i:i + k])
        else:
            t = " ".join(rng.choice(sents) for _ in range(k))
        if rng.random() < 0.7:
            p = edited(rng, t, pool, 2, 12)
        else:
            p = " ".join(rng.choice(sents) for _ in range(k))
    elif kind == "repeat":
        w = rng.choice(sents).split()
        vocab = rng.sample(w, min(len(w), rng.randint(1, 4)))
        t = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 30)))
        p = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 30)))
    elif kind == "other-lang":
        s = rng.choice(others) if others else rng.choice(sents)
        r = rng.random()
        if r < 0.5:
            t, p = s, edited(rng, s, pool)
        elif r < 0.8:
            t, p = s, rng.choice(others) if others else rng.choice(sents)
        else:
            t, p = s, rng.choice(sents)
    else:
        r = rng.random()
        if r < 0.4:
            t, p = rng.choice(EMPTIES), rng.choice(sents)
        elif r < 0.7:
            t, p = rng.choice(EMPTIES), rng.choice(EMPTIES)
        else:
            t, p = rng.choice(EMPTIES), rng.choice(EMPTIES) + " " + rng.choice(["a", "the", "x1"])
    if rng.random() < 0.5:
        t, p = p, t
    return kind, t, p


def make_pairs(seed, n):
    paras = doc_paragraphs()
    sents = [s for _, ss in paras for s in ss]
    others = lang_texts()
    if len(sents) < 100:
        sys.exit("rouge01.py: only %d sentences found under %s/docs" % (len(sents), ROOT))
    pool = sorted({w for s in sents for w in s.split()})
    rng = random.Random(seed)
    pairs = [make_pair(rng, paras, sents, others, pool) for _ in range(n)]
    return pairs, len(sents), len(others)


# ---------------------------------------------------------------- checks

MEASURES = [(None, 2), ("f", 2), ("precision", 0), ("recall", 1)]


def query(ns):
    cols = []
    for m, _ in MEASURES:
        cols.append("rouge_l(:t, :p%s)" % ("" if m is None else ", 'measure=%s'" % m))
    for n in ns:
        for m, _ in MEASURES:
            cols.append("rouge_n(:t, :p, %d%s)" % (n, "" if m is None else ", 'measure=%s'" % m))
    return cols


def register_reference(con):
    """rouge_l and rouge_n made of rouge_ref, for trying this script out
    without the extension (LIB given as --reference)."""
    def pick(s, options):
        m = {None: 2, "measure=f": 2, "measure=precision": 0, "measure=recall": 1}
        return float(s[m[options]])
    con.create_function("rouge_l", 2, lambda t, p: pick(rouge_ref.rouge_l(t, p), None))
    con.create_function("rouge_l", 3, lambda t, p, o: pick(rouge_ref.rouge_l(t, p), o))
    con.create_function("rouge_n", 3, lambda t, p, n: pick(rouge_ref.rouge_n(t, p, n), None))
    con.create_function("rouge_n", 4, lambda t, p, n, o: pick(rouge_ref.rouge_n(t, p, n), o))


def cut(s, n=600):
    return s if len(s) <= n else s[:n] + "... (%d characters)" % len(s)


def check(lib, seed, npairs):
    print("rouge01: seed", seed)
    con = sqlite3.connect(":memory:")
    if lib == "--reference":
        register_reference(con)
    else:
        con.enable_load_extension(True)
        con.load_extension(lib)
    t0 = time.time()
    pairs, nsent, nother = make_pairs(seed, npairs)
    print("rouge01: %d random pairs from %d sentences of docs/*.md and README.md "
          "and %d texts of test/data/lang/sample.tsv, and %d fixed pairs"
          % (npairs, nsent, nother, len(FIXED)))
    allpairs = [("fixed", t, p) for t, p in FIXED] + pairs
    rng = random.Random(seed ^ 0x5EED)
    values = differ = differ_pairs = nontrivial = nonreal = 0
    kinds = {}
    by_function = {}
    shown = 0
    for idx, (kind, t, p) in enumerate(allpairs):
        extra = rng.randint(4, 9)
        ns = [1, 2, 3, extra]
        cols = query(ns)
        got = con.execute("SELECT " + ", ".join(cols), {"t": t, "p": p}).fetchone()
        refs = [rouge_ref.rouge_l(t, p)] + [rouge_ref.rouge_n(t, p, n) for n in ns]
        want = [ref[k] for ref in refs for _, k in MEASURES]
        f = refs[0].fmeasure
        k = kinds.setdefault(kind, [0, 0, 0])
        k[0] += 1
        if 0 < f < 1:
            nontrivial += 1
            k[1] += 1
        elif f == 1:
            k[2] += 1
        bad = []
        for sql, g, w in zip(cols, got, want):
            values += 1
            if not isinstance(g, float):
                nonreal += 1
            if g != w:
                bad.append((sql, g, w))
                fn = re.sub(r"\(:t, :p(, (\d))?.*", lambda m: "_" + (m.group(2) or "l"), sql)
                fn = fn.replace("rouge_l_l", "rouge_l").replace("rouge_n_", "rouge_n n=")
                by_function[fn] = by_function.get(fn, 0) + 1
        differ += len(bad)
        if bad:
            differ_pairs += 1
        if bad and shown < 3:
            shown += 1
            where = ("fixed case %d" % idx if kind == "fixed"
                     else "pair %d (%s) of SEED=%d" % (idx - len(FIXED), kind, seed))
            print("DIFFER %s:" % where)
            print("  target:     %s" % cut(repr(t)))
            print("  prediction: %s" % cut(repr(p)))
            print("  target tokens:     %s" % cut(repr(rouge_ref.tokenize(t))))
            print("  prediction tokens: %s" % cut(repr(rouge_ref.tokenize(p))))
            for sql, g, w in bad:
                print("  %-44s extension %-22r reference %r" % (sql, g, w))
    for kind in sorted(kinds):
        n, nt, one = kinds[kind]
        print("  %-11s %5d pairs: rougeL F in (0,1) %5d, F = 1 %5d" % (kind, n, nt, one))
    if differ:
        print("  %d pairs differ; values that differ, by function and n: %s"
              % (differ_pairs, ", ".join("%s %d" % kv for kv in sorted(by_function.items()))))
    if nonreal:
        print("note: %d values were not REAL" % nonreal)
    print("rouge01: %.1f s" % (time.time() - t0))
    print("%d pairs, %d values, %d differ, %d non-trivial"
          % (len(allpairs), values, differ, nontrivial))


def write_pairs(seed, n, dbfile):
    pairs, nsent, nother = make_pairs(seed, n)
    if os.path.exists(dbfile):
        os.remove(dbfile)
    con = sqlite3.connect(dbfile)
    con.execute("CREATE TABLE pairs(id INTEGER PRIMARY KEY, kind TEXT, target TEXT, prediction TEXT)")
    con.executemany("INSERT INTO pairs(kind, target, prediction) VALUES (?, ?, ?)", pairs)
    con.commit()
    con.close()
    print("%d pairs from %d sentences and %d other-language texts, seed %d"
          % (n, nsent, nother, seed))


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "--pairs":
        write_pairs(int(a[1]), int(a[2]), a[3])
    elif len(a) in (2, 3) and (a[0] == "--reference" or not a[0].startswith("-")):
        check(a[0] if a[0] == "--reference" else os.path.abspath(a[0]), int(a[1]), int(a[2]) if len(a) == 3 else 1000)
    else:
        sys.exit(__doc__)
