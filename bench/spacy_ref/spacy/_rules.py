"""Load spaCy's English (and multi-language "xx") tokenizer DATA from a spaCy source tree.

The data files are executed as they are, as modules of a private package whose parent
packages are empty (so spacy/lang/en/__init__.py, which needs thinc, never runs), with
two small stand-ins for what they import from outside spacy/lang:
  ..symbols  ORTH, NORM (attribute ids: only used as dict keys here)
  ...util    update_exc (spacy/util.py: validate, merge, add the ’ variants)
The patterns are then compiled exactly as spacy/util.py compile_*_regex do, with the
BaseDefaults choices of spacy/language.py: token_match None, url_match URL_MATCH.
English overrides only the infixes and the exceptions (spacy/lang/en/__init__.py).
"""

import ast
import importlib
import os
import re
import sys
import types

ORTH = "ORTH"
NORM = "NORM"

_PKG = "_spacy_ref_src"


def update_exc(base_exceptions, *addition_dicts):
    exc = dict(base_exceptions)
    for additions in addition_dicts:
        for orth, token_attrs in additions.items():
            if not all(isinstance(attr[ORTH], str) for attr in token_attrs):
                raise ValueError(f"[E055] Invalid tokenizer exception: ORTH values of {orth!r} must be strings")
            described = "".join(attr[ORTH] for attr in token_attrs)
            if orth != described:
                raise ValueError(f"[E056] Invalid tokenizer exception: key {orth!r} vs ORTH {described!r}")
        exc.update(additions)
    return _expand_exc(exc, "'", "\u2019")


def _expand_exc(excs, search, replace):
    new_excs = dict(excs)
    for token_string, tokens in excs.items():
        if search in token_string:
            fixed = []
            for t in tokens:
                t = dict(t)
                t[ORTH] = t[ORTH].replace(search, replace)
                fixed.append(t)
            new_excs[token_string.replace(search, replace)] = fixed
    return new_excs


def _package(name, path):
    mod = types.ModuleType(name)
    mod.__path__ = [path]
    mod.__package__ = name
    sys.modules[name] = mod
    return mod


def _import_data(src):
    """Import the five data modules from <src>/spacy/lang (once per process)."""
    root = os.path.join(src, "spacy")
    if not os.path.isfile(os.path.join(root, "lang", "en", "tokenizer_exceptions.py")):
        raise RuntimeError(f"spacy stand-in: {src!r} is not a spaCy source tree (no spacy/lang/en)")
    loaded = sys.modules.get(_PKG)
    if loaded is not None:
        if loaded.__path__ != [root]:
            raise RuntimeError("spacy stand-in: rules already loaded from another tree")
    else:
        _package(_PKG, root)
        _package(_PKG + ".lang", os.path.join(root, "lang"))
        _package(_PKG + ".lang.en", os.path.join(root, "lang", "en"))
        sym = types.ModuleType(_PKG + ".symbols")
        sym.ORTH, sym.NORM = ORTH, NORM
        sys.modules[sym.__name__] = sym
        util = types.ModuleType(_PKG + ".util")
        util.update_exc = update_exc
        sys.modules[util.__name__] = util
    names = ["lang.char_classes", "lang.punctuation", "lang.tokenizer_exceptions",
             "lang.en.punctuation", "lang.en.tokenizer_exceptions"]
    return {n: importlib.import_module(f"{_PKG}.{n}") for n in names}


def sentencizer_punct_chars(src):
    """Sentencizer.default_punct_chars, read from spacy/pipeline/sentencizer.pyx."""
    with open(os.path.join(src, "spacy", "pipeline", "sentencizer.pyx"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"default_punct_chars\s*=\s*(\[.*?\])", text, re.S)
    if not m:
        raise RuntimeError("spacy stand-in: default_punct_chars not found in sentencizer.pyx")
    return ast.literal_eval(m.group(1))


def _compile_prefix(entries):
    return re.compile("|".join(["^" + piece for piece in entries if piece.strip()]))


def _compile_suffix(entries):
    return re.compile("|".join([piece + "$" for piece in entries if piece.strip()]))


def _compile_infix(entries):
    return re.compile("|".join([piece for piece in entries if piece.strip()]))


def load(src, lang):
    m = _import_data(src)
    base_p = m["lang.punctuation"]
    if lang == "en":
        exceptions = m["lang.en.tokenizer_exceptions"].TOKENIZER_EXCEPTIONS
        infixes = m["lang.en.punctuation"].TOKENIZER_INFIXES
    elif lang == "xx":
        exceptions = m["lang.tokenizer_exceptions"].BASE_EXCEPTIONS
        infixes = base_p.TOKENIZER_INFIXES
    else:
        raise NotImplementedError(lang)
    prefixes, suffixes = base_p.TOKENIZER_PREFIXES, base_p.TOKENIZER_SUFFIXES
    return {
        "exceptions": exceptions,
        "prefix_search": _compile_prefix(prefixes).search if prefixes else None,
        "suffix_search": _compile_suffix(suffixes).search if suffixes else None,
        "infix_finditer": _compile_infix(infixes).finditer if infixes else None,
        "token_match": None,
        "url_match": m["lang.tokenizer_exceptions"].URL_MATCH,
        "sentencizer_punct_chars": sentencizer_punct_chars(src),
    }
