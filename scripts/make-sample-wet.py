#!/usr/bin/python3
"""Build examples/data/sqlite-doc.warc.wet.gz, a small WET file (WARC/1.0
conversion records, as Common Crawl's WET files hold extracted page text),
from examples/data/sqlite-doc.json.

    /usr/bin/python3 scripts/make-sample-wet.py

Standard library only; the output is byte-for-byte reproducible (fixed
dates, record ids derived from the URL, gzip headers without a time).
Each record is a gzip member of its own, Common Crawl's layout.  As a crawl
does, it holds what a pipeline must remove, planted and listed here:
  - exact copies: 4 pages again under mirror URLs;
  - near-duplicates: 3 pages again with a line added and one changed;
  - junk: 5 short pages (navigation, a cookie notice, a login form) that
    the quality rules drop.
"""
import gzip, hashlib, io, json, os, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, os.pardir, "examples", "data")
DATE = "2024-01-15T00:00:00Z"
JUNK = [
    "Home | About | Contact | Login",
    "This site uses cookies. Accept all cookies?",
    "Sign in\nUsername\nPassword\nForgot password?",
    "404 Not Found",
    "Click here click here click here click here",
]


def record(kind, uri, text, extra=(), content_type=None):
    """One WARC/1.0 record as a gzip member of its own.  text: str or bytes;
    content_type: the record's (default: by kind, as a WET file has them).
    scripts/make-sample-warc.py uses it too."""
    body = text if isinstance(text, bytes) else text.encode()
    rid = uuid.uuid5(uuid.NAMESPACE_URL, kind + ":" + uri)
    head = ["WARC/1.0", "WARC-Type: " + kind]
    if uri:
        head.append("WARC-Target-URI: " + uri)
    head += ["WARC-Date: " + DATE, "WARC-Record-ID: <urn:uuid:%s>" % rid]
    head += list(extra)
    head += ["WARC-Block-Digest: sha1:" + hashlib.sha1(body).hexdigest(),
             "Content-Type: " + (content_type or ("application/warc-fields" if kind == "warcinfo"
                                                  else "text/plain")),
             "Content-Length: %d" % len(body)]
    raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body + b"\r\n\r\n"
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as g:
        g.write(raw)
    return out.getvalue()


def main():
    pages = json.load(open(os.path.join(DATA, "sqlite-doc.json"), encoding="utf-8"))
    recs = [record("warcinfo", "", "software: scripts/make-sample-wet.py\r\n"
                   "format: WARC File Format 1.0\r\n"
                   "description: sqlite-doc.json as WET conversion records\r\n")]
    def conv(uri, text):
        lang = "WARC-Identified-Content-Language: eng"
        refers = "WARC-Refers-To: <urn:uuid:%s>" % uuid.uuid5(uuid.NAMESPACE_URL, uri)
        return record("conversion", uri, text, (refers, lang))
    for p in pages:
        recs.append(conv("https://sqlite.org/" + p["path"], p["text"]))
    for p in pages[:4]:
        recs.append(conv("https://mirror.example.org/sqlite/" + p["path"], p["text"]))
    for p in pages[10:13]:
        lines = p["text"].split("\n")
        lines[2] = lines[2] + " (mirrored copy)"
        recs.append(conv("https://docs.example.net/" + p["path"],
                         "\n".join(lines) + "\nRetrieved from sqlite.org."))
    for i, j in enumerate(JUNK):
        recs.append(conv("https://junk.example.com/page%d.html" % i, j))
    with open(os.path.join(DATA, "sqlite-doc.warc.wet.gz"), "wb") as f:
        f.write(b"".join(recs))


if __name__ == "__main__":
    main()
