# Every TEXT result and every error message of every SQL function and
# table-valued function of the extension is valid UTF-8, whatever bytes the
# arguments hold: each argument in turn is given invalid UTF-8 (lone bytes,
# a truncated sequence, an encoded surrogate, a two-byte character cut by a
# 40-byte quote), the others a set of ordinary values.  Python's sqlite3
# decodes strictly: an invalid message raises UnicodeDecodeError instead of
# sqlite3.Error.  Prints one line per problem, then "checked N calls, M
# problems".  Run by utf8_02.test: python3 utf8_02.py LIBRARY
import itertools, os, shutil, sqlite3, sys, tempfile

# write_jsonl() creates files named by its arguments: in a directory of
# their own, not wherever the suite runs
lib = os.path.abspath(sys.argv[1])
scratch = tempfile.mkdtemp(prefix='utf8_02-')
os.chdir(scratch)

plain = sqlite3.connect(':memory:')
con = sqlite3.connect(':memory:')
con.enable_load_extension(True)
con.load_extension(lib)
def names(c, sql):
    return {tuple(r) for r in c.execute(sql)}
funcs = sorted(names(con, "SELECT name, narg FROM pragma_function_list")
               - names(plain, "SELECT name, narg FROM pragma_function_list"))
mods = sorted(n for (n,) in names(con, "SELECT name FROM pragma_module_list")
              - names(plain, "SELECT name FROM pragma_module_list"))
# an index to check texts against, holding invalid UTF-8 itself
con.execute("CREATE VIRTUAL TABLE ix USING ngram_index(n=2)")
con.execute("INSERT INTO ix(text, source) VALUES (CAST(? AS TEXT), ?)",
            (b'a \xc3\xa9\xc3\xa9 b c d \xff\xfe x', b'src\xff'))
con.text_factory = bytes

BAD = [b'a' + b'\xc3\xa9' * 29 + b'\xff\xfe\xed\xa0\x80 b c d e f g h i j k l m n',
       b'{"a": "x\xff\xc3", "b": ["\xe2\x82"]} {{a}} {{b}} {{#b}}{{.}}{{/b}}',
       b'[{"text": "a\xff b", "label": 1}]',
       b'unit=\xff', b'n=3, \xc3']
OTHER = [None, 'x', '{"a": 1, "b": ["y"]}', 'n=3', 1, 'cl100k_base', '[1,2]',
         'a b c d e f g h i j k l m n o p', '{{a}} {{b}}', 'ix']
calls = problems = 0

def check(what, sql, params):
    global calls, problems
    calls += 1
    try:
        for row in con.execute(sql, params).fetchall():
            for t, v in zip(row[0::2], row[1::2]):
                if t == b'text':
                    try:
                        v.decode('utf-8')
                    except UnicodeDecodeError:
                        problems += 1
                        print('PROBLEM result', what, v[:80])
    except sqlite3.Error:
        pass
    except UnicodeDecodeError as e:
        problems += 1
        print('PROBLEM message', what, e)

def arg(j, i):
    return 'CAST(? AS TEXT)' if j == i else '?'

for (name, narg), bad in itertools.product(funcs, BAD):
    for i in range(max(narg, 0)):
        for combo in itertools.product(OTHER, repeat=narg - 1):
            params = list(combo[:i]) + [bad] + list(combo[i:])
            sql = 'SELECT typeof(x), x FROM (SELECT %s(%s) AS x)' % (
                name, ', '.join(arg(j, i) for j in range(narg)))
            check('%s/%d arg %d' % (name, narg, i + 1), sql, params)

for mod in mods:
    cols = list(con.execute("SELECT name, hidden FROM pragma_table_xinfo(?)",
                            (mod,)))
    if not cols:
        continue       # not eponymous (ngram_index: crafted01 and decontam*)
    out = [c[0].decode() for c in cols if c[1] == 0]
    nhid = sum(1 for c in cols if c[1] != 0)
    sel = ', '.join('typeof("%s"), "%s"' % (c, c) for c in out)
    for bad in BAD:
        for i in range(nhid):
            for combo in itertools.product(OTHER, repeat=nhid - 1):
                params = list(combo[:i]) + [bad] + list(combo[i:])
                sql = 'SELECT %s FROM %s(%s)' % (
                    sel, mod, ', '.join(arg(j, i) for j in range(nhid)))
                check('%s arg %d' % (mod, i + 1), sql, params)

print('checked %d calls, %d problems' % (calls, problems))
shutil.rmtree(scratch)
