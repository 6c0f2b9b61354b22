#!/usr/bin/python3
"""Parity of substring_dups() with the public tool's ExactSubstr.

google-research/deduplicate-text-datasets (Lee et al. 2022; commit 4e9888a,
"Fix issue #45") removes repeated substrings in three steps:
load_dataset*.py writes the documents into one file, each after a separator
b"\\xff\\xff" + its number (a little-endian uint32, from 1); `self-similar`
writes every suffix of each run of the suffix array whose first
length_threshold bytes are equal; `collect` sorts those positions and merges
[p, p + length_threshold) into ranges.  This script does the two Rust
steps again in Python, following src/main.rs line by line (cmd_self_similar's
worker, its split among num_threads, and cmd_collect), since the tool needs
crates that are not here offline, and compares the bytes each document
loses with substring_dups's spans over the same documents.

The suffix array is the one the tool builds (table.rs): the suffix array of
a byte string is unique, so any correct construction gives the tool's.  It
is built with libdivsufsort (ctypes) when present, else by sorting in
Python, and checked either way: a permutation of the positions, each suffix
less than the next.

The tool's ranges are in the file; a document's removed bytes are the
ranges' bytes inside its text (finish_single_file.py cuts the file itself,
separators included).  Three comparisons, by the rules' differences
(docs/substr.md, "The public tool"):
  tool         the tool's ranges, clipped to each document's text
  in_doc       the same, without the windows that overlap a separator
               (ours never cross a document's edge)
  in_doc_cp    in_doc's ranges shrunk to code-point boundaries, those left
               shorter than length_threshold dropped (our rule)
in_doc_cp must equal ours exactly; "tool" differs from in_doc only by the
separator windows, in_doc from in_doc_cp only by the shrinking.  (With
--num-threads above 1, the tool's default 8, a tiny file can also lose a
run among the last suffixes, which no worker reads: then in_doc_cp differs
too, as docs/substr.md shows.)

Usage:
  substr-parity.py LIB [--jsonl FILE | --json FILE | --example | --text T ...]
                   [--id-match REGEX] [--max-docs N] [--max-bytes B]
                   [--length-threshold L] [--frequency-threshold F]
                   [--num-threads T] [--show]
LIB is dist/corpus.so.  The documents: a JSON Lines file ({"text": ...} a
line), a JSON array of such objects, docs/substr.md's example, or --text
given once per document; --id-match keeps those whose "id" matches,
--max-docs and --max-bytes the first ones that fit.  The tool's options
default as its own do (length threshold 100 here, as its README runs it).
--show prints the collect output and each document's ranges.  Prints one
summary line per comparison; exits 1 when in_doc_cp differs from ours.
"""
import argparse, ctypes, ctypes.util, heapq, json, re, sqlite3, struct, sys

EXAMPLE = [
    "Alpha. This paragraph is shared by every page of the site. Alpha only.",
    "Beta: This paragraph is shared by every page of the site. Then beta.",
    "This paragraph is shared by every page of the site. Gamma, gamma.",
]

# ---- the data file (scripts/load_dataset_hf.py) --------------------------------

def load_dataset(texts):
    """The file and its .size offsets, as load_dataset_hf.py writes them."""
    out = bytearray()
    sizes = [0]
    uid = 0
    for x in texts:
        uid += 1
        next_line = b"\xff\xff" + struct.pack("<I", uid) + x
        out += next_line
        sizes.append(sizes[-1] + len(next_line))
    return bytes(out), sizes

# ---- the suffix array (what `make` writes) ------------------------------------

def suffix_array(text):
    n = len(text)
    lib = ctypes.util.find_library("divsufsort64")
    if lib and n > 0:
        sa = (ctypes.c_int64 * n)()
        rc = ctypes.CDLL(lib).divsufsort64(text, sa, ctypes.c_int64(n))
        if rc != 0:
            sys.exit("divsufsort64 failed: %d" % rc)
        sa = list(sa)
    else:
        sa = sorted(range(n), key=lambda i: text[i:])
    # the check: a permutation, in order
    seen = bytearray(n)
    for p in sa:
        if p < 0 or p >= n or seen[p]:
            sys.exit("not a suffix array: position %d" % p)
        seen[p] = 1
    for i in range(1, n):
        a, b, k = sa[i - 1], sa[i], 64
        while True:
            x, y = text[a:a + k], text[b:b + k]
            if x != y:
                ok = x < y
                break
            if a + k >= n or b + k >= n:    # one is a prefix of the other
                ok = a + k >= n             # the shorter comes first
                break
            k *= 2
        if not ok:
            sys.exit("not a suffix array: suffixes %d and %d out of order" % (a, b))
    return sa

