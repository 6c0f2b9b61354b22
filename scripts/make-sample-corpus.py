#!/usr/bin/python3
"""Build examples/data/sqlite-doc.json, a small real-text sample corpus.

Source: the public-domain SQLite documentation shipped in Debian's
`sqlite3-doc` package (HTML under /usr/share/doc/sqlite3/).

    apt-get install -y sqlite3-doc
    /usr/bin/python3 scripts/make-sample-corpus.py

Standard library only.  The output is byte-for-byte reproducible from the
same package version: pages are read in sorted path order, selection is a
fixed rule (see SELECT_PATTERNS / SELECT_PAGES), and nothing depends on the
clock, the locale or the file system's listing order.

Output: ONE JSON array, one object per line:
    [
    {"id": 1, "path": "...", "title": "...", "text": "..."},
    ...
    ]
"""

import argparse
import fnmatch
import html
import json
import os
import re
import sys
from html.parser import HTMLParser

DOC_ROOT = "/usr/share/doc/sqlite3"
DEFAULT_OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), os.pardir,
    "examples", "data", "sqlite-doc.json")

# Selection rule: every top-level page matching one of SELECT_PATTERNS, plus
# the named prose pages in SELECT_PAGES; pages whose converted text is under
# MIN_TEXT_BYTES are skipped.  The result is ordered by path.
SELECT_PATTERNS = ["lang_*.html"]
SELECT_PAGES = [
    "about.html",
    "autoinc.html",
    "copyright.html",
    "datatype3.html",
    "different.html",
    "faq.html",
    "nulls.html",
    "omitted.html",
    "quirks.html",
    "selfcontained.html",
    "serverless.html",
    "stricttables.html",
    "whentouse.html",
]
MIN_TEXT_BYTES = 1024

# Elements whose whole content is dropped.
SKIP_TAGS = {"script", "style", "head", "title", "svg", "nav", "header",
             "footer", "form", "select", "option", "button", "noscript",
             "template", "iframe", "object", "map"}
# <div class="nosearch"> holds the site banner, main menu and search box
# (and, on "fancy" pages, the repeated title and the table of contents).
SKIP_DIV_CLASSES = {"nosearch"}
# Elements that end a paragraph: a blank line before and after.
PARA_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
             "table", "ul", "ol", "dl", "center", "hr"}
# Elements that end a line.
LINE_TAGS = {"br", "div", "li", "dt", "dd", "tr", "caption", "address",
             "section", "article", "aside", "figure", "figcaption", "main",
             "img"}
CELL_TAGS = {"td", "th"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input",
             "link", "meta", "param", "source", "track", "wbr"}

# Markers in the token stream; they cannot occur in decoded text because
# they are control characters that are stripped from text first.
NL = "\x01"     # line break
PAR = "\x02"    # paragraph break
PRE_NL = "\x03" # line break inside <pre>
PRE_SP = "\x04" # space inside <pre> (kept: code indentation matters)
SUP = "\x05"    # start of <sup>: "^" if the superscript is not blank

# Characters normalised in text: no-break/en/em/thin spaces become spaces,
# the non-breaking hyphen becomes a hyphen, soft hyphens and zero-width
# characters disappear.
CHAR_MAP = {
    "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
    "\u202f": " ", "\u2011": "-", "\u00ad": None, "\u200b": None,
    "\u200c": None, "\u200d": None, "\ufeff": None,
}
CTRL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.title = []
        self.in_title = False
        self.title_done = False   # only the first <title> is the page's
        self.skip_stack = []      # open tags that started a skipped region
        self.div_depth = 0
        self.skip_div_depth = None
        self.pre_depth = 0
        self.label = None         # text of an open <a href="syntax/...">

    # -- helpers ---------------------------------------------------------
    def _skipping(self):
        return bool(self.skip_stack) or self.skip_div_depth is not None

    def _emit(self, s):
        if not self._skipping():
            self.out.append(s)

    # -- parser callbacks ------------------------------------------------
    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag == "title" and not self.title_done:
            self.in_title = True
        if tag == "div":
            self.div_depth += 1
            classes = (dict(attrs).get("class") or "").split()
            if (self.skip_div_depth is None
                    and SKIP_DIV_CLASSES.intersection(classes)):
                self.skip_div_depth = self.div_depth
            else:
                self._emit(NL)
            return
        if tag in SKIP_TAGS:
            if tag not in VOID_TAGS:
                self.skip_stack.append(tag)
            return
        if tag == "pre":
            self.pre_depth += 1
        if (tag == "a" and self.label is None and not self._skipping()
                and (dict(attrs).get("href") or "").startswith("syntax/")):
            # Possibly the caption of a syntax diagram ("select-stmt:").
            self.label = []
            return
        if tag == "sup":
            # 2<sup>48</sup> -> 2^48 (exponents and footnote marks)
            self._emit(SUP)
        elif tag in PARA_TAGS:
            self._emit(PAR)
        elif tag in LINE_TAGS:
            self._emit(NL)
        elif tag in CELL_TAGS:
            self._emit(" ")

    def handle_startendtag(self, tag, attrs):
        # <br/>, <img/> ...: no content, never opens a region.
        tag = tag.lower()
        if tag in PARA_TAGS:
            self._emit(PAR)
        elif tag in LINE_TAGS:
            self._emit(NL)

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag == "title" and self.in_title:
            self.in_title = False
            self.title_done = True
        if tag == "div":
            if self.div_depth > 0:
                if self.skip_div_depth == self.div_depth:
                    self.skip_div_depth = None
                else:
                    self._emit(NL)
                self.div_depth -= 1
            return
        if tag in SKIP_TAGS:
            if tag in self.skip_stack:
                # close it and anything left open inside it
                while self.skip_stack:
                    if self.skip_stack.pop() == tag:
                        break
            return
        if tag == "pre" and self.pre_depth > 0:
            self.pre_depth -= 1
        if tag == "a" and self.label is not None:
            # The diagrams themselves (inline <svg>) are dropped, so drop
            # their captions too; keep any ordinary link text.
            label, self.label = "".join(self.label), None
            if not label.strip().endswith(":"):
                self._emit(label)
            return
        if tag in PARA_TAGS:
            self._emit(PAR)
        elif tag in LINE_TAGS:
            self._emit(NL)
        elif tag in CELL_TAGS:
            self._emit(" ")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        if self._skipping():
            return
        data = CTRL_RE.sub(" ", data.replace("\r\n", "\n").replace("\r", "\n"))
        if self.pre_depth:
            data = (data.expandtabs(8).replace("\n", PRE_NL)
                    .replace(" ", PRE_SP))
        if self.label is not None:
            self.label.append(data)
        else:
            self.out.append(data)


