"""A stand-in for the `spacy` package, for the datatrove parity bench only.

spaCy itself cannot be installed here (no PyPI, not packaged in Debian), and datatrove's
English word and sentence splitting is `spacy.blank("en")` + the "sentencizer" pipe.
This package re-implements, in plain Python, exactly the part of spaCy that datatrove
calls: the rule-based Tokenizer algorithm (spacy/tokenizer.pyx: __call__,
_tokenize_affixes, _split_affixes, _attach_tokens, special cases and the final
special-case PhraseMatcher pass), the Sentencizer (spacy/pipeline/sentencizer.pyx) and
the Doc / Token / Span attributes datatrove reads.  The language DATA (prefix, suffix,
infix patterns, URL pattern, tokenizer exceptions) is not copied: it is loaded at run
time from a spaCy source checkout (configure(path) or $SPACY_REF_SRC), see _rules.py.

Nothing else of spaCy exists here: any other use fails loudly.
"""

import contextlib
import os
import unicodedata

from . import _rules

__version__ = "0.0.0+bench-standin"

_SRC = [os.environ.get("SPACY_REF_SRC")]
_RULE_CACHE = {}


def configure(spacy_src):
    """Point the stand-in at a spaCy source tree (the directory that holds spacy/)."""
    _SRC[0] = spacy_src


def _language_rules(lang):
    if lang not in _RULE_CACHE:
        if not _SRC[0]:
            raise RuntimeError("spacy stand-in: no spaCy source tree: call spacy.configure(path) "
                               "or set SPACY_REF_SRC")
        _RULE_CACHE[lang] = _rules.load(_SRC[0], lang)
    return _RULE_CACHE[lang]


# ---------------------------------------------------------------- Doc / Token / Span

def _is_punct(text):
    # spacy/lang/lex_attrs.py is_punct: every character's category starts with "P"
    for ch in text:
        if not unicodedata.category(ch).startswith("P"):
            return False
    return True


class Token:
    __slots__ = ("doc", "i")

    def __init__(self, doc, i):
        self.doc = doc
        self.i = i

    @property
    def text(self):
        return self.doc._words[self.i]

    orth_ = text

    @property
    def idx(self):
        return self.doc._idx[self.i]

    @property
    def whitespace_(self):
        return " " if self.doc._spaces[self.i] else ""

    @property
    def text_with_ws(self):
        return self.text + self.whitespace_

    @property
    def is_punct(self):
        return _is_punct(self.text)

    @property
    def is_space(self):
        return self.text.isspace()

    @property
    def norm_(self):
        # Special cases may carry a NORM; otherwise the lower-cased form.  (Real spaCy
        # may also consult the spacy-lookups-data norm table, which is not modelled.)
        n = self.doc._norms[self.i]
        return n if n is not None else self.text.lower()

    @property
    def is_sent_start(self):
        if self.doc._sent_starts is None:
            return True if self.i == 0 else None
        return self.doc._sent_starts[self.i]

    @property
    def is_sent_end(self):
        if self.i + 1 == len(self.doc):
            return True
        return self.doc[self.i + 1].is_sent_start

    def __len__(self):
        return len(self.text)

    def __str__(self):
        return self.text

    def __repr__(self):
        return self.text


class Span:
    __slots__ = ("doc", "start", "end")

    def __init__(self, doc, start, end):
        self.doc = doc
        self.start = start
        self.end = end

    @property
    def start_char(self):
        return self.doc._idx[self.start] if self.end > self.start else 0

    @property
    def end_char(self):
        if self.end <= self.start:
            return 0
        last = self.end - 1
        return self.doc._idx[last] + len(self.doc._words[last])

    @property
    def text(self):
        # spaCy: the tokens' text_with_ws joined, without the last token's trailing space
        parts = []
        for i in range(self.start, self.end):
            parts.append(self.doc._words[i])
            if self.doc._spaces[i] and i != self.end - 1:
                parts.append(" ")
        return "".join(parts)

    def __len__(self):
        return self.end - self.start

    def __iter__(self):
        for i in range(self.start, self.end):
            yield Token(self.doc, i)

    def __getitem__(self, i):
        return list(self)[i]


