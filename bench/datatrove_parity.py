#!/usr/bin/python3
"""How often does quality_reject agree with datatrove's real filter classes?

    /usr/bin/python3 bench/datatrove_parity.py --lib dist/corpus \\
        --datatrove-src /tmp/datatrove/src --spacy-src /tmp/spacy [--seed 1] \\
        [--limit man-en=1500 ...] [--opts c4="c4.min_words_per_line=3" ...] [--rules c4,fineweb]

Compares, document by document, the extension's `quality_reject(text, 'rules=<set> ...')`
(NULL = keep) with datatrove 0.10's GopherQualityFilter, GopherRepetitionFilter,
C4QualityFilter and FineWebQualityFilter at their default settings (language "en"), and
prints per corpus and rule set: agreement, drop rates on each side, and the disagreements
counted by (our reason, datatrove reason) with example ids.

Sources (exported outside the repo; nothing of them is committed here), from clones of
https://github.com/huggingface/datatrove and https://github.com/explosion/spaCy
(git clone --bare URL DIR; DATATROVE_GIT and SPACY_GIT below are those DIRs):
  --datatrove-src  src/ of a datatrove checkout:
      git --git-dir=$DATATROVE_GIT archive HEAD src \\
        ':(exclude)src/datatrove/assets/url_filterblacklistsv0_3_0.tar.gz' | tar -x -C /tmp/datatrove
  --spacy-src      a spaCy source tree, for the English tokenizer rules that
      bench/spacy_ref (a plain-Python stand-in for spaCy's tokenizer + sentencizer) loads:
      git --git-dir=$SPACY_GIT archive HEAD spacy | tar -x -C /tmp/spacy
  --datatrove-git, --spacy-git  (default $DATATROVE_GIT, $SPACY_GIT): only to print the
      commits compared against.
Corpora: JSONL from scripts/corpora.sh ($CORPORA_DIR, default /tmp/corpora).
The /tmp paths are examples and defaults only.
datatrove's Python needs: apt-get install python3-numpy python3-regex python3-loguru
python3-fsspec python3-humanize.
"""

import argparse
import collections
import datetime
import importlib.abc
import importlib.machinery
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
RULE_SETS = ["gopher_quality", "gopher_repetition", "c4", "fineweb"]

# group name -> (corpus file, id predicate, default sample size); about 5,000 in all
GROUPS = {
    "man-en": ("man.jsonl", lambda i: i.split("/")[1].startswith("man"), 1500),
    "man-de": ("man.jsonl", lambda i: i.split("/")[1] == "de", 400),
    "man-fr": ("man.jsonl", lambda i: i.split("/")[1] == "fr", 400),
    "man-es": ("man.jsonl", lambda i: i.split("/")[1] == "es", 200),
    "man-pl": ("man.jsonl", lambda i: i.split("/")[1] == "pl", 200),
    "man-ru": ("man.jsonl", lambda i: i.split("/")[1] == "ru", 200),
    "man-ja": ("man.jsonl", lambda i: i.split("/")[1] == "ja", 200),
    "spamassassin": ("spamassassin.jsonl", None, 1200),
    "sotu": ("sotu.jsonl", None, 233),
    "sqlite-doc": ("sqlite-doc.jsonl", None, 250),
    "pydoc": ("pydoc-3.11.jsonl", None, 200),
}


# ---------------------------------------------------------------- datatrove side

