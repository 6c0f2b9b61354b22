#!/usr/bin/python3
"""Writes ext/spacy_en_rules.h, the data of the spacy_en tokenizer, from the
rule files of a spaCy source checkout:

    /usr/bin/python3 tools/spacy_rules.py SPACY_SRC > ext/spacy_en_rules.h

SPACY_SRC is the root of a spaCy checkout (the directory holding spacy/).
Only its language data is read: spacy/lang/char_classes.py,
spacy/lang/punctuation.py, spacy/lang/en/punctuation.py,
spacy/lang/tokenizer_exceptions.py, spacy/lang/en/tokenizer_exceptions.py
(spacy.blank("en"): BaseDefaults' prefixes, suffixes and url_match, English
infixes and exceptions, no token_match) and the sentencizer's default
punctuation (spacy/pipeline/sentencizer.pyx).  The patterns are joined as
spacy/util.py's compile_prefix_regex, compile_suffix_regex and
compile_infix_regex join them, and rewritten from Python's re syntax into
PCRE2's (\\uXXXX and \\UXXXXXXXX become \\x{...}; the (?u) flag, Python's
default for str patterns, becomes PCRE2_UCP at compile time).

The output is data (MIT-licensed rules of spaCy, whose version and commit it
records), never spaCy's code.
"""
import ast
import importlib.util
import os
import re
import subprocess
import sys
import types

ORTH, NORM = 65, 67   # spacy.symbols' ids; only used as dictionary keys here


def update_exc(base, *additions):
    """spacy.util.update_exc: merge, check, add typographic apostrophes."""
    exc = dict(base)
    for add in additions:
        for orth, tokens in add.items():
            if "".join(t[ORTH] for t in tokens) != orth:
                raise ValueError("exception %r does not spell its key" % orth)
        exc.update(add)
    out = dict(exc)
    for key, tokens in exc.items():
        if "'" in key:
            fixed = []
            for t in tokens:
                t = dict(t)
                t[ORTH] = t[ORTH].replace("'", "\u2019")
                fixed.append(t)
            out[key.replace("'", "\u2019")] = fixed
    return out


def load(src):
    """Loads the five rule modules under stand-in packages."""
    for name in ("spacy", "spacy.lang", "spacy.lang.en"):
        mod = types.ModuleType(name)
        mod.__path__ = []
        sys.modules[name] = mod
    sym = types.ModuleType("spacy.symbols")
    sym.ORTH, sym.NORM = ORTH, NORM
    sys.modules["spacy.symbols"] = sym
    util = types.ModuleType("spacy.util")
    util.update_exc = update_exc
    sys.modules["spacy.util"] = util
    mods = {}
    for name in ("spacy.lang.char_classes", "spacy.lang.punctuation",
                 "spacy.lang.tokenizer_exceptions", "spacy.lang.en.punctuation",
                 "spacy.lang.en.tokenizer_exceptions"):
        path = os.path.join(src, *name.split(".")) + ".py"
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        mods[name] = mod
    return mods


def pcre(pattern):
    """Python re syntax to PCRE2 for the constructs these patterns use."""
    pattern = pattern.replace("(?u)", "")
    pattern = re.sub(r"\\u([0-9A-Fa-f]{4})", r"\\x{\1}", pattern)
    pattern = re.sub(r"\\U([0-9A-Fa-f]{8})",
                     lambda m: "\\x{%X}" % int(m.group(1), 16), pattern)
    if re.search(r"\\[uUN]|\(\?P|\(\?[aiLmsx]", pattern):
        raise ValueError("construct left to translate: %s" % pattern[:80])
    return pattern


def c_string(s):
    """A C string literal: printable ASCII as is, the rest in octal."""
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F and c != "?":   # no trigraphs
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def emit_string(name, value, width=72):
    """value as a sequence of literals of at most width bytes each."""
    print("static const char %s[] =" % name)
    parts, cur = [], ""
    for ch in value:
        if len((cur + ch).encode("utf-8")) > width:
            parts.append(cur)
            cur = ""
        cur += ch
    parts.append(cur)
    for i, p in enumerate(parts):
        print("  " + c_string(p) + (";" if i == len(parts) - 1 else ""))
    print()


