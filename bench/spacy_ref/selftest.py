#!/usr/bin/python3
"""Run spaCy's own published tokenizer / sentencizer tests against the stand-in.

    /usr/bin/python3 bench/spacy_ref/selftest.py --spacy-src /tmp/spacy [-v]

--spacy-src is a spaCy source tree (git archive of explosion/spaCy, the directory that
holds spacy/).  Each test file under spacy/tests is read as it is; pytest is replaced by a
tiny shim (parametrize, param, fixture, raises, skip, marks), its top-level imports are
bound to the stand-in where it has the thing (English/blank/Tokenizer rules, Doc from
words, Sentencizer, BASE_EXCEPTIONS, TOKENIZER_PREFIXES, compile_*_regex) and to a
placeholder otherwise.  Every parametrized case is run and counted:
  pass, FAIL (assertion or wrong exception), unsupported (needs a spaCy API the stand-in
  does not have: vocab, lemmas, other languages, serialization ...), skip, xfail/xpass.
"""

import argparse
import ast
import itertools
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import spacy  # noqa: E402  (the stand-in)
from spacy import _rules  # noqa: E402

TEST_FILES = [
    "tokenizer/test_exceptions.py",
    "tokenizer/test_tokenizer.py",
    "tokenizer/test_urls.py",
    "tokenizer/test_whitespace.py",
    "tokenizer/test_naughty_strings.py",
    "tokenizer/test_explain.py",
    "lang/en/test_exceptions.py",
    "lang/en/test_prefix_suffix_infix.py",
    "lang/en/test_punct.py",
    "lang/en/test_text.py",
    "lang/en/test_tokenizer.py",
    "lang/en/test_indices.py",
    "lang/en/test_customized_tokenizer.py",
    "pipeline/test_sentencizer.py",
]


class Unsupported(Exception):
    pass


class Skip(Exception):
    pass