class Doc:
    def __init__(self, words, spaces, idx, norms=None):
        self._words = words
        self._spaces = spaces
        self._idx = idx
        self._norms = norms if norms is not None else [None] * len(words)
        self._sent_starts = None

    def __len__(self):
        return len(self._words)

    def __iter__(self):
        for i in range(len(self._words)):
            yield Token(self, i)

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, _ = i.indices(len(self._words))
            return Span(self, start, stop)
        if i < 0:
            i += len(self._words)
        if not 0 <= i < len(self._words):
            raise IndexError(i)
        return Token(self, i)

    @property
    def text(self):
        return "".join(w + (" " if s else "") for w, s in zip(self._words, self._spaces))

    @property
    def text_with_ws(self):
        return self.text

    def has_annotation(self, attr):
        if attr not in ("SENT_START", "IS_SENT_START", "IS_SENT_END"):
            raise NotImplementedError(f"spacy stand-in: has_annotation({attr!r})")
        return len(self._words) == 0 or self._sent_starts is not None

    @property
    def sents(self):
        # spacy/tokens/doc.pyx Doc.sents (without user hooks); an empty doc yields nothing
        if self._sent_starts is None and len(self._words):
            raise ValueError("[E030] Sentence boundaries unset (stand-in: add the sentencizer)")
        n = len(self._words)
        start = 0
        for i in range(1, n):
            if self._sent_starts[i] is True:
                yield Span(self, start, i)
                start = i
        if start != n:
            yield Span(self, start, n)


# ---------------------------------------------------------------- Tokenizer