def normalise_chars(s):
    return s.translate({ord(k): v for k, v in CHAR_MAP.items()})


def render(tokens):
    """Turn the token stream into plain text with paragraphs."""
    s = normalise_chars("".join(tokens))
    s = re.sub(SUP + r"(?!\w)", "", s).replace(SUP, "^")
    # Outside <pre>, source newlines and tabs are just whitespace.
    s = s.replace("\n", " ").replace("\t", " ")
    s = re.sub(r" {2,}", " ", s)
    # A run of breaks (and the spaces around them) becomes one line break,
    # or a blank line if any of them is a paragraph break.
    brk = "[ " + NL + PAR + "]*"
    s = re.sub(brk + PAR + brk, "\n\n", s)
    s = re.sub(brk + NL + brk, "\n", s)
    s = s.replace(PRE_NL, "\n").replace(PRE_SP, " ")
    s = "\n".join(ln.rstrip(" ") for ln in s.split("\n"))
    s = re.sub(r"\n{3,}", "\n\n", s)
    return s.strip("\n ")


FOOTER_RE = re.compile(
    r"\n*This page last modified on\s+[0-9:\- ]+UTC\s*$")


def convert(path):
    with open(path, "rb") as f:
        raw = f.read()
    src = raw.decode("utf-8", errors="replace")
    p = TextExtractor()
    p.feed(src)
    p.close()
    text = FOOTER_RE.sub("", render(p.out))
    title = re.sub(r"\s+", " ", normalise_chars(html.unescape(
        "".join(p.title)))).strip()
    return title, text


def select_paths(root):
    names = sorted(n for n in os.listdir(root)
                   if n.endswith(".html")
                   and os.path.isfile(os.path.join(root, n)))
    wanted = set(SELECT_PAGES)
    missing = sorted(wanted.difference(names))
    if missing:
        print("warning: pages not found: " + ", ".join(missing),
              file=sys.stderr)
    return [n for n in names
            if n in wanted or any(fnmatch.fnmatchcase(n, pat)
                                  for pat in SELECT_PATTERNS)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=DOC_ROOT,
                    help="sqlite3-doc HTML directory (default %(default)s)")
    ap.add_argument("-o", "--output", default=os.path.normpath(DEFAULT_OUT),
                    help="output JSON file (default %(default)s)")
    args = ap.parse_args()

    if not os.path.isdir(args.root):
        sys.exit("%s not found: apt-get install -y sqlite3-doc" % args.root)

    docs = []
    skipped = []
    for rel in select_paths(args.root):
        title, text = convert(os.path.join(args.root, rel))
        if len(text.encode("utf-8")) < MIN_TEXT_BYTES:
            skipped.append(rel)
            continue
        docs.append({"id": len(docs) + 1, "path": rel, "title": title,
                     "text": text})

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    body = ",\n".join(json.dumps(d, ensure_ascii=False, sort_keys=False)
                      for d in docs)
    data = ("[\n" + body + "\n]\n").encode("utf-8")
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.output)

    total = sum(len(d["text"].encode("utf-8")) for d in docs)
    if skipped:
        print("skipped (< %d bytes of text): %s"
              % (MIN_TEXT_BYTES, " ".join(skipped)))
    print("%d documents, %d bytes of text -> %s"
          % (len(docs), total, args.output))


if __name__ == "__main__":
    main()
