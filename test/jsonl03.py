# The round trip read_jsonl -> write_jsonl -> read_jsonl gives back the same
# objects (issue 13), on real text: the 43 pages of examples/data/
# sqlite-doc.json as JSON Lines with nested metadata, a big integer, a
# float and the text written both raw and with \u escapes, plus random
# objects of every JSON shape (unicode, escapes, nesting, integers past 64
# bits).  Each file is read and written back plain, gzip and zstd, in
# shards, and read again: the lines come back byte for byte, and json.loads
# of each equals the object written.  Then the text column of the table
# form is written with json_object() and read back equal.
# Prints the seed, then "N files, N lines, M differ".
# Run by jsonl03.test: python3 jsonl03.py LIBRARY DIR CORPUS [SEED]
import json, os, random, sqlite3, sys

lib, tmp, corpus = sys.argv[1], sys.argv[2], sys.argv[3]
seed = int(sys.argv[4]) if len(sys.argv) > 4 else random.randrange(1 << 30)
print("jsonl03: seed", seed)
rnd = random.Random(seed)
con = sqlite3.connect(':memory:')
con.enable_load_extension(True)
con.load_extension(lib)

pages = json.load(open(corpus, encoding='utf-8'))
objs = []
for p in pages:
    objs.append({"id": p["id"], "text": p["text"],
                 "meta": {"url": "https://sqlite.org/" + p["path"],
                          "title": p["title"], "tags": ["sqlite", "doc"],
                          "hash": 2**64 + p["id"], "score": p["id"] / 7}})
CHARS = ['a', 'é', '€', '😀', '中', '"', '\\', '\n', '\t', '\x01', '\u2028', 'ÿ']
def rvalue(d):
    k = rnd.randrange(7 if d < 3 else 4)
    if k == 0: return ''.join(rnd.choice(CHARS) for _ in range(rnd.randrange(20)))
    if k == 1: return rnd.choice([2**63, -2**63 - 1, 10**40, 0, -5, 1.5e-300, 0.1])
    if k == 2: return rnd.choice([True, False, None])
    if k == 3: return rnd.randrange(-10**9, 10**9)
    if k < 6: return {str(i) + rnd.choice(CHARS): rvalue(d + 1) for i in range(rnd.randrange(4))}
    return [rvalue(d + 1) for _ in range(rnd.randrange(4))]
for _ in range(300):
    objs.append({"id": rnd.randrange(10**6), "v": rvalue(0)})

lines = [json.dumps(o, ensure_ascii=rnd.random() < 0.3) for o in objs]
src = os.path.join(tmp, 'src.jsonl')
with open(src, 'w', encoding='utf-8') as f:
    f.write('\n'.join(lines) + '\n')

bad = nfiles = nlines = 0
def read_back(pattern):
    return [r[0] for r in con.execute(
        "SELECT json FROM read_jsonl(?) ORDER BY file, line", (pattern,))]

for ext in ('jsonl', 'jsonl.gz', 'jsonl.zst'):
    for shard in ('', 'shard_rows=37', 'shard_bytes=100000'):
        name = 'out%d' % nfiles
        path = os.path.join(tmp, name + '.' + ext)
        con.execute("SELECT write_jsonl(?, json, ?) FROM read_jsonl(?)",
                    (path, shard, src)).fetchall()
        got = read_back(os.path.join(tmp, name + '*.' + ext))
        nfiles += 1
        if got != lines:
            bad += 1
            print("%s %s: %d lines back, %d differ" % (ext, shard, len(got),
                  sum(1 for a, b in zip(got, lines) if a != b)))
        for g, o in zip(got, objs):
            nlines += 1
            if json.loads(g) != o:
                bad += 1

# the table form's columns, written with json_object() and read back
con.execute("CREATE VIRTUAL TABLE temp.t USING read_jsonl('%s', "
            "'columns=id,text,url:meta.url,hash:meta.hash')" % src)
out = os.path.join(tmp, 'cols.jsonl.zst')
con.execute("SELECT write_jsonl(?, json_object('id', id, 'text', text, 'url', url)) "
            "FROM temp.t WHERE text IS NOT NULL", (out,)).fetchall()
back = [json.loads(l) for l in read_back(out)]
want = [{"id": o["id"], "text": o["text"], "url": o["meta"]["url"]}
        for o in objs if "text" in o]
nfiles += 1
if back != want:
    bad += 1
    print("columns: %d objects back, want %d" % (len(back), len(want)))
hashes = [r[0] for r in con.execute("SELECT hash FROM temp.t WHERE hash IS NOT NULL")]
if hashes != [str(o["meta"]["hash"]) for o in objs if "meta" in o]:
    bad += 1
    print("big integers not kept exact")
print("%d files, %d lines, %d differ" % (nfiles, nlines, bad))