class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves empty placeholder modules for the given top-level packages.

    huggingface_hub is not packaged in Debian and PyPI is out of reach.  datatrove imports
    it at module level (datatrove.io, pipeline.writers.huggingface,
    filters.unigram_log_probs) for Hub file systems, asset downloads and Hub writers; the
    four filters measured here never call any of it (C4QualityFilter does not download
    anything: only C4BadWordsFilter does).  Any attribute is a dummy class, so the imports
    succeed and a real use would fail at once.
    """

    def __init__(self, roots):
        self.roots = set(roots)

    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in self.roots:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        mod = types.ModuleType(spec.name)
        mod.__path__ = []

        def getattr_(attr):
            if attr.startswith("__"):
                raise AttributeError(attr)
            return type(attr, (), {"__module__": spec.name})
        mod.__getattr__ = getattr_
        return mod

    def exec_module(self, module):
        pass


def load_datatrove(datatrove_src, spacy_src):
    sys.path.insert(0, os.path.join(HERE, "spacy_ref"))   # the spaCy stand-in comes first
    sys.path.insert(1, datatrove_src)
    import spacy
    if not getattr(spacy, "__version__", "").endswith("bench-standin"):
        raise SystemExit(f"expected the bench/spacy_ref stand-in, imported {spacy.__file__}")
    spacy.configure(spacy_src)
    sys.meta_path.insert(0, _StubFinder({"huggingface_hub"}))
    # SpaCyTokenizer imports this only to register a Japanese tokenizer fix (language "ja");
    # it needs srsly and most of spaCy.  Language "en" never uses it.
    ja = types.ModuleType("datatrove.utils.japanese_tokenizer")
    ja.JapaneseTokenizer = None
    sys.modules[ja.__name__] = ja
    from datatrove.utils import _import_utils
    # check_required_dependencies also asks importlib.metadata for a "spacy" distribution;
    # the stand-in is a plain directory on sys.path with no dist-info, so answer for it.
    real = _import_utils._is_distribution_available
    _import_utils._is_distribution_available = lambda n: True if n == "spacy" else real(n)
    from datatrove.data import Document
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter,
                                            GopherQualityFilter, GopherRepetitionFilter)
    filters = {
        "gopher_quality": GopherQualityFilter(),
        "gopher_repetition": GopherRepetitionFilter(),
        "c4": C4QualityFilter(),
        "fineweb": FineWebQualityFilter(),
    }
    return Document, filters


def datatrove_decision(Document, flt, doc_id, text):
    """None = keep, else the reason datatrove gives (or 'EXC:<type>' if it raised)."""
    try:
        res = flt.filter(Document(text=text, id=doc_id))   # C4 rewrites doc.text: fresh doc
    except Exception as e:  # noqa: BLE001 - counted and shown, never hidden
        return f"EXC:{type(e).__name__}"
    if isinstance(res, tuple):
        keep, reason = res
    else:
        keep, reason = res, None
    return None if keep else (reason or "dropped")


# ---------------------------------------------------------------- sample

def load_sample(corpora_dir, limits, seed):
    rng = random.Random(seed)
    sample = []
    cache = {}
    for group, (fname, pred, _default) in GROUPS.items():
        n = limits[group]
        if n <= 0:
            continue
        path = os.path.join(corpora_dir, fname)
        if not os.path.exists(path):
            print(f"# {group}: {path} missing, skipped")
            continue
        if path not in cache:
            with open(path, encoding="utf-8") as f:
                cache[path] = [json.loads(line) for line in f]
        docs = [d for d in cache[path] if d.get("text") and (pred is None or pred(d["id"]))]
        docs.sort(key=lambda d: d["id"])
        picked = docs if len(docs) <= n else rng.sample(docs, n)
        sample.extend((group, d["id"], d["text"]) for d in picked)
    return sample


# ---------------------------------------------------------------- report

def git_head(git_dir):
    if not git_dir:
        return "unknown (no git directory given)"
    try:
        return subprocess.run(["git", "--git-dir", git_dir, "log", "-1", "--format=%H %cs %s"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        return f"unknown ({e})"


def report(rule, sample, ours, theirs, n_examples):
    by_group = collections.OrderedDict()
    for k, (group, doc_id, _text) in enumerate(sample):
        by_group.setdefault(group, []).append(k)
    by_group["ALL"] = list(range(len(sample)))
    print(f"\n=== rules={rule}")
    print(f"{'corpus':14} {'docs':>5} {'agree%':>7} {'ours drop%':>10} {'dt drop%':>9} {'disagree':>8}")
    for group, ks in by_group.items():
        n = len(ks)
        agree = sum(1 for k in ks if (ours[k] is None) == (theirs[k] is None))
        od = sum(1 for k in ks if ours[k] is not None)
        td = sum(1 for k in ks if theirs[k] is not None)
        print(f"{group:14} {n:5} {100 * agree / n:7.2f} {100 * od / n:10.2f} {100 * td / n:9.2f} {n - agree:8}")
    pairs = collections.OrderedDict()
    for k, (group, doc_id, _t) in enumerate(sample):
        if (ours[k] is None) != (theirs[k] is None):
            key = (ours[k] or "KEEP", theirs[k] or "KEEP")
            pairs.setdefault(key, []).append((group, doc_id))
    if pairs:
        print("disagreements by (ours, datatrove):")
        for (o, t), items in sorted(pairs.items(), key=lambda kv: -len(kv[1])):
            per = collections.Counter(g for g, _ in items)
            ex = ", ".join(i for _, i in items[:n_examples])
            print(f"  {len(items):5}  ours={o:28} datatrove={t:28} "
                  f"[{', '.join(f'{g}:{c}' for g, c in per.most_common())}]  e.g. {ex}")
    # same decision to drop, different first reason: shown for information
    same = collections.Counter((ours[k], theirs[k]) for k in range(len(sample))
                               if ours[k] is not None and theirs[k] is not None)
    if same:
        print("both drop (ours reason / datatrove reason): " +
              "; ".join(f"{o}/{t}:{c}" for (o, t), c in same.most_common(8)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", required=True, help="extension to load, e.g. dist/corpus")
    ap.add_argument("--datatrove-src", required=True, help="datatrove src/ directory")
    ap.add_argument("--spacy-src", required=True, help="spaCy source tree (holds spacy/lang)")
    ap.add_argument("--datatrove-git", default=os.environ.get("DATATROVE_GIT"),
                    help="datatrove's git directory, to print its commit")
    ap.add_argument("--spacy-git", default=os.environ.get("SPACY_GIT"),
                    help="spaCy's git directory, to print its commit")
    ap.add_argument("--corpora-dir", default=os.environ.get("CORPORA_DIR", "/tmp/corpora"))
    ap.add_argument("--seed", type=int, default=None, help="sample seed (random if omitted; printed)")
    ap.add_argument("--limit", action="append", default=[], metavar="GROUP=N",
                    help=f"documents per group (0 skips it); groups: {', '.join(GROUPS)}")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every default limit")
    ap.add_argument("--rules", default=",".join(RULE_SETS), help="rule sets to compare")
    ap.add_argument("--opts", action="append", default=[], metavar="SET=OPTIONS",
                    help="extra quality_reject options for one rule set, e.g. c4='c4.min_words_per_line=3'")
    ap.add_argument("--examples", type=int, default=3, help="example ids per disagreement pair")
    args = ap.parse_args()

    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    for r in rules:
        if r not in RULE_SETS:
            ap.error(f"unknown rule set {r!r} (valid: {', '.join(RULE_SETS)})")
    limits = {g: max(0, round(d * args.scale)) for g, (_f, _p, d) in GROUPS.items()}
    for item in args.limit:
        g, _, n = item.partition("=")
        if g not in GROUPS or not n.isdigit():
            ap.error(f"--limit {item!r}: want GROUP=N with GROUP in {', '.join(GROUPS)}")
        limits[g] = int(n)
    extra = {r: "" for r in RULE_SETS}
    for item in args.opts:
        r, _, o = item.partition("=")
        if r not in RULE_SETS:
            ap.error(f"--opts {item!r}: want SET=OPTIONS with SET in {', '.join(RULE_SETS)}")
        extra[r] = (extra[r] + " " + o).strip()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)

    print(f"# datatrove parity  {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}")
    print(f"# extension: {os.path.abspath(args.lib)}")
    print(f"# datatrove: {git_head(args.datatrove_git)}  (src {args.datatrove_src})")
    print(f"# spaCy rules: {git_head(args.spacy_git)}  (src {args.spacy_src}; bench/spacy_ref stand-in)")
    print(f"# corpora: {args.corpora_dir}  seed={seed}")

    Document, filters = load_datatrove(args.datatrove_src, args.spacy_src)
    sample = load_sample(args.corpora_dir, limits, seed)
    if not sample:
        raise SystemExit("no documents: build the corpora first (scripts/corpora.sh)")
    sizes = collections.Counter(g for g, _, _ in sample)
    chars = sum(len(t) for _, _, t in sample)
    print(f"# sample: {len(sample)} documents, {chars / 1e6:.1f} M characters: "
          + ", ".join(f"{g}={n}" for g, n in sizes.items()))
    n_isalpha = sum(1 for _, _, t in sample if "IS_ALPHA" in t)
    if n_isalpha:
        print(f"# note: {n_isalpha} documents contain 'IS_ALPHA', on which real spaCy raises and "
              "datatrove retries without it; the stand-in does not raise")

    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(args.lib)
    db.enable_load_extension(False)

    print(f"\n{'rule set':18} {'options':40} {'ours docs/s':>11} {'datatrove docs/s':>16}")
    results = {}
    for rule in rules:
        opts = f"rules={rule}" + (f" {extra[rule]}" if extra[rule] else "")
        t0 = time.perf_counter()
        ours = [db.execute("SELECT quality_reject(?, ?)", (text, opts)).fetchone()[0]
                for _, _, text in sample]
        t1 = time.perf_counter()
        flt = filters[rule]
        theirs = [datatrove_decision(Document, flt, doc_id, text) for _, doc_id, text in sample]
        t2 = time.perf_counter()
        results[rule] = (ours, theirs)
        print(f"{rule:18} {opts:40} {len(sample) / (t1 - t0):11.0f} {len(sample) / (t2 - t1):16.1f}",
              flush=True)
    for rule in rules:
        report(rule, sample, *results[rule], args.examples)


if __name__ == "__main__":
    main()