def emit_array(name, items):
    """static const int32_t NAME = {items}, wrapped at 76 columns."""
    print("static const int32_t %s = {" % name)
    line = " "
    for it in items:
        item = " %s," % it
        if len(line) + len(item) > 76:
            print(line)
            line = " "
        line += item
    print(line)
    print("};")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src = sys.argv[1]
    mods = load(src)
    punct = mods["spacy.lang.punctuation"]
    en_punct = mods["spacy.lang.en.punctuation"]
    base_exc = mods["spacy.lang.tokenizer_exceptions"]
    en_exc = mods["spacy.lang.en.tokenizer_exceptions"]

    prefix = "|".join("^" + p for p in punct.TOKENIZER_PREFIXES if p.strip())
    suffix = "|".join(p + "$" for p in punct.TOKENIZER_SUFFIXES if p.strip())
    infix = "|".join(p for p in en_punct.TOKENIZER_INFIXES if p.strip())
    url = base_exc.URL_MATCH.__self__.pattern
    for p in (prefix, suffix, infix, url):
        re.compile(p)   # as spaCy compiles them

    # Suffixes are searched in the last SUFFIX_MAXLEN characters only, but
    # for a run of periods (the one unbounded suffix): check both facts.
    from re import _parser
    widths = []
    for piece in punct.TOKENIZER_SUFFIXES:
        if not piece.strip():
            continue
        hi = _parser.parse(piece).getwidth()[1]
        if hi >= _parser.MAXREPEAT:
            if piece != r"\.\.+":
                raise ValueError("unbounded suffix other than \\.\\.+: " + piece)
            continue
        if re.search(r"\.\.$", "".join(ch for ch in piece if ch != "\\")):
            raise ValueError("a bounded suffix ends in two periods: " + piece)
        widths.append(hi)
    suffix_maxlen = max(widths)

    # The URL pattern is matched in parts: its scheme, its user-info and the
    # rest (host, port, path), so that no part backtracks over the whole
    # chunk (the user-info group \S+(?::\S*)?@ is any run ending in "@").
    scheme = r"(?:(?:[\w\+\-\.]{2,})://)?"
    userinfo = r"(?:\S+(?::\S*)?@)?"
    url = url.replace("(?u)", "", 1)   # Python's default for str patterns
    if not url.startswith("^" + scheme + userinfo) or not url.endswith("$"):
        raise ValueError("URL_PATTERN changed its layout: " + url[:80])
    url_scheme = r"[\w\+\-\.]{2,}://"
    url_rest = url[len("^" + scheme + userinfo):]
    # The rest is (?:IP|HOST) PORT PATH $.  HOST, labels and a TLD, is
    # matched by hand in ext/spacy.c (its repeated group backtracks over
    # every label in PCRE2 and in Python's re); the IP alternative, bounded,
    # runs in PCRE2 with the port and the path (\S* is everything left: a
    # chunk has no white space).
    label = r"[A-Za-z0-9\u00a1-\uffff]"
    host_head = (r"|(?:(?:" + label + r"[A-Za-z0-9\u00a1-\uffff_-]{0,62})?"
                 + label + r"\.)+(?:[")
    tail = r"]{2,63}))(?::\d{2,5})?(?:[/?#]\S*)?$"
    i = url_rest.find(host_head)
    if (not url_rest.startswith("(?:") or i < 0 or not url_rest.endswith(tail)
            or url_rest[i + len(host_head):-len(tail)]
               != mods["spacy.lang.char_classes"].ALPHA_LOWER):
        raise ValueError("URL_PATTERN's host, port or path changed")
    url_ip = url_rest[3:i] + r"(?::\d{2,5})?(?:[/?#][\s\S]*)?$"
    tld_re = re.compile("[" + mods["spacy.lang.char_classes"].ALPHA_LOWER + "]")
    tld = []
    for c in range(0x110000):
        if 0xD800 <= c < 0xE000 or not tld_re.match(chr(c)):
            continue
        if tld and tld[-1][1] == c - 1:
            tld[-1][1] = c
        else:
            tld.append([c, c])

    # The exceptions that can be a chunk (no white space in them), each as
    # its tokens joined by \001, sorted for a stable file.
    exc = en_exc.TOKENIZER_EXCEPTIONS
    rows = []
    for orth in sorted(exc):
        if any(ch.isspace() for ch in orth):
            continue
        toks = [t[ORTH] for t in exc[orth]]
        # ext/spacy.c keeps at most 11 tokens a case, each under 256 bytes
        if len(toks) > 11 or any(len(t.encode("utf-8")) > 255 for t in toks):
            raise ValueError("special case too long for ext/spacy.c: %r" % orth)
        rows.append("\x01".join(toks))

    sent = open(os.path.join(src, "spacy/pipeline/sentencizer.pyx"),
                encoding="utf-8").read()
    m = re.search(r"default_punct_chars = (\[.*?\])", sent, re.S)
    punct_chars = sorted(set(ast.literal_eval(m.group(1))))

    about = open(os.path.join(src, "spacy/about.py"), encoding="utf-8").read()
    version = re.search(r'__version__ = "([^"]+)"', about).group(1)
    try:
        commit = subprocess.run(["git", "-C", src, "rev-parse", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    commit = commit or os.environ.get("SPACY_COMMIT", "unknown")

    print("/* Generated by tools/spacy_rules.py from spaCy %s (commit %s):" %
          (version, commit))
    print("** the rules of spacy.blank(\"en\")'s tokenizer and the sentencizer's")
    print("** punctuation.  spaCy is MIT-licensed (Copyright (C) 2016-2024")
    print("** ExplosionAI GmbH, 2016 spaCy GmbH, 2015 Matthew Honnibal).")
    print("** Do not edit; regenerate. */")
    print("#define SPACY_EN_VERSION \"%s\"" % version)
    print("#define SPACY_EN_COMMIT \"%s\"" % commit)
    print()
    emit_string("spacy_en_prefix", pcre(prefix))
    emit_string("spacy_en_suffix", pcre(suffix))
    emit_string("spacy_en_infix", pcre(infix))
    print("/* The longest bounded suffix, in characters. */")
    print("#define SPACY_EN_SUFFIX_MAXLEN %d" % suffix_maxlen)
    print()
    print("/* URL_MATCH, ^SCHEME? USERINFO? (?:IP|HOST) PORT? PATH? $, in parts:")
    print("** a chunk is a URL when, after an optional scheme (spacy_en_url_scheme)")
    print("** and an optional run ending in '@', the IP alternative")
    print("** (spacy_en_url_ip) or a host (labels and a TLD of spacy_en_tld, by")
    print("** hand in spacy.c) with its port and path matches to its end. */")
    emit_string("spacy_en_url_scheme", pcre(url_scheme))
    emit_string("spacy_en_url_ip", pcre(url_ip))
    print("/* The characters of a TLD (ALPHA_LOWER), as ranges. */")
    emit_array("spacy_en_tld[][2]", ["{0x%X, 0x%X}" % (lo, hi) for lo, hi in tld])
    print()
    print("/* %d exceptions: each the tokens of one special case joined by" %
          len(rows))
    print("** \\001, the special cases separated by NUL. */")
    print("#define SPACY_EN_NEXC %d" % len(rows))
    print("static const char spacy_en_exceptions[] =")
    for r in rows:
        print("  " + c_string(r + "\0"))
    print("  ;")
    print()
    print("/* The sentencizer's default punct_chars, sorted. */")
    emit_array("spacy_en_sent_punct[]", ["0x%X" % ord(ch) for ch in punct_chars])


if __name__ == "__main__":
    main()
