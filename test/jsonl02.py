# read_jsonl() against Python's json.loads on random JSON Lines files:
# objects with unicode (astral characters, combining marks, text written
# with \u escapes or raw), every escape, nested objects and arrays, integers
# at and past 64 bits, floats, duplicate names, white space, CRLF, blank
# lines and a BOM, in plain, gzip (several members, a line split between
# two) and zstd files.  Every field of every line is compared with the
# value json.loads gives, as read_jsonl documents its columns: a string
# unescaped (a lone surrogate or \u0000 as U+FFFD), an integer as INTEGER
# within 64 bits and as its digits past them, a float as REAL, true/false
# as 1/0, an object or array as JSON text that loads to the same value.
# Prints the seed, then "N files, N lines, N values, M differ".
# Run by jsonl02.test: python3 jsonl02.py LIBRARY DIR [SEED]
import gzip, json, os, random, re, sqlite3, subprocess, sys

lib, tmp = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else random.randrange(1 << 30)
print("jsonl02: seed", seed)
rnd = random.Random(seed)
con = sqlite3.connect(':memory:')
con.enable_load_extension(True)
con.load_extension(lib)

CHARS = ['a', 'Z', ' ', 'é', '€', '😀', '中', '\u0301', '"', '\\', '/', '\n',
         '\t', '\r', '\b', '\f', '\x01', '\x1f', '\u2028', '\ufeff', 'ÿ',
         '\U0010ffff', '\x7f']
NAMES = ['id', 'text', 'meta', 'url', 'n', 'x y', 'é', 'a"b']


def rstring():
    return ''.join(rnd.choice(CHARS) for _ in range(rnd.randrange(0, 30)))


def rnumber():
    k = rnd.randrange(8)
    if k == 0:
        return rnd.choice([0, -1, 2**63 - 1, -2**63, 2**63, -2**63 - 1,
                           2**64, 10**30, -10**25])
    if k == 1:
        return rnd.choice([0.5, -0.0, 1e300, 1.5e-300, 3.141592653589793,
                           1e22, 123456.789])
    if k == 2:
        return rnd.uniform(-1e6, 1e6)
    return rnd.randrange(-10**12, 10**12)


def rvalue(depth):
    k = rnd.randrange(9 if depth < 4 else 5)
    if k < 2:
        return rstring()
    if k < 4:
        return rnumber()
    if k == 4:
        return rnd.choice([True, False, None])
    if k < 7:
        return {rnd.choice(NAMES): rvalue(depth + 1)
                for _ in range(rnd.randrange(0, 4))}
    return [rvalue(depth + 1) for _ in range(rnd.randrange(0, 4))]


def rline():
    obj = {rnd.choice(NAMES): rvalue(0) for _ in range(rnd.randrange(0, 6))}
    text = json.dumps(obj, ensure_ascii=rnd.random() < 0.5,
                      separators=rnd.choice([(',', ':'), (', ', ': ')]))
    if rnd.random() < 0.1 and obj:              # a duplicate name, last wins
        name = rnd.choice(list(obj))
        dup = rvalue(1)
        text = text[:-1] + (', ' if len(obj) else '') + \
            json.dumps(name) + ': ' + json.dumps(dup) + '}'
    if rnd.random() < 0.05:                     # escapes json.dumps never makes
        text = text[:-1] + (', ' if obj else '') + \
            '"esc": "\\ud83d\\ude00\\ud800x\\u0000\\/\\u00E9"}'
    if rnd.random() < 0.1:
        text = '  ' + text + ' \t'
    return text


def expect(v):
    """A value as read_jsonl's column gives it, in Python's types."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v if -2**63 <= v < 2**63 else str(v)
    if isinstance(v, str):
        return re.sub('[\ud800-\udfff\x00]', '\ufffd', v)
    return v


def same(want, got, col):
    if isinstance(want, (dict, list)):
        return isinstance(got, str) and json.loads(got) == \
            json.loads(json.dumps(want)) and col
    if isinstance(want, float) and isinstance(got, float):
        return want == got or (want != want and got != got)
    return type(want) == type(got) and want == got


nfiles = nlines = nvalues = bad = 0
for f in range(60):
    lines = [rline() for _ in range(rnd.randrange(1, 40))]
    raw_lines = []
    for i, text in enumerate(lines):
        raw_lines.append(text.encode())
        if rnd.random() < 0.1:
            raw_lines.append(rnd.choice([b'', b'   ', b'\t']))
    eols = [rnd.choice([b'\n', b'\r\n']) for _ in raw_lines]
    data = b''.join(l + e for l, e in zip(raw_lines, eols))
    if rnd.random() < 0.3:
        data = data.rstrip(b'\r\n')              # no final newline
    if rnd.random() < 0.2:
        data = b'\xef\xbb\xbf' + data
    kind = rnd.choice(['plain', 'gzip', 'zstd'])
    path = os.path.join(tmp, 'f%d.data' % f)
    if kind == 'gzip':
        cut = rnd.randrange(len(data) + 1)     # members split anywhere
        out = gzip.compress(data[:cut]) + gzip.compress(data[cut:])
    elif kind == 'zstd':
        out = subprocess.run(['zstd', '-q', '-c'], input=data,
                             stdout=subprocess.PIPE, check=True).stdout
    else:
        out = data
    with open(path, 'wb') as fd:
        fd.write(out)
    nfiles += 1
    # what Python reads: the non-blank lines, a BOM dropped
    want = [json.loads(l) for l in
            data.decode('utf-8-sig').split('\n') if l.strip(' \t\r')]
    con.execute("DROP TABLE IF EXISTS temp.t")
    spec = [('c%d' % i, n) for i, n in enumerate(NAMES)] + [('cmu', 'meta.url')]
    cols = ','.join('%s:%s' % c for c in spec)
    opts = 'columns="%s"' % cols.replace('"', '""')
    con.execute("CREATE VIRTUAL TABLE temp.t USING read_jsonl('%s', '%s')"
                % (path, opts.replace("'", "''")))
    names = [c[0] for c in spec]
    paths = [c[1] for c in spec]
    rows = con.execute('SELECT json, %s FROM temp.t' %
                       ', '.join('"%s"' % n for n in names)).fetchall()
    if len(rows) != len(want):
        bad += 1
        print("file %d: %d rows, want %d" % (f, len(rows), len(want)))
        continue
    for row, obj in zip(rows, want):
        nlines += 1
        if json.loads(row[0]) != obj and '\\u0000' not in row[0] \
                and '\\ud800' not in row[0]:
            bad += 1
            print("file %d: json %r" % (f, row[0]))
        for name, p, got in zip(names, paths, row[1:]):
            nvalues += 1
            v = obj
            for key in p.split('.'):
                v = v.get(key) if isinstance(v, dict) else None
            if v is None:
                ok = got is None
            else:
                ok = same(expect(v), got, True)
            if not ok:
                bad += 1
                if bad < 10:
                    print("file %d column %s: want %r got %r" %
                          (f, name, expect(v), got))
print("%d files, %d lines, %d values, %d differ" % (nfiles, nlines, nvalues, bad))