class Tokenizer:
    """spacy/tokenizer.pyx Tokenizer with faster_heuristics=True."""

    def __init__(self, rules=None, prefix_search=None, suffix_search=None, infix_finditer=None,
                 token_match=None, url_match=None, faster_heuristics=True, max_cache_size=100000):
        self.prefix_search = prefix_search
        self.suffix_search = suffix_search
        self.infix_finditer = infix_finditer
        self.token_match = token_match
        self.url_match = url_match
        self._faster_heuristics = bool(faster_heuristics)
        self.max_cache_size = max_cache_size
        # Affix tokenisation of one white-space-free (or all-white-space) chunk depends
        # only on the chunk (spaCy caches it by hash the same way), so a dict memo keeps
        # the results identical while avoiding repeated regex work.
        self._cache = {}
        self._specials = {}     # chunk -> (orths, norms)
        self._rules = {}
        self._matcher = {}      # trie over ORTH sequences; key None marks a pattern end
        if rules:
            for chunk, substrings in sorted(rules.items()):
                self.add_special_case(chunk, substrings)

    # -- special cases
    def add_special_case(self, string, substrings):
        substrings = [_drop_deprecated(s) for s in substrings]
        orth = "".join(s[_rules.ORTH] for s in substrings)
        if orth != string:
            raise ValueError(f"[E997] Tokenizer special case {string!r}: ORTH {orth!r} does not match")
        for s in substrings:
            for attr in s:
                if attr not in (_rules.ORTH, _rules.NORM):
                    raise ValueError(f"[E1005] Tokenizer special case {string!r}: attribute {attr!r}")
        self._specials[string] = ([s[_rules.ORTH] for s in substrings],
                                  [s.get(_rules.NORM) for s in substrings])
        self._rules[string] = substrings
        self._cache.clear()
        if (not self.faster_heuristics or self.find_prefix(string) or self.find_infix(string)
                or self.find_suffix(string) or " " in string):
            words, _, _, _ = self._tokenize_affixes(string, False)
            if words:           # PhraseMatcher.add skips empty docs
                node = self._matcher
                for w in words:
                    node = node.setdefault(w, {})
                node[None] = True

    @property
    def faster_heuristics(self):
        return self._faster_heuristics

    @faster_heuristics.setter
    def faster_heuristics(self, value):
        # spaCy reloads the special cases: the matcher patterns depend on this flag
        self._faster_heuristics = bool(value)
        self.rules = dict(self._rules)

    @property
    def rules(self):
        return self._rules

    @rules.setter
    def rules(self, rules):
        self._cache.clear()
        self._specials, self._rules, self._matcher = {}, {}, {}
        for chunk, substrings in sorted((rules or {}).items()):
            self.add_special_case(chunk, substrings)

    # -- regex helpers (spaCy's find_prefix / find_suffix / find_infix)
    def find_prefix(self, string):
        if self.prefix_search is None:
            return 0
        m = self.prefix_search(string)
        return (m.end() - m.start()) if m is not None else 0

    def find_suffix(self, string):
        if self.suffix_search is None:
            return 0
        m = self.suffix_search(string)
        return (m.end() - m.start()) if m is not None else 0

    def find_infix(self, string):
        if self.infix_finditer is None:
            return 0
        return list(self.infix_finditer(string))

    # -- main entry
    def __call__(self, string):
        words, spaces, norms, _ = self._tokenize_affixes(string, True)
        idx = _offsets(words, spaces)
        if self._matcher and words:
            words, spaces, norms, idx = self._apply_special_cases(words, spaces, norms, idx)
        return Doc(words, spaces, idx, norms)

    def _tokenize_affixes(self, string, with_special_cases):
        if len(string) >= 2 ** 30:
            raise ValueError("[E025] String is too long")
        words, spaces, norms = [], [], []
        if not string:
            return words, spaces, norms, []
        # Like str.split, but runs of white space other than exactly one ' ' after a
        # token become tokens themselves.
        start = 0
        in_ws = string[0].isspace()
        i = 0
        for uc in string:
            if uc.isspace() != in_ws:
                if start < i:
                    self._chunk(string[start:i], words, spaces, norms, with_special_cases)
                if uc == " ":
                    spaces[-1] = True
                    start = i + 1
                else:
                    start = i
                in_ws = not in_ws
            i += 1
        if start < i:
            self._chunk(string[start:], words, spaces, norms, with_special_cases)
            spaces[-1] = string[-1] == " " and not in_ws
        return words, spaces, norms, None

    def _chunk(self, span, words, spaces, norms, with_special_cases):
        if with_special_cases and span in self._specials:
            orths, nrm = self._specials[span]
            words.extend(orths)
            spaces.extend([False] * len(orths))
            norms.extend(nrm)
            return
        key = (span, with_special_cases)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._tokenize(span, with_special_cases)
            if len(self._cache) >= self.max_cache_size:
                self._cache.clear()
            self._cache[key] = hit
        w, n = hit
        words.extend(w)
        spaces.extend([False] * len(w))
        norms.extend(n)

    def _tokenize(self, span, with_special_cases):
        prefixes, suffixes = [], []
        string = self._split_affixes(span, prefixes, suffixes, with_special_cases)
        return self._attach_tokens(string, prefixes, suffixes, with_special_cases)

    def _is_special(self, s, with_special_cases):
        return with_special_cases and s in self._specials

    def _split_affixes(self, string, prefixes, suffixes, with_special_cases):
        last_size = 0
        while string and len(string) != last_size:
            if self.token_match and self.token_match(string):
                break
            if self._is_special(string, with_special_cases):
                break
            last_size = len(string)
            pre_len = self.find_prefix(string)
            if pre_len != 0:
                prefix = string[:pre_len]
                minus_pre = string[pre_len:]
                if minus_pre and self._is_special(minus_pre, with_special_cases):
                    string = minus_pre
                    prefixes.append(prefix)
                    break
            suf_len = self.find_suffix(string[pre_len:])
            if suf_len != 0:
                suffix = string[-suf_len:]
                minus_suf = string[:-suf_len]
                if minus_suf and self._is_special(minus_suf, with_special_cases):
                    string = minus_suf
                    suffixes.append(suffix)
                    break
            if pre_len and suf_len and (pre_len + suf_len) <= len(string):
                string = string[pre_len:-suf_len]
                prefixes.append(prefix)
                suffixes.append(suffix)
            elif pre_len:
                string = minus_pre
                prefixes.append(prefix)
            elif suf_len:
                string = minus_suf
                suffixes.append(suffix)
        return string

    def _attach_tokens(self, string, prefixes, suffixes, with_special_cases):
        words = list(prefixes)
        norms = [None] * len(words)
        if string:
            if self._is_special(string, with_special_cases):
                orths, nrm = self._specials[string]
                words.extend(orths)
                norms.extend(nrm)
            elif ((self.token_match and self.token_match(string))
                  or (self.url_match and self.url_match(string))):
                words.append(string)
                norms.append(None)
            else:
                matches = self.find_infix(string)
                if not matches:
                    words.append(string)
                    norms.append(None)
                else:
                    start = 0
                    for m in matches:
                        infix_start, infix_end = m.start(), m.end()
                        # spaCy compares with the start before any infix, i.e. 0
                        if infix_start == 0:
                            continue
                        if infix_start != start:
                            words.append(string[start:infix_start])
                            norms.append(None)
                        if infix_start != infix_end:
                            words.append(string[infix_start:infix_end])
                            norms.append(None)
                        start = infix_end
                    if string[start:]:
                        words.append(string[start:])
                        norms.append(None)
        for s in reversed(suffixes):
            words.append(s)
            norms.append(None)
        return words, norms

    # -- final pass: special cases that the affix pass split apart
    def _find_matches(self, words):
        """PhraseMatcher.find_matches: every (start, end) whose ORTHs form a pattern."""
        root = self._matcher
        matches = []
        n = len(words)
        for idx in range(n):
            node = root.get(words[idx])
            if node is None:
                continue
            idy = idx + 1
            while idy < n:
                if None in node:
                    matches.append((idx, idy))
                node = node.get(words[idy])
                if node is None:
                    break
                idy += 1
            else:
                if None in node:
                    matches.append((idx, idy))
        return matches

    def _apply_special_cases(self, words, spaces, norms, idx):
        matches = self._find_matches(words)
        if not matches:
            return words, spaces, norms, idx
        # _filter_special_spans: longest first, then leftmost; a span is kept unless its
        # first or last token was covered by any span looked at before (kept or not).
        matches.sort(key=lambda m: (m[1] - m[0], -m[0]))
        seen = set()
        kept = []
        for s, e in reversed(matches):
            if s not in seen and (e - 1) not in seen:
                kept.append((s, e))
            seen.update(range(s, e))
        kept.sort()
        by_start = {}
        for s, e in kept:
            text = "".join(words[k] + (" " if spaces[k] and k != e - 1 else "") for k in range(s, e))
            by_start[s] = (text, e)
        out_w, out_s, out_n, out_i = [], [], [], []
        i = 0
        n = len(words)
        while i < n:
            if i not in by_start:
                out_w.append(words[i]); out_s.append(spaces[i]); out_n.append(norms[i]); out_i.append(idx[i])
                i += 1
                continue
            text, e = by_start[i]
            special = self._specials.get(text)
            if special is None:
                for k in range(i, e):
                    out_w.append(words[k]); out_s.append(spaces[k]); out_n.append(norms[k]); out_i.append(idx[k])
            else:
                orths, nrm = special
                off = idx[i]
                for o, nm in zip(orths, nrm):
                    out_w.append(o); out_s.append(False); out_n.append(nm); out_i.append(off)
                    off += len(o)
                out_s[-1] = spaces[e - 1]
            i = e
        return out_w, out_s, out_n, out_i


