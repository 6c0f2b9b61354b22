#!/usr/bin/python3
"""The ~1 GB corpus of bench/substr.tcl (issue 16), made by bench/corpus-1g.sh.

  /usr/bin/python3 bench/corpus_1g.py extract NAME...   more real text, from the
        Debian packages corpus-1g.sh installs, into $CORPORA_DIR/NAME.jsonl
        (the same {"id","text"} lines as scripts/corpora.sh's), NAME one of EXTRA
  /usr/bin/python3 bench/corpus_1g.py assemble DB BYTES NAME...
        a SQLite database DB with docs(id INTEGER PRIMARY KEY, source, name,
        copy, text) of about BYTES bytes of text: every document of
        $CORPORA_DIR/NAME.jsonl in the order given, each corpus whole; when
        they all hold fewer than BYTES, they are taken again (copy 2, 3, ...)
        until BYTES, and the output says how much is repeated.  The last
        corpus taken is cut at a document when BYTES is reached.

Debian's python3, standard library only; the HTML and man-page conversions are
scripts/corpora_extract.py's, imported."""
import glob, gzip, json, os, re, sqlite3, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'scripts'))
import corpora_extract as cx  # noqa: E402  (html2txt, rdgz, OUT)

OUT = cx.OUT


def files(pat, base, skip=None):
    # each file once: /usr/share/perl/5.36 is a link to 5.36.0, and a glob
    # through a linked directory would give its files twice
    seen = set()
    for p in sorted(glob.glob(pat, recursive=True)):
        if os.path.isdir(p) or os.path.islink(p) or (skip and skip(p)):
            continue
        real = os.path.realpath(p)
        if real in seen:
            continue
        seen.add(real)
        yield os.path.relpath(p, base), p


def gen_text(pat, base, skip=None):
    for rel, p in files(pat, base, skip):
        try:
            t = cx.rdgz(p)
        except OSError:
            continue
        if '\0' in t:
            continue
        yield rel, t


def gen_html(pat, base):
    for rel, p in files(pat, base):
        yield rel, cx.html2txt(cx.rdgz(p))


def gen_html_skip(pat, base, skip):
    for rel, p in files(pat, base, skip):
        yield rel, cx.html2txt(cx.rdgz(p))


def gen_info():
    # the Info manuals (emacs, coreutils, gettext, ...): one document a node
    for rel, p in files('/usr/share/info/**/*.info*.gz', '/usr/share/info'):
        for i, node in enumerate(cx.rdgz(p).split('\x1f')):
            if node.strip() and not node.startswith(('\nTag Table', '\nEnd Tag Table')):
                yield f'{rel}#{i}', node


def gen_zip_java():
    import zipfile
    with zipfile.ZipFile('/usr/lib/jvm/openjdk-17/lib/src.zip') as z:
        for name in sorted(z.namelist()):
            if name.endswith('.java'):
                yield name, z.read(name).decode('utf-8', 'replace')


def gen_linux_src():
    import tarfile
    keep = re.compile(r'^[^/]+/(fs|net|kernel|mm|include|block|crypto|security|'
                      r'sound|lib|ipc|init|virt|io_uring)/.*\.[ch]$')
    with tarfile.open(sorted(glob.glob('/usr/src/linux-source-*.tar.xz'))[-1]) as t:
        for m in t:
            if m.isfile() and keep.match(m.name):
                yield m.name, t.extractfile(m).read().decode('utf-8', 'replace')


