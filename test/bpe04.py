# detokenize() decodes the tokens' bytes as tiktoken's decode() does,
# bytes.decode("utf-8", errors="replace"): a slice of a text's tokens may
# hold part of a character, and the TEXT result is valid UTF-8 (issue 12,
# item 6; it returned the raw bytes).  Random texts of multi-byte
# characters, a random slice of their tokens in each encoding; the bytes of
# each token are known from tokens()' spans.  Prints the seed, then
# "N slices, M differ".  Run by bpe04.test: python3 bpe04.py LIBRARY [SEED]
import json, random, sqlite3, sys

con = sqlite3.connect(':memory:')
con.enable_load_extension(True)
con.load_extension(sys.argv[1])
con.text_factory = bytes
seed = int(sys.argv[2]) if len(sys.argv) > 2 else random.randrange(1 << 30)
print("bpe04: seed", seed)
rnd = random.Random(seed)
CHARS = ['a', 'é', '€', '😀', ' ', '中', 'ß', '\u0301', 'x', '\n']
n = bad = 0
for enc in ('r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'):
    for trial in range(250):
        s = ''.join(rnd.choice(CHARS) for _ in range(rnd.randrange(1, 12)))
        raw = s.encode()
        rows = con.execute('SELECT start, "end", token_id FROM tokens(?, ?)',
                           (s, enc)).fetchall()
        i = rnd.randrange(len(rows))
        j = rnd.randrange(i, len(rows)) + 1
        ids = json.dumps([r[2] for r in rows[i:j]])
        want = b''.join(raw[a:b] for a, b, _ in rows[i:j])
        want = want.decode('utf-8', 'replace').encode()
        got = con.execute("SELECT detokenize(?, ?)", (ids, enc)).fetchone()[0]
        n += 1
        if got != want:
            bad += 1
            if bad <= 5:
                print("differ:", enc, repr(s), ids, got, want)
print("%d slices, %d differ" % (n, bad))
