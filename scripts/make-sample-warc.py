#!/usr/bin/python3
"""Build examples/data/python-tutorial.warc.gz, a small WARC file of HTML
responses (WARC/1.0 response records with their HTTP headers, as a crawler
writes them) for examples/07-warc.sql: the pages of the Python 3.11
tutorial, as Debian 12's python3.11-doc installs them
(/usr/share/doc/python3.11/html/tutorial/*.html), under their addresses at
https://docs.python.org/3.11/tutorial/.  They are the real pages with the
site's navigation, sidebar and footer around the text, which html_to_text()'s
main-content mode sets aside.  Not a real crawl: the HTTP headers are a
plain 200 response's, the date fixed.

    apt-get install -y python3.11-doc
    /usr/bin/python3 scripts/make-sample-warc.py [-o FILE]

Standard library only; byte-for-byte reproducible (fixed dates, record ids
derived from the URL, gzip members without a time, one a record).
Licence: PSF License Version 2, as the Python documentation (see
examples/data/mixed-LICENSES.txt).
"""
import argparse, glob, hashlib, importlib.util, os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = '/usr/share/doc/python3.11/html/tutorial'
BASE = 'https://docs.python.org/3.11/tutorial/'
HTTP_DATE = 'Mon, 15 Jan 2024 00:00:00 GMT'


def _wet_script():
    # record() (and so the fixed WARC-Date) is make-sample-wet.py's (a file name with
    # hyphens: loaded by path).
    spec = importlib.util.spec_from_file_location(
        'make_sample_wet', os.path.join(ROOT, 'scripts', 'make-sample-wet.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


wet = _wet_script()
record = wet.record


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-o', default=os.path.join(ROOT, 'examples/data/python-tutorial.warc.gz'))
    a = ap.parse_args()
    recs = [record('warcinfo', '', b'software: scripts/make-sample-warc.py\r\n'
                   b'format: WARC File Format 1.0\r\n'
                   b'description: the Python 3.11 tutorial (Debian python3.11-doc) as HTTP responses\r\n')]
    pages = sorted(glob.glob(SRC + '/*.html'))
    for p in pages:
        body = open(p, 'rb').read()
        http = ('HTTP/1.1 200 OK\r\n'
                'Content-Type: text/html; charset=utf-8\r\n'
                'Content-Length: %d\r\n'
                'Date: %s\r\n\r\n' % (len(body), HTTP_DATE)).encode() + body
        recs.append(record('response', BASE + os.path.basename(p), http,
                           ('WARC-Payload-Digest: sha1:' + hashlib.sha1(body).hexdigest(),),
                           content_type='application/http; msgtype=response'))
    tmp = a.o + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(b''.join(recs))
    os.replace(tmp, a.o)
    print('%d records (%d pages) -> %s (%d bytes)' % (len(recs), len(pages),
                                                   os.path.relpath(a.o), os.path.getsize(a.o)))


if __name__ == '__main__':
    main()