DOC = '/usr/share/doc'
EXTRA = {
    # the kernel's Documentation/ sources (reStructuredText and plain text)
    'linux-doc': lambda: gen_text(DOC + '/linux-doc-6.1/Documentation/**/*',
                                  DOC + '/linux-doc-6.1/Documentation',
                                  lambda p: re.search(r'\.(svg|png|jpg|gif|pdf)(\.gz)?$', p)),
    # Emacs's Lisp sources (Debian emacs-el)
    'emacs-lisp': lambda: gen_text('/usr/share/emacs/*/lisp/**/*.el.gz', '/usr/share/emacs'),
    # the Java 17 API documentation (Debian openjdk-17-doc): templated pages
    'openjdk-api': lambda: gen_html(DOC + '/openjdk-17-jre-headless/api/**/*.html',
                                    DOC + '/openjdk-17-jre-headless/api'),
    # The Debian Administrator's Handbook in its 30 languages
    'debian-handbook': lambda: gen_html(DOC + '/debian-handbook/html/**/*.html',
                                        DOC + '/debian-handbook/html'),
    'postgresql-doc': lambda: gen_html(DOC + '/postgresql-doc-15/html/*.html',
                                       DOC + '/postgresql-doc-15/html'),
    'git-doc': lambda: gen_text(DOC + '/git-doc/**/*.txt', DOC + '/git-doc'),
    'perl-pod': lambda: gen_text('/usr/share/perl/*/pod/*.pod', '/usr/share/perl'),
    'vim-doc': lambda: gen_text('/usr/share/vim/vim*/doc/*.txt', '/usr/share/vim'),
    'python-src': lambda: gen_text('/usr/lib/python3.11/**/*.py', '/usr/lib/python3.11'),
    'info': gen_info,
    # source code: the Java class library (Debian openjdk-17-source's src.zip),
    # Go's and Rust's own trees (golang-1.19-src, rust-src)
    # the Rust documentation (Debian rust-doc): the books, and the API pages of
    # std, core and alloc (core's are ~28,000 templated intrinsics pages)
    'rust-doc': lambda: gen_html_skip(DOC + '/rust-doc/html/**/*.html', DOC + '/rust-doc/html',
                                      lambda p: '/html/src/' in p),
    'openjdk-src': gen_zip_java,
    # the Linux kernel's C sources but drivers/ and arch/ (Debian linux-source-6.1)
    'linux-src': gen_linux_src,
    'go-src': lambda: gen_text('/usr/share/go-1.19/src/**/*.go', '/usr/share/go-1.19'),
    'rust-src': lambda: gen_text('/usr/src/rustc-*/**/*.rs', '/usr/src'),
}


def extract(names):
    for name in names:
        n = b = 0
        with open(f'{OUT}/{name}.jsonl', 'w', encoding='utf-8') as f:
            for did, text in EXTRA[name]():
                text = text.strip()
                if not text:
                    continue
                n += 1
                b += len(text.encode('utf-8'))
                f.write(json.dumps({'id': f'{name}/{did}', 'text': text},
                                   ensure_ascii=False) + '\n')
        print(f'{name}: {n} docs, {b / 1e6:.1f} MB', flush=True)


def assemble(path, target, names):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute('PRAGMA journal_mode=OFF')
    db.execute('PRAGMA synchronous=OFF')
    db.execute('CREATE TABLE docs(id INTEGER PRIMARY KEY, source TEXT, '
               'name TEXT, copy INTEGER, text TEXT)')
    total, copy, per = 0, 1, {}
    while total < target:
        before = total
        for name in names:
            if total >= target:
                break
            rows = []
            with open(f'{OUT}/{name}.jsonl', encoding='utf-8') as f:
                for line in f:
                    o = json.loads(line)
                    n = len(o['text'].encode('utf-8'))
                    if total + n > target and total > 0:
                        total = target     # cut here
                        break
                    rows.append((name, o['id'], copy, o['text']))
                    total += n
                    per[(name, copy)] = per.get((name, copy), 0) + n
            db.executemany('INSERT INTO docs(source, name, copy, text) '
                           'VALUES (?, ?, ?, ?)', rows)
        if total == before:
            sys.exit('corpus_1g.py: the corpora are empty')
        copy += 1
    db.commit()
    got = db.execute('SELECT count(*), sum(length(CAST(text AS BLOB))), '
                     'sum(CASE WHEN copy > 1 THEN length(CAST(text AS BLOB)) END) '
                     'FROM docs').fetchone()
    db.close()
    print(f'{path}: {got[0]} docs, {got[1] / 1e6:.1f} MB of text')
    for (name, c), b in per.items():
        print(f'  {name:16s} copy {c}: {b / 1e6:8.1f} MB')
    rep = got[2] or 0
    if rep:
        print(f'  REPEATED: {rep / 1e6:.1f} MB ({100 * rep / got[1]:.0f}%) are copies '
              f'(copy > 1) of documents already in the corpus')
    else:
        print('  no corpus taken twice')


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'extract':
        extract(sys.argv[2:])
    elif len(sys.argv) >= 5 and sys.argv[1] == 'assemble':
        assemble(sys.argv[2], int(float(sys.argv[3])), sys.argv[4:])
    else:
        sys.exit(__doc__)