# spacy/attrs.pyx intify_attrs(_do_deprecated=True), as the tokenizer's validation calls it:
# these old morphological keys are silently dropped ("F" is the old name of ORTH).
_DEPRECATED = {"morph", "number", "tenspect"}
_MORPH_KEYS = {"PunctType", "PunctSide", "Other", "Degree", "AdvType", "Number", "VerbForm",
               "PronType", "Aspect", "Tense", "PartType", "Poss", "Hyph", "ConjType", "NumType",
               "Foreign", "VerbType", "NounType", "Gender", "Mood", "Negative", "Voice", "Abbr",
               "Derivation", "Echo", "NameType", "NumForm", "NumValue", "Polite", "StyleVariant",
               "AdjType", "Person", "Variant", "AdpType", "Reflex", "Case", "Polarity", "PrepCase",
               "Animacy"}


def _drop_deprecated(attrs):
    # attribute names are case-insensitive strings in spaCy ("orth" is ORTH)
    attrs = {(k.upper() if isinstance(k, str) and k.upper() in (_rules.ORTH, _rules.NORM) else k): v
             for k, v in attrs.items()}
    if "F" in attrs:
        attrs[_rules.ORTH] = attrs.pop("F")
    for k in list(attrs):
        if k in _DEPRECATED or k in _MORPH_KEYS or (isinstance(k, str) and
                (k.lower() in {m.lower() for m in _MORPH_KEYS})):
            del attrs[k]
    return attrs


