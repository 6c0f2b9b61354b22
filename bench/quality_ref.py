#!/usr/bin/python3
"""Parity harness for the quality filters (quality_signals, quality_reject).

    /usr/bin/python3 bench/quality_ref.py LIB CORPUS.jsonl... [--limit N] [--seed S]
        [--tokens ours|nltk] [--opts 'gopher.min_words=100 ...'] [--ref-only]
    /usr/bin/python3 bench/quality_ref.py --self-test

LIB is the extension without its suffix (dist/corpus); a CORPUS is JSONL, one
{"id","text"} object a line.  --limit N takes a seeded random sample of N
documents per corpus (--seed, default 1, is printed).  Standard library only;
--tokens nltk needs Debian's python3-nltk.

What it measures.  Below is a plain, slow reference of every signal of the
spec of ext/quality.c (signals(), the rule decision reject()), written the way
datatrove writes GopherQualityFilter, GopherRepetitionFilter, C4QualityFilter
and FineWebQualityFilter.  Per corpus it prints: for each signal, how many
documents differ between the extension and the reference (integers exactly,
reals to a relative 1e-9), the worst case and the first 3 ids; for each rule
evaluated alone (from each side's own signals and the same threshold) the
drop rates and agreement; per rule set the keep rates (the extension's from
quality_reject(t, 'rules=SET')); the agreement of the first failing rule.
--ref-only skips the extension and prints the reference's distributions and
keep rates; with --tokens nltk it also compares the reference with our tokens
against the reference with NLTK's.  Figures only, never a verdict: exit 0
(non-zero only on a usage or setup error).

Documented differences from datatrove (the spec's choices, reproduced here):
- Tokens are white-space chunks with the punctuation (P*, S*) at their ends
  split off, a mark a token ("..." one), the rest of a chunk a word (cut at
  characters of scripts without spaces), not NLTK's word_tokenize: "don't"
  stays whole (NLTK: do n't), quotes stay " (NLTK: `` ''), "e.g." is e.g .
  Recent datatrove tokenizes English with spaCy, older versions with NLTK.
- Words (mean_word_length, the word count) are tokens with a character that
  is not P*/S*; datatrove's: not in its PUNCTUATION_SET.
- dup_Ngram: n-grams compared token by token, a duplicate counts the sum of
  its tokens' lengths (datatrove joins with "", so "ab","c" equals "a","bc").
- C4: TFDS defaults (5 words a line, 3 sentences; datatrove 3 and 5);
  sentences by a punctuation rule, not punkt; citation digits are ASCII;
  counting goes on after a page drop (datatrove returns at once); a page
  drop that is off is not checked, its line goes on down the chain.
- An empty denominator gives 0 (datatrove divides by zero or takes a mean of
  nothing).
- Python 3.11's unicodedata is Unicode 14.0, utf8proc 2.8 is 15.0: characters
  new in 15.0 are separators here and may be word characters in the extension.
- --tokens nltk: no punkt data, so the whole text goes through
  NLTKWordTokenizer (datatrove tokenizes sentence by sentence): a period that
  ends a sentence inside the text stays on its word ("He left. The end."
  gives He left. The end .).  Words are tokens with a character whose
  category is not P* or S* (datatrove: not in PUNCTUATION_SET).
"""
import argparse
import json
import math
import random
import re
import sqlite3
import sys
import time
import unicodedata
from collections import Counter

# ---- tokens -----------------------------------------------------------------

# solo_ranges of ext/text.c: scripts written without spaces, a word a character
SOLO_RANGES = [
    (0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x1980, 0x19DF),
    (0x19E0, 0x19FF), (0x1A20, 0x1AAF), (0x1B00, 0x1B7F), (0x2E80, 0x2FDF),
    (0x3005, 0x3007), (0x3021, 0x3029), (0x3038, 0x303C), (0x3040, 0x30FF),
    (0x3100, 0x312F), (0x3190, 0x31BF), (0x31F0, 0x31FF), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xA000, 0xA4CF), (0xA980, 0xA9DF), (0xA9E0, 0xA9FF),
    (0xAA60, 0xAA7F), (0xAA80, 0xAADF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F),
    (0x17000, 0x18AFF), (0x18D00, 0x18D7F), (0x1AFF0, 0x1B16F),
    (0x1B170, 0x1B2FF), (0x20000, 0x2FA1F), (0x30000, 0x323AF),
]