class Missing:
    """Placeholder for an import the stand-in does not provide."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr):
        raise Unsupported(f"{self._name}.{attr}")

    def __call__(self, *a, **k):
        raise Unsupported(f"{self._name}()")

    def __iter__(self):
        raise Unsupported(self._name)


# ---------------------------------------------------------------- pytest shim

class _Param:
    def __init__(self, values, marks=(), id=None):
        self.values = values
        self.marks = marks if isinstance(marks, (list, tuple)) else (marks,)
        self.id = id


class _MarkDecorator:
    def __init__(self, name, args=(), kwargs=None):
        self.name, self.args, self.kwargs = name, args, kwargs or {}

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs and (self.args or self.kwargs or
                                                                     isinstance(args[0], type(_Param.__init__))):
            f = args[0]
            f.__dict__.setdefault("_marks", []).append(self)
            return f
        return _MarkDecorator(self.name, args, kwargs)


class _Mark:
    def __getattr__(self, name):
        return _MarkDecorator(name)


class _Raises:
    def __init__(self, exc, match=None):
        self.exc, self.match = exc, match

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        if et is None:
            raise AssertionError(f"DID NOT RAISE {self.exc}")
        if et is Unsupported:
            return False
        return issubclass(et, self.exc)


class _Pytest:
    mark = _Mark()

    def __init__(self):
        self.fixtures = {}

    def param(self, *values, marks=(), id=None):
        return _Param(values, marks, id)

    def fixture(self, *args, **kwargs):
        def reg(f):
            self.fixtures[f.__name__] = f
            return f
        if len(args) == 1 and callable(args[0]):
            return reg(args[0])
        return reg

    def raises(self, exc, match=None):
        return _Raises(exc, match)

    def warns(self, *a, **k):
        return _Raises(BaseException)

    def skip(self, msg=""):
        raise Skip(msg)

    def importorskip(self, name, *a, **k):
        raise Skip(f"importorskip {name}")


# ---------------------------------------------------------------- stand-in namespace

class _Vocab:
    pass


def _doc_from_words(vocab, words=None, spaces=None, **kwargs):
    if kwargs or words is None:
        raise Unsupported("Doc(" + ", ".join(kwargs) + ")")
    if spaces is None:
        spaces = [True] * len(words)
    return spacy.Doc(list(words), list(spaces), spacy._offsets(words, spaces))


def _sentencizer(punct_chars=None, **kwargs):
    if kwargs:
        raise Unsupported("Sentencizer(" + ", ".join(kwargs) + ")")
    return spacy.Sentencizer(punct_chars or spacy._language_rules("en")["sentencizer_punct_chars"])


def _lang(code):
    def make(*a, **k):
        if a or k:
            raise Unsupported(f"Language {code}({a}, {k})")
        return spacy.Language(code)
    return make


def _get_lang_class(code):
    if code not in ("en", "xx"):
        raise Unsupported(f"get_lang_class({code!r})")
    return _lang(code)


def _provided(src):
    m = _rules._import_data(src)
    return {
        ("spacy.lang.en", "English"): _lang("en"),
        ("spacy.lang.xx", "MultiLanguage"): _lang("xx"),
        ("spacy.lang.tokenizer_exceptions", "BASE_EXCEPTIONS"): m["lang.tokenizer_exceptions"].BASE_EXCEPTIONS,
        ("spacy.lang.punctuation", "TOKENIZER_PREFIXES"): m["lang.punctuation"].TOKENIZER_PREFIXES,
        ("spacy.lang.punctuation", "TOKENIZER_SUFFIXES"): m["lang.punctuation"].TOKENIZER_SUFFIXES,
        ("spacy.lang.punctuation", "TOKENIZER_INFIXES"): m["lang.punctuation"].TOKENIZER_INFIXES,
        ("spacy.util", "compile_prefix_regex"): _rules._compile_prefix,
        ("spacy.util", "compile_suffix_regex"): _rules._compile_suffix,
        ("spacy.util", "compile_infix_regex"): _rules._compile_infix,
        ("spacy.util", "get_lang_class"): _get_lang_class,
        ("spacy.tokens", "Doc"): _doc_from_words,
        ("spacy.pipeline", "Sentencizer"): _sentencizer,
        ("spacy.symbols", "ORTH"): _rules.ORTH,
        ("spacy.symbols", "NORM"): _rules.NORM,
    }


def _bind_imports(tree, g, provided, shim):
    body = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            for a in node.names:
                name = a.asname or a.name.split(".")[0]
                if a.name == "pytest":
                    g[name] = shim
                elif a.name == "spacy":
                    g[name] = spacy
                elif a.name in ("re", "sys", "string", "numpy", "pickle"):
                    g[name] = __import__(a.name)
                else:
                    g[name] = Missing(a.name)
        elif isinstance(node, ast.ImportFrom):
            mod = ("." * node.level) + (node.module or "")
            for a in node.names:
                g[a.asname or a.name] = provided.get((mod, a.name), Missing(f"{mod}.{a.name}"))
        else:
            body.append(node)
    tree.body = body
    return tree


def _cases(func):
    marks = list(reversed(func.__dict__.get("_marks", [])))
    grids = []
    other = []
    for m in marks:
        if m.name == "parametrize":
            names, values = m.args[0], m.args[1]
            if isinstance(names, str):
                names = [n.strip() for n in names.split(",") if n.strip()]
            rows = []
            for v in values:
                pm = ()
                if isinstance(v, _Param):
                    pm, v = v.marks, v.values
                    if len(names) == 1:
                        v = v[0]
                vals = (v,) if len(names) == 1 else tuple(v)
                rows.append((dict(zip(names, vals)), [x.name for x in pm]))
            grids.append(rows)
        else:
            other.append(m.name)
    if not grids:
        yield {}, other
        return
    for combo in itertools.product(*grids):
        params, ms = {}, list(other)
        for p, pm in combo:
            params.update(p)
            ms.extend(pm)
        yield params, ms


def run_file(path, provided, verbose, out):
    shim = _Pytest()
    src = open(path, encoding="utf-8").read()
    g = {"__name__": "spacy_test_" + os.path.basename(path)[:-3], "__file__": path}
    tree = _bind_imports(ast.parse(src), g, provided, shim)
    stats = dict(passed=0, failed=0, unsupported=0, skipped=0, xfailed=0, xpassed=0)
    try:
        exec(compile(tree, path, "exec"), g)
    except Exception as e:  # a module-level statement needs something missing
        out.append((path, "<module>", "unsupported", repr(e)))
        stats["unsupported"] += 1
        return stats
    langs = {}

    def fixture(name):
        if name in ("tokenizer", "en_tokenizer"):
            code = "xx" if name == "tokenizer" else "en"
            if code not in langs:
                langs[code] = spacy.Language(code).tokenizer
            return langs[code]
        if name == "en_vocab":
            return _Vocab()
        if name in shim.fixtures:
            f = shim.fixtures[name]
            return f(*[fixture(a) for a in f.__code__.co_varnames[:f.__code__.co_argcount]])
        raise Unsupported(f"fixture {name}")

    for fname, func in list(g.items()):
        if not fname.startswith("test_") or not isinstance(func, type(main)):
            continue
        argnames = func.__code__.co_varnames[:func.__code__.co_argcount]
        for params, marks in _cases(func):
            label = f"{fname}[{', '.join(repr(v)[:40] for v in params.values())}]"
            if "skip" in marks or "skipif" in marks:
                stats["skipped"] += 1
                continue
            xfail = "xfail" in marks
            try:
                kwargs = {a: params[a] if a in params else fixture(a) for a in argnames}
                func(**kwargs)
                outcome, detail = ("xpassed" if xfail else "passed"), ""
            except Skip as e:
                outcome, detail = "skipped", str(e)
            except (Unsupported, NotImplementedError) as e:
                outcome, detail = "unsupported", f"{type(e).__name__}: {e}"
            except AttributeError as e:
                outcome, detail = "unsupported", f"AttributeError: {e}"
            except Exception as e:
                outcome = "xfailed" if xfail else "failed"
                tb = traceback.extract_tb(e.__traceback__)[-1]
                detail = f"{type(e).__name__}: {str(e)[:200]} (line {tb.lineno}: {tb.line})"
            stats[outcome] += 1
            if outcome in ("failed", "xpassed", "unsupported") or verbose:
                out.append((path, label, outcome, detail))
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spacy-src", required=True, help="spaCy source tree (holds spacy/)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every case")
    args = ap.parse_args()
    spacy.configure(args.spacy_src)
    provided = _provided(args.spacy_src)
    total = dict(passed=0, failed=0, unsupported=0, skipped=0, xfailed=0, xpassed=0)
    details = []
    print(f"{'file':45} {'pass':>5} {'FAIL':>5} {'unsup':>5} {'skip':>5} {'xfail':>5} {'xpass':>5}")
    for rel in TEST_FILES:
        path = os.path.join(args.spacy_src, "spacy", "tests", rel)
        if not os.path.exists(path):
            print(f"{rel:45} (missing)")
            continue
        st = run_file(path, provided, args.verbose, details)
        for k in total:
            total[k] += st[k]
        print(f"{rel:45} {st['passed']:5} {st['failed']:5} {st['unsupported']:5} "
              f"{st['skipped']:5} {st['xfailed']:5} {st['xpassed']:5}")
    print(f"{'TOTAL':45} {total['passed']:5} {total['failed']:5} {total['unsupported']:5} "
          f"{total['skipped']:5} {total['xfailed']:5} {total['xpassed']:5}")
    for outcome in ("failed", "xpassed", "unsupported", "passed", "skipped", "xfailed"):
        rows = [d for d in details if d[2] == outcome]
        if rows:
            print(f"\n-- {outcome} ({len(rows)})")
            for path, label, _, detail in rows:
                rel = os.path.relpath(path, os.path.join(args.spacy_src, "spacy", "tests"))
                print(f"  {rel}::{label}  {detail}")
    print(f"\n{total['passed']} passed, {total['failed']} failed")
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