def _offsets(words, spaces):
    idx = []
    pos = 0
    for w, s in zip(words, spaces):
        idx.append(pos)
        pos += len(w) + (1 if s else 0)
    return idx


# ---------------------------------------------------------------- Sentencizer / Language

class Sentencizer:
    default_punct_chars = None  # loaded from the spaCy source, see _rules.sentencizer_punct_chars

    def __init__(self, punct_chars):
        self.punct_chars = set(punct_chars)

    def __call__(self, doc):
        # spacy/pipeline/sentencizer.pyx predict + set_annotations (overwrite=False on a
        # fresh doc: every token gets True or False)
        n = len(doc)
        guesses = [False] * n
        if n:
            words = doc._words
            start = 0
            seen_period = False
            guesses[0] = True
            pc = self.punct_chars
            for i in range(n):
                w = words[i]
                in_pc = w in pc
                if seen_period and not in_pc and not _is_punct(w):
                    guesses[start] = True
                    start = i
                    seen_period = False
                elif in_pc:
                    seen_period = True
            if start < n:
                guesses[start] = True
        doc._sent_starts = guesses
        return doc


class Language:
    def __init__(self, lang):
        r = _language_rules(lang)
        self.lang = lang
        self.tokenizer = Tokenizer(rules=r["exceptions"], prefix_search=r["prefix_search"],
                                   suffix_search=r["suffix_search"],
                                   infix_finditer=r["infix_finditer"],
                                   token_match=r["token_match"], url_match=r["url_match"])
        self._punct_chars = r["sentencizer_punct_chars"]
        self.pipeline = []
        self.max_length = 10 ** 6

    @property
    def pipe_names(self):
        return [name for name, _ in self.pipeline]

    def add_pipe(self, name, config=None):
        if name != "sentencizer":
            raise NotImplementedError(f"spacy stand-in: only the sentencizer pipe exists, not {name!r}")
        if config and config.get("punct_chars"):
            pipe = Sentencizer(config["punct_chars"])
        else:
            pipe = Sentencizer(self._punct_chars)
        self.pipeline.append((name, pipe))
        return pipe

    def make_doc(self, text):
        if len(text) > self.max_length:
            raise ValueError(f"[E088] Text of length {len(text)} exceeds maximum of {self.max_length}.")
        return self.tokenizer(text)

    def __call__(self, text, disable=(), component_cfg=None):
        doc = self.make_doc(text)
        for name, pipe in self.pipeline:
            if name in disable:
                continue
            doc = pipe(doc)
        return doc

    def pipe(self, texts, **_kwargs):
        for text in texts:
            yield self(text)

    @contextlib.contextmanager
    def memory_zone(self, mem=None):
        # Only frees memory in spaCy; results are unaffected.
        yield mem


def blank(name, *, config=None, **_kwargs):
    if config:
        raise NotImplementedError("spacy stand-in: blank(config=...) is not supported")
    if name not in ("en", "xx"):
        raise NotImplementedError(f"spacy stand-in: only 'en' and 'xx' are supported, not {name!r}")
    return Language(name)