def is_solo(ch):
    return any(lo <= ord(ch) <= hi for lo, hi in SOLO_RANGES)

def is_punct(ch):
    return unicodedata.category(ch)[0] in "PS"

def edge_tokens(run):
    """A punctuation run at a chunk's edge: a mark a token, "..." one."""
    out, i = [], 0
    while i < len(run):
        k = 3 if run.startswith("...", i) else 1
        out.append(run[i:i + k])
        i += k
    return out

def middle_tokens(mid):
    """One word, cut around characters of scripts without spaces (each with
    the marks that follow it)."""
    out, start, i = [], 0, 0
    while i < len(mid):
        if is_solo(mid[i]):
            j = i + 1
            while j < len(mid) and unicodedata.category(mid[j])[0] == "M":
                j += 1
            if i > start:
                out.append(mid[start:i])
            out.append(mid[i:j])
            start = i = j
        else:
            i += 1
    if start < len(mid):
        out.append(mid[start:])
    return out

def tokens_ours(text):
    """(tokens, words): white-space chunks with the punctuation at their ends
    split off; words are the tokens with a character that is not P*/S*."""
    tokens, words = [], []
    for c in text.split():  # str.split() splits where isspace()
        i, j = 0, len(c)
        while i < j and is_punct(c[i]):
            i += 1
        while j > i and is_punct(c[j - 1]):
            j -= 1
        mid = middle_tokens(c[i:j]) if j > i else []
        tokens += edge_tokens(c[:i]) + mid + edge_tokens(c[j:])
        words += mid
    return tokens, words

_NLTK = None

def tokens_nltk(text):
    global _NLTK
    if _NLTK is None:
        from nltk.tokenize import NLTKWordTokenizer
        _NLTK = NLTKWordTokenizer()
    # datatrove's strip_strings: tokens stripped, empty ones dropped
    tokens = [t.strip() for t in _NLTK.tokenize(text) if t.strip()]
    words = [t for t in tokens if any(unicodedata.category(c)[0] not in "PS" for c in t)]
    return tokens, words

# ---- datatrove's helpers ------------------------------------------------------

def ratio(a, b):
    return a / b if b else 0.0

def find_duplicates(items):
    """(elements, chars) of the repeats; a first occurrence is not one."""
    seen, dup_elems, dup_chars = set(), 0, 0
    for x in items:
        if x in seen:
            dup_elems += 1
            dup_chars += len(x)
        else:
            seen.add(x)
    return dup_elems, dup_chars

def find_top_duplicate(ngrams):
    # most_common(1) is max(): among equal counts, the n-gram seen first
    gram, count = Counter(ngrams).most_common(1)[0]
    return len(gram) * count

def find_all_duplicate(tokens, n):
    # skip-n: after a repeated n-gram, jump past it so its tokens count once
    seen, chars, i = set(), 0, 0
    while i < len(tokens) - n + 1:
        gram = tuple(tokens[i:i + n])
        if gram in seen:
            chars += sum(len(t) for t in gram)
            i += n
        else:
            seen.add(gram)
            i += 1
    return chars

# ---- signals -----------------------------------------------------------------

STOP_WORDS = {"the", "be", "to", "of", "and", "that", "have", "with"}
CITATION = re.compile(r"\[[0-9]*\]|\[edit\]|\[citation needed\]")
POLICY = ["terms of use", "privacy policy", "cookie policy", "uses cookies",
          "use of cookies", "use cookies"]
# the spec names the c4_ keys in prose only: this is the order they come up in
SIGNALS = (
    "chars tokens words mean_word_length hash_ratio ellipsis_ratio lines "
    "bullet_lines_ratio ellipsis_lines_ratio alpha_words_ratio stop_words "
    "paragraphs dup_para_frac dup_para_chars rep_lines dup_line_frac "
    "dup_line_chars top_2gram top_3gram top_4gram dup_5gram dup_6gram dup_7gram "
    "dup_8gram dup_9gram dup_10gram c4_lines c4_kept_lines c4_sentences "
    "c4_long_word_lines c4_no_terminal_punct_lines c4_too_few_words_lines "
    "c4_javascript_lines c4_policy_lines c4_lorem_ipsum c4_curly_bracket "
    "fineweb_lines fineweb_punct_lines_ratio "
    "fineweb_short_lines_ratio fineweb_dup_line_chars fineweb_newline_ratio"
).split()
INT_SIGNALS = {"chars", "tokens", "words", "lines", "stop_words", "paragraphs",
               "rep_lines", "fineweb_lines"} | {k for k in SIGNALS if k.startswith("c4_")}