# ---- self-similar (cmd_self_similar) ------------------------------------------

U64_MAX = (1 << 64) - 1

def self_similar(text, table, length_threshold, frequency_threshold, num_threads):
    """The dups files: one list of positions per worker."""
    def worker(start, end):
        pos = [start]                        # make_table(..., start, ratio)
        def next_pointer_canfail():
            if pos[0] >= len(table):
                return U64_MAX
            p = table[pos[0]]
            pos[0] += 1
            return p
        def next_pointer():
            r = next_pointer_canfail()
            if r == U64_MAX:
                raise RuntimeError("Reached EOF badly")
            return r
        prev_location = next_pointer()
        dups = []
        i = start
        pairs = []
        while i < end:
            suf1 = prev_location             # text[prev_location..]
            first = True
            while True:
                cur_location = next_pointer_canfail()
                i += 1
                if cur_location == U64_MAX:
                    break
                suf2 = cur_location
                does_match = (len(text) - suf2 >= length_threshold
                              and len(text) - suf1 >= length_threshold
                              and text[suf1:suf1 + length_threshold]
                                  == text[suf2:suf2 + length_threshold])
                if does_match:
                    if not first:
                        pairs.append(cur_location)
                    else:
                        pairs.append(prev_location)
                        pairs.append(cur_location)
                        first = False
                else:
                    break
            if len(pairs) > frequency_threshold:
                dups.extend(pairs)           # only_save_one: false
            pairs = []
            prev_location = cur_location
        return dups

    n = len(text)
    increment = int((n - num_threads) / num_threads)  # i64 division: truncates
    out = []
    for i in range(num_threads):
        start = max(0, i * increment - 1)
        end = min((i + 1) * increment, n)
        out.append(worker(start, end))
    return out

# ---- collect (cmd_collect) ----------------------------------------------------

def collect(outputs, length_threshold):
    """The byte ranges [a, b) of the file that collect prints after 'out'."""
    outputs = [sorted(o) for o in outputs]
    heap = [(o[0], 0, k) for k, o in enumerate(outputs) if o]
    heapq.heapify(heap)
    ranges = []
    if not heap:
        return ranges                        # "No duplicates found!"
    data_pointer, index, which = heapq.heappop(heap)
    prev_start = data_pointer
    prev_end = data_pointer + length_threshold
    if index + 1 < len(outputs[which]):
        heapq.heappush(heap, (outputs[which][index + 1], index + 1, which))
    while heap:
        data_pointer, index, which = heapq.heappop(heap)
        if data_pointer <= prev_end:         # overlapping or touching
            prev_end = data_pointer + length_threshold
        else:
            ranges.append((prev_start, prev_end))
            prev_start = data_pointer
            prev_end = data_pointer + length_threshold
        if index + 1 < len(outputs[which]):
            heapq.heappush(heap, (outputs[which][index + 1], index + 1, which))
    ranges.append((prev_start, prev_end))
    return ranges

# ---- per document ---------------------------------------------------------------

def merge(iv):
    """Sorted, merged, non-empty intervals."""
    out = []
    for s, e in sorted(iv):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(x) for x in out]

def per_doc(ranges, sizes):
    """Each document's ranges, in offsets of its text (clipped to it)."""
    docs = [[] for _ in range(len(sizes) - 1)]
    k = 0
    for a, b in ranges:
        while k < len(docs) and sizes[k + 1] <= a:
            k += 1
        j = k
        while j < len(docs) and sizes[j] < b:
            t0 = sizes[j] + 6
            s, e = max(a, t0), min(b, sizes[j + 1])
            if s < e:
                docs[j].append((s - t0, e - t0))
            j += 1
    return [merge(d) for d in docs]

def boundary(z, x):
    return x == 0 or x >= len(z) or (z[x] & 0xC0) != 0x80

def shrink(docs, texts, L):
    out = []
    for d, z in zip(docs, texts):
        r = []
        for s, e in d:
            while s < e and not boundary(z, s): s += 1
            while e > s and not boundary(z, e): e -= 1
            if e - s >= L:
                r.append((s, e))
        out.append(r)
    return out