# a run of .!? then closing "')] then white space then the next character
SENTENCE_END = re.compile(r"""[.!?]+["')\]]*\s+(?=(\S))""")  # \s is str.isspace()

def count_sentences(line):
    """1 + the sentence ends followed by a character that is not lower case."""
    return 1 + sum(not m.group(1).islower() for m in SENTENCE_END.finditer(line))

def c4_lines(text, min_words, max_word_length, lorem=True, curly=True):
    c = dict.fromkeys([k for k in SIGNALS if k.startswith("c4_")], 0)
    first_drop = None  # which page drop came first, for reject()
    lines = text.splitlines()
    c["c4_lines"] = len(lines)
    for line in lines:
        line = line.strip()
        words = line.split()  # before the citations go, as datatrove does
        if max_word_length is not None and any(len(w) > max_word_length for w in words):
            c["c4_long_word_lines"] += 1
            continue
        line = CITATION.sub("", line)
        if not line.endswith((".", "?", "!", '"', "'")) or line.endswith("..."):
            c["c4_no_terminal_punct_lines"] += 1
            continue
        if len(words) < min_words:
            c["c4_too_few_words_lines"] += 1
            continue
        low = line.lower()
        # a page drop that is off is not checked (datatrove's filter_lorem_ipsum=False)
        if lorem and "lorem ipsum" in low:
            c["c4_lorem_ipsum"] = 1
            first_drop = first_drop or "c4:lorem_ipsum"
        elif "javascript" in low:
            c["c4_javascript_lines"] += 1
        elif curly and "{" in line:
            c["c4_curly_bracket"] = 1
            first_drop = first_drop or "c4:curly_bracket"
        elif any(p in low for p in POLICY):
            c["c4_policy_lines"] += 1
        else:
            c["c4_kept_lines"] += 1
            c["c4_sentences"] += count_sentences(line)
    return c, first_drop

def compute(text, cfg):
    """(signals in SIGNALS order, first C4 page drop or None)."""
    tokens, words = (tokens_nltk if cfg["tokens"] == "nltk" else tokens_ours)(text)
    s = {"chars": len(text), "tokens": len(tokens), "words": len(words)}
    s["mean_word_length"] = ratio(sum(len(w) for w in words), len(words))
    s["hash_ratio"] = ratio(text.count("#"), len(tokens))
    s["ellipsis_ratio"] = ratio(text.count("...") + text.count("…"), len(tokens))
    lines = text.splitlines()
    s["lines"] = len(lines)
    s["bullet_lines_ratio"] = ratio(sum(l.lstrip().startswith(("•", "-")) for l in lines), len(lines))
    s["ellipsis_lines_ratio"] = ratio(sum(l.rstrip().endswith(("...", "…")) for l in lines), len(lines))
    s["alpha_words_ratio"] = ratio(sum(any(c.isalpha() for c in t) for t in tokens), len(tokens))
    s["stop_words"] = sum(t in STOP_WORDS for t in tokens)

    paragraphs = re.split(r"\n{2,}", text.strip())
    n_dup, dup_chars = find_duplicates(paragraphs)
    s["paragraphs"] = len(paragraphs)
    s["dup_para_frac"] = ratio(n_dup, len(paragraphs))
    s["dup_para_chars"] = ratio(dup_chars, len(text))
    rep_lines = re.split(r"\n+", text)
    n_dup, dup_chars = find_duplicates(rep_lines)
    s["rep_lines"] = len(rep_lines)
    s["dup_line_frac"] = ratio(n_dup, len(rep_lines))
    s["dup_line_chars"] = ratio(dup_chars, len(text))
    for n in (2, 3, 4):
        ngrams = [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
        s[f"top_{n}gram"] = ratio(find_top_duplicate(ngrams), len(text)) if ngrams else 0.0
    for n in range(5, 11):
        s[f"dup_{n}gram"] = ratio(find_all_duplicate(tokens, n), len(text))

    c4, first_drop = c4_lines(text, cfg["c4.min_words_per_line"], cfg["c4.max_word_length"],
                              cfg["thr"]["c4:lorem_ipsum"] is not None,
                              cfg["thr"]["c4:curly_bracket"] is not None)
    s.update(c4)

    nl_lines = text.split("\n")
    s["fineweb_lines"] = len(nl_lines)
    s["fineweb_punct_lines_ratio"] = ratio(
        sum(l.endswith((".", "'", '"', "!", "?")) for l in nl_lines), len(nl_lines))
    s["fineweb_short_lines_ratio"] = ratio(sum(len(l) <= 30 for l in nl_lines), len(nl_lines))
    s["fineweb_dup_line_chars"] = ratio(
        find_duplicates([l for l in nl_lines if l.strip() != ""])[1], len(text.replace("\n", "")))
    s["fineweb_newline_ratio"] = ratio(text.count("\n"), len(tokens))
    assert list(s) == SIGNALS
    return s, first_drop

# ---- rules -------------------------------------------------------------------

def _rules():
    r = [("gopher_quality", "gopher:min_words", "words", "<", 50),
         ("gopher_quality", "gopher:max_words", "words", ">", 100000),
         ("gopher_quality", "gopher:min_mean_word_length", "mean_word_length", "<", 3),
         ("gopher_quality", "gopher:max_mean_word_length", "mean_word_length", ">", 10),
         ("gopher_quality", "gopher:hash_ratio", "hash_ratio", ">", 0.1),
         ("gopher_quality", "gopher:ellipsis_ratio", "ellipsis_ratio", ">", 0.1),
         ("gopher_quality", "gopher:bullet_lines", "bullet_lines_ratio", ">", 0.9),
         ("gopher_quality", "gopher:ellipsis_lines", "ellipsis_lines_ratio", ">", 0.3),
         ("gopher_quality", "gopher:alpha_words", "alpha_words_ratio", "<", 0.8),
         ("gopher_quality", "gopher:stop_words", "stop_words", "<", 2)]
    for name, thr in [("dup_para_frac", .3), ("dup_para_chars", .2), ("dup_line_frac", .3),
                      ("dup_line_chars", .2), ("top_2gram", .20), ("top_3gram", .18),
                      ("top_4gram", .16)] + [(f"dup_{n}gram", (20 - n) / 100) for n in range(5, 11)]:
        r.append(("gopher_repetition", "gopher:" + name, name, ">", thr))
    r += [("c4", "c4:lorem_ipsum", "c4_lorem_ipsum", ">", 0),  # page drops: flags
          ("c4", "c4:curly_bracket", "c4_curly_bracket", ">", 0),
          ("c4", "c4:too_few_sentences", "c4_sentences", "<", 3),
          ("fineweb", "fineweb:punct_lines", "fineweb_punct_lines_ratio", "<=", 0.12),
          ("fineweb", "fineweb:short_lines", "fineweb_short_lines_ratio", ">=", 0.67),
          ("fineweb", "fineweb:dup_line_chars", "fineweb_dup_line_chars", ">=", 0.01),
          ("fineweb", "fineweb:newline_ratio", "fineweb_newline_ratio", ">", 0.3)]
    return r

RULES = _rules()
SETS = ["gopher_quality", "gopher_repetition", "c4", "fineweb"]
OPS = {"<": lambda a, b: a < b, ">": lambda a, b: a > b,
       "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}

def parse_options(z):
    """The option syntax of ext/options.c: key=value separated by white space
    or commas, a value quoted '...' or "..." (quote doubled inside)."""
    out, pat = {}, re.compile(r"""[\s,]*([A-Za-z0-9_.]+)[ \t]*=[ \t]*"""
                              r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|[^\s,]+)""")
    pos, z = 0, z.strip(" \t\n\r\f\v,")
    while pos < len(z):
        m = pat.match(z, pos)
        if not m or m.group(1) in out:
            raise ValueError(f"bad or repeated option at {z[pos:pos + 40]!r}")
        v = m.group(2)
        if v[0] in "'\"":
            v = v[1:-1].replace(v[0] * 2, v[0])
        out[m.group(1)] = v
        pos = m.end()
        while pos < len(z) and z[pos] in " \t\n\r\f\v,":
            pos += 1
    return out

def make_config(opts="", tokens="ours"):
    cfg = {"tokens": tokens, "rules": list(SETS), "c4.min_words_per_line": 5,
           "c4.max_word_length": 1000, "thr": {r[1]: r[4] for r in RULES}}
    for k, v in parse_options(opts).items():
        if k == "rules":
            cfg["rules"] = [x.strip() for x in v.split(",")]
            if not set(cfg["rules"]) <= set(SETS):
                raise ValueError(f"unknown rule set in {v!r}")
        elif k in ("c4.min_words_per_line", "c4.max_word_length"):
            cfg[k] = None if v == "off" else int(v)
        elif k.replace(".", ":", 1) in cfg["thr"]:
            cfg["thr"][k.replace(".", ":", 1)] = None if v == "off" else float(v)
        else:
            raise ValueError(f"unknown option {k!r}")
    if cfg["c4.min_words_per_line"] is None:
        cfg["c4.min_words_per_line"] = 0
    return cfg

def rule_fails(rule, sig, cfg):
    """True/False, or None when the rule is off or its signal is missing."""
    _, name, key, op, _ = rule
    thr = cfg["thr"][name]
    if thr is None or key not in sig:
        return None
    return OPS[op](sig[key], thr)

def decide(sig, first_drop, cfg, sets):
    """First failing rule over the sets in order, None when all pass."""
    for st in sets:
        rules = [r for r in RULES if r[0] == st]
        if st == "c4" and first_drop == "c4:curly_bracket":
            rules[0], rules[1] = rules[1], rules[0]  # the earlier page drop wins
        for r in rules:
            if rule_fails(r, sig, cfg):
                return r[1]
    return None

def signals(text, opts=""):
    return compute(text, make_config(opts))[0]

def reject(text, opts=""):
    cfg = make_config(opts)
    sig, first_drop = compute(text, cfg)
    return decide(sig, first_drop, cfg, cfg["rules"])

# ---- the two sides -------------------------------------------------------------

class RefSide:
    def __init__(self, opts, tokens):
        self.cfg, self.name = make_config(opts, tokens), f"ref({tokens})"

    def run(self, raw):
        sig, first = compute(raw.decode("utf-8", "replace"), self.cfg)
        return (sig, decide(sig, first, self.cfg, self.cfg["rules"]),
                {st: decide(sig, first, self.cfg, [st]) for st in SETS})

class ExtSide:
    name = "ext"

    def __init__(self, lib, opts):
        self.db = sqlite3.connect(":memory:")
        self.db.enable_load_extension(True)
        self.db.load_extension(lib)
        arg = ", ?2" if opts else ""
        # per set: --opts without its rules= (a key may not appear twice)
        rest = "".join(f' {k}="{v.replace(chr(34), chr(34) * 2)}"'
                       for k, v in parse_options(opts).items() if k != "rules")
        per_set = ", ".join(f"quality_reject(t, '{('rules=' + st + rest).replace(chr(39), chr(39) * 2)}')"
                            for st in SETS)
        # the raw bytes go in as text, so the extension meets invalid UTF-8 itself
        self.sql = (f"SELECT quality_signals(t{arg}), quality_reject(t{arg}), {per_set} "
                    f"FROM (SELECT CAST(?1 AS TEXT) AS t)")
        self.args = (opts,) if opts else ()

    def run(self, raw):
        row = self.db.execute(self.sql, (raw,) + self.args).fetchone()
        return json.loads(row[0]), row[1], dict(zip(SETS, row[2:]))

# ---- harness -------------------------------------------------------------------

def load(path, limit, seed):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = [l for l in f if l.strip()]
    total = len(lines)
    if limit and limit < total:
        lines = [lines[i] for i in sorted(random.Random(seed).sample(range(total), limit))]
    docs = []
    for l in lines:
        d = json.loads(l)
        # a lone surrogate from a \ud800 escape becomes invalid UTF-8 bytes
        docs.append((str(d.get("id")), d["text"].encode("utf-8", "surrogatepass")))
    return docs, total

def differs(key, a, b):
    """0 when equal (reals to a relative 1e-9), else how far apart."""
    if a == b or (key not in INT_SIGNALS and math.isclose(a, b, rel_tol=1e-9)):
        return 0
    return abs(a - b) if key in INT_SIGNALS else abs(a - b) / max(abs(a), abs(b))

def fmt(v):
    return f"{v:.6g}" if isinstance(v, float) else str(v)

def pct(a, n):
    return f"{100.0 * a / n:6.2f}%" if n else "     -"

def distributions(results, n):
    print(f"  {'signal':28} {'mean':>10} {'p10':>10} {'p50':>10} {'p90':>10} {'max':>10}")
    for k in SIGNALS:
        v = sorted(r[0][k] for r in results)
        q = lambda p: v[min(n - 1, int(p * n))]
        print(f"  {k:28} {fmt(sum(v) / n):>10} {fmt(q(.1)):>10} {fmt(q(.5)):>10}"
              f" {fmt(q(.9)):>10} {fmt(v[-1]):>10}")
    print(f"  {'rule (alone)':28} {'drop':>8}")
    for r in RULES:
        print(f"  {r[1]:28} {pct(sum(bool(rule_fails(r, x[0], CFG)) for x in results), n):>8}")
    print("  rule set keep rate: " + "  ".join(
        f"{st} {pct(sum(x[2][st] is None for x in results), n).strip()}" for st in SETS))
    print(f"  all sets: keep {pct(sum(x[1] is None for x in results), n).strip()}; "
          "first failing rule: " + ", ".join(
              f"{k} {c}" for k, c in Counter(x[1] for x in results if x[1]).most_common()))

def compare(ids, left, right, n, lname, rname):
    print(f"  {'signal':28} {'differ':>7}  worst: id ({lname} / {rname}); first ids")
    bad = [(i, list(x[0])) for i, x in zip(ids, left) if list(x[0]) != SIGNALS]
    if bad:
        i, keys = bad[0]
        pos = next(j for j, (p, q) in enumerate(zip(keys + [None] * 99, SIGNALS + [None] * 99)) if p != q)
        print(f"  ! {len(bad)} documents whose keys are not the spec's list, e.g. {i}: missing "
              f"{[k for k in SIGNALS if k not in keys]}, extra {[k for k in keys if k not in SIGNALS]}, "
              f"first difference at #{pos}: {lname} {keys[pos:pos + 1]}, spec {SIGNALS[pos:pos + 1]}")
    for k in SIGNALS:
        diff = [(differs(k, a[0][k], b[0][k]), i, a[0][k], b[0][k])
                for i, a, b in zip(ids, left, right) if k in a[0]]
        diff = [d for d in diff if d[0]]
        line = f"  {k:28} {len(diff):7}"
        if diff:
            w = max(diff, key=lambda d: d[0])
            line += f"  {w[1]} ({fmt(w[2])} / {fmt(w[3])}); " + " ".join(d[1] for d in diff[:3])
        print(line)
    print(f"  {'rule (alone)':28} {lname + ' drop':>9} {rname + ' drop':>10} {'agree':>8}")
    for r in RULES:
        a = [rule_fails(r, x[0], CFG) for x in left]
        b = [rule_fails(r, x[0], CFG) for x in right]
        print(f"  {r[1]:28} {pct(sum(map(bool, a)), n):>9} {pct(sum(map(bool, b)), n):>10}"
              f" {pct(sum(p == q for p, q in zip(a, b)), n):>8}")
    print(f"  {'rule set (quality_reject)':28} {lname + ' keep':>9} {rname + ' keep':>10} "
          f"{'agree':>8} {'same rule':>9}")
    for st in SETS:
        a, b = [x[2][st] for x in left], [x[2][st] for x in right]
        print(f"  {st:28} {pct(a.count(None), n):>9} {pct(b.count(None), n):>10}"
              f" {pct(sum((p is None) == (q is None) for p, q in zip(a, b)), n):>8}"
              f" {pct(sum(p == q for p, q in zip(a, b)), n):>9}")
    a, b = [x[1] for x in left], [x[1] for x in right]
    print(f"  {'all sets (--opts rules)':28} {pct(a.count(None), n):>9} {pct(b.count(None), n):>10}"
          f" {pct(sum((p is None) == (q is None) for p, q in zip(a, b)), n):>8}"
          f" {pct(sum(p == q for p, q in zip(a, b)), n):>9}")
    pairs = Counter((p, q) for p, q in zip(a, b) if p != q)
    for (p, q), c in pairs.most_common(5):
        first = [i for i, x, y in zip(ids, a, b) if (x, y) == (p, q)][:3]
        print(f"    {lname} {p} / {rname} {q}: {c} ({' '.join(first)})")

def main(argv):
    global CFG
    ap = argparse.ArgumentParser(usage=__doc__.split("\n\n")[1])
    ap.add_argument("lib", nargs="?")
    ap.add_argument("corpora", nargs="*")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tokens", choices=["ours", "nltk"], default="ours")
    ap.add_argument("--opts", default="", help="options string for both sides")
    ap.add_argument("--ref-only", action="store_true")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()
    if not a.corpora:
        ap.error("LIB and at least one CORPUS.jsonl are needed")
    try:
        if a.tokens == "nltk":
            tokens_nltk("x")
        CFG = make_config(a.opts)
        right = RefSide(a.opts, a.tokens)
        # ref-only with nltk: our tokens against NLTK's, both in the reference
        left = (RefSide(a.opts, "ours") if a.tokens == "nltk" else None) if a.ref_only \
            else ExtSide(a.lib, a.opts)
    except ImportError:
        sys.exit("--tokens nltk: nltk is not importable; apt-get install python3-nltk")
    except (ValueError, sqlite3.Error) as e:
        sys.exit(f"error: {e}")
    print(f"quality_ref: lib {'(ref only)' if a.ref_only else a.lib}, tokens {a.tokens}, "
          f"opts {a.opts!r}, limit {a.limit or 'all'}, seed {a.seed}")
    for path in a.corpora:
        docs, total = load(path, a.limit, a.seed)
        n, ids = len(docs), [d[0] for d in docs]
        print(f"\n== {re.sub(r'[.]jsonl$', '', path.rsplit('/', 1)[-1])}: {n} of {total} "
              f"documents, {sum(len(d[1]) for d in docs) / 1e6:.2f} MB")
        if not n:
            continue
        t0 = time.time()
        rres = [right.run(d[1]) for d in docs]
        t1 = time.time()
        try:
            lres = [left.run(d[1]) for d in docs] if left else None
        except sqlite3.Error as e:
            sys.exit(f"error: {left.name}: {e}")
        print(f"  {right.name}: {t1 - t0:.1f} s" + (f"; {left.name}: {time.time() - t1:.1f} s" if left else ""))
        if a.ref_only:
            distributions(rres, n)
        if left:
            compare(ids, lres, rres, n, left.name, right.name)
    return 0

# ---- self-test: hand-checked values --------------------------------------------

def self_test():
    eq = lambda got, want: got == want or sys.exit(f"self-test: got {got!r}, want {want!r}")
    eq(tokens_ours("Hello, world... (test)"),
       (["Hello", ",", "world", "...", "(", "test", ")"], ["Hello", "world", "test"]))
    eq(tokens_ours("don't \"e-mail\" e.g. 3.14 ...wait!?"),
       (["don't", '"', "e-mail", '"', "e.g", ".", "3.14", "...", "wait", "!", "?"],
        ["don't", "e-mail", "e.g", "3.14", "wait"]))
    eq(tokens_ours("漢字abc"), (["漢", "字", "abc"],) * 2)
    eq(tokens_ours("กิน")[1], ["กิ", "น"])                      # mark stays with its solo
    eq(tokens_ours("漢\u0301a")[1], ["漢\u0301", "a"])
    eq(tokens_ours("a\u200bb\x1cc\u3000d")[0], ["a\u200bb", "c", "d"])  # Cf is no space
    eq(tokens_ours("x²½ ① ....."), (["x²½", "①", "...", ".", "."], ["x²½", "①"]))
    eq("a\r\nb\rc\x85d\u2028e\x1cf\n".splitlines(), list("abcdef"))
    eq(("".splitlines(), "a\n\nb".splitlines()), ([], ["a", "", "b"]))
    eq(find_duplicates(["a", "b", "a", "a", "bb", "bb"]), (3, 4))
    eq(find_all_duplicate("a b a b a b".split(), 2), 4)
    eq(find_all_duplicate("a b c a b c a b c".split(), 3), 6)
    eq(find_all_duplicate(["ab", "c", "a", "bc"], 2), 0)          # token by token, not "".join
    eq(find_top_duplicate(["x y", "aa bb", "x y", "aa bb"]), 6)   # tie: the first seen
    eq(count_sentences('Hello there. How are you? fine. "Yes." No'), 4)
    eq(count_sentences("Wait... What?! OK (yes.) Then 3. 4"), 5)
    eq(count_sentences("e.g. this. and that"), 1)
    eq(parse_options("rules='gopher_quality,c4' gopher.min_words = 100, c4.x=\"a\"\"b\""),
       {"rules": "gopher_quality,c4", "gopher.min_words": "100", "c4.x": 'a"b'})

    s = signals("- x\n• y\nz...\n## a # b")
    eq([s[k] for k in ("lines", "bullet_lines_ratio", "ellipsis_lines_ratio", "tokens")],
       [4, 0.5, 0.25, 11])
    eq((s["hash_ratio"], s["ellipsis_ratio"], s["words"], s["mean_word_length"]), (3 / 11, 1 / 11, 5, 1.0))
    s = signals("\n\na\n\n\nb\n\na\n")
    eq([s[k] for k in ("paragraphs", "dup_para_frac", "dup_para_chars")], [3, 1 / 3, 1 / 11])
    eq([s[k] for k in ("rep_lines", "dup_line_frac", "dup_line_chars")], [5, 2 / 5, 1 / 11])
    s = signals("Hi.\n\nHi.\n")
    eq([s[k] for k in SIGNALS[-5:]], [4, 0.5, 1.0, 0.5, 0.75])
    eq((s["top_2gram"], s["top_3gram"], s["dup_5gram"]), (8 / 9, 7 / 9, 0.0))
    c4doc = ("One two three four five.[1]\n"            # kept: 1 sentence (5 words)
             "Two words.\n"                             # too few words
             "No end mark here at all\n"
             "Ends in an ellipsis like this...\n"
             "Enable JavaScript to view this page.\n"
             "We use cookies on this site, see privacy policy.\n"
             "  Code looks like { this } here okay.  \n"
             "A. B! C? D e f.\n"                        # kept: 4 sentences
             "Lorem ipsum dolor sit amet.\n"
             + "x" * 1001 + " y z w v.")
    s = signals(c4doc)
    eq([s[k] for k in SIGNALS if k.startswith("c4_")], [10, 2, 5, 1, 2, 1, 1, 1, 1, 1])
    eq(reject(c4doc, "rules=c4"), "c4:curly_bracket")
    eq(reject(c4doc, "rules=c4 c4.curly_bracket=off"), "c4:lorem_ipsum")
    s = signals(c4doc, "c4.curly_bracket=off")  # the { line goes on, and is kept
    eq([s[k] for k in ("c4_curly_bracket", "c4_kept_lines", "c4_sentences")], [0, 3, 6])
    eq(signals(c4doc, "c4.min_words_per_line=2")["c4_too_few_words_lines"], 0)
    eq((reject(""), reject("", "rules=fineweb"), reject("", "rules='c4,gopher_repetition'")),
       ("gopher:min_words", "fineweb:punct_lines", "c4:too_few_sentences"))
    eq(reject("", "rules=gopher_repetition"), None)
    eq(reject("", "gopher.min_words=off gopher.min_mean_word_length=0"), "gopher:alpha_words")
    eq(signals("\udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"))["chars"], 3)
    try:
        eq(tokens_nltk("Hello, world... (test) don't")[0],
           ["Hello", ",", "world", "...", "(", "test", ")", "do", "n't"])
        print("self-test: ok (with nltk)")
    except ImportError:
        print("self-test: ok (nltk not importable, its mode untested)")
    return 0

CFG = make_config()

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