def ours(lib, texts, L, min_count):
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(lib)
    db.execute("CREATE TABLE docs(id INTEGER PRIMARY KEY, text)")
    db.executemany("INSERT INTO docs VALUES (?, ?)",
                   ((i + 1, t.decode("utf-8", "surrogateescape")
                     if is_utf8(t) else t) for i, t in enumerate(texts)))
    out = [[] for _ in texts]
    for doc, s, e in db.execute(
            "SELECT doc, start, end FROM substring_dups('docs', ?)",
            ("min_length=%d min_count=%d" % (L, min_count),)):
        out[doc - 1].append((s, e))
    db.close()
    return [merge(d) for d in out]

def is_utf8(b):
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False

def nbytes(docs):
    return sum(e - s for d in docs for s, e in d)

def differ(a, b):
    return [i for i in range(len(a)) if a[i] != b[i]]

# ---- main ---------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("--jsonl")
    ap.add_argument("--json")
    ap.add_argument("--example", action="store_true")
    ap.add_argument("--text", action="append")
    ap.add_argument("--id-match")
    ap.add_argument("--max-docs", type=int, default=0)
    ap.add_argument("--max-bytes", type=int, default=0)
    ap.add_argument("--length-threshold", type=int, default=100)
    ap.add_argument("--frequency-threshold", type=int, default=0)
    ap.add_argument("--num-threads", type=int, default=8)
    ap.add_argument("--show", action="store_true")
    a = ap.parse_args()

    if a.jsonl:
        rows = (json.loads(line) for line in open(a.jsonl, encoding="utf-8"))
    elif a.json:
        rows = json.load(open(a.json, encoding="utf-8"))
    elif a.text:
        rows = [{"text": t} for t in a.text]
    else:
        rows = [{"text": t} for t in EXAMPLE]
    texts, total = [], 0
    for r in rows:
        t = r.get("text")
        if t is None or (a.id_match and not re.search(a.id_match, str(r.get("id")))):
            continue
        b = t.encode("utf-8", "surrogatepass")
        if a.max_bytes and total + len(b) > a.max_bytes:
            break
        texts.append(b)
        total += len(b)
        if a.max_docs and len(texts) >= a.max_docs:
            break

    L = a.length_threshold
    data, sizes = load_dataset(texts)
    table = suffix_array(data)
    dups = self_similar(data, table, L, a.frequency_threshold, a.num_threads)
    ranges = collect(dups, L)
    tool = per_doc(ranges, sizes)
    # the same without the windows that overlap a separator
    seps = [(sizes[k], sizes[k] + 6) for k in range(len(texts))]
    def inside(p):
        k = _doc_of(sizes, p)
        return p >= sizes[k] + 6 and p + L <= sizes[k + 1]
    dups_in = [[p for p in d if inside(p)] for d in dups]
    in_doc = per_doc(collect(dups_in, L), sizes)
    in_doc_cp = shrink(in_doc, texts, L)
    mine = ours(a.lib, texts, L, max(2, a.frequency_threshold + 1))

    if a.show:
        print("collect: out")
        for x, y in ranges:
            print("%d %d" % (x, y))
        for i, d in enumerate(tool):
            print("doc %d: tool %s ours %s" % (i + 1, fmt(d), fmt(mine[i])))
    print("%d documents, %d bytes, length_threshold %d, %d ranges" %
          (len(texts), total, L, len(ranges)))
    for name, x in (("tool", tool), ("in_doc", in_doc), ("in_doc_cp", in_doc_cp)):
        dd = differ(x, mine)
        print("%-9s removes %d bytes, ours %d: %d documents differ" %
              (name, nbytes(x), nbytes(mine), len(dd)))
        if dd and name == "in_doc_cp":
            for i in dd[:5]:
                print("  document %d: %s against ours %s" % (i + 1, fmt(x[i]), fmt(mine[i])))
    return 1 if differ(in_doc_cp, mine) else 0

def _doc_of(sizes, p):
    lo, hi = 0, len(sizes) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if sizes[mid] <= p: lo = mid
        else: hi = mid
    return lo

def fmt(d):
    return "[" + ", ".join("[%d, %d)" % x for x in d) + "]"

if __name__ == "__main__":
    sys.exit(main())
