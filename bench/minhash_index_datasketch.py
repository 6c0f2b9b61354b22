#!/usr/bin/python3
"""datasketch's in-memory MinHashLSH on the documents of bench/minhash_index.tcl,
which runs this script after its own figures (issue 15: the comparison in the
same run).

    /usr/bin/python3 bench/minhash_index_datasketch.py --datasketch DIR
        --lib dist/corpus --docs DOCS.db --prep PREP.db [--n 100000,1000000]
        [--sign-n 100000] [--pickle-n 100000]

DIR is a copy of datasketch's public source tree (the directory holding
datasketch/lsh.py), used through sys.path: it is not vendored here.  Get it
with `git clone https://github.com/ekzhu/datasketch DIR`, and numpy and scipy
from Debian (`apt-get install python3-numpy python3-scipy`).  PREP.db is the
file minhash_index.tcl prepares: ix(k, id, sig) the indexed documents in
order, q(k, id, kind, source_id, sig, text) the held-out queries.

What it measures, with MinHashLSH(threshold=0.8, num_perm=128,
weights=(0.05, 0.95)) (the b and r it picks are printed):
 - signing --sign-n documents with datasketch's MinHash (num_perm=128, its
   default SHA-1 and Mersenne-prime permutations, seed 1), the way
   MinHash.generator does it (a copy of one template, then update_batch).
   Its shingles are exactly ours: the `ngram` column of the extension's
   ngrams(normalize(text), 5), word 5-grams of the normalized text joined by
   one space, as UTF-8 bytes; extracting them (SQL) is timed apart.  Next to
   it, minhash(text) over the same documents in the same process.
 - inserting n signatures into MinHashLSH (lsh.insert(id, m), one by one, the
   default check_duplication=True), at every --n.  The signatures are the
   index's own (minhash()'s 128 slot values as a LeanMinHash, seed 1), made
   before the clock starts, so the candidate sets are those of minhash_index
   and the answers can be compared with its.  Memory: this process's RSS
   before and after (VmRSS) and its peak (ru_maxrss); at --pickle-n, the size
   and time of pickle.dump(lsh) (datasketch's way to keep an index).
 - the queries: lsh.query(m) alone, and lsh.query(m) then the estimated
   Jaccard of each candidate (m.jaccard), those >= 0.8, best 10 (what the
   index's MATCH query returns); with a signature, and with a text (its
   shingling and datasketch signing included in the time).
Figures, never a verdict.
"""
import argparse
import gc
import os
import pickle
import resource
import sqlite3
import sys
import time


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1000.0
    return float("nan")


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000.0


def pct(sorted_s, p):
    k = max(0, min(len(sorted_s) - 1, int(-(-p * len(sorted_s) // 1)) - 1))
    return sorted_s[k]


def lat_line(what, times):
    s = sorted(times)
    print("   %-44s %8.3f %8.3f %8.3f %8.3f %8.3f" % (
        what, pct(s, 0.5) * 1e3, pct(s, 0.9) * 1e3, pct(s, 0.99) * 1e3,
        s[-1] * 1e3, sum(s) / len(s) * 1e3))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasketch", required=True,
                    help="datasketch's source tree (holds datasketch/lsh.py)")
    ap.add_argument("--lib", required=True, help="the extension without suffix")
    ap.add_argument("--docs", required=True)
    ap.add_argument("--prep", required=True)
    ap.add_argument("--n", default="100000,1000000")
    ap.add_argument("--sign-n", type=int, default=100000)
    ap.add_argument("--pickle-n", default=None,
                    help="the n at which to pickle the LSH (default: the smallest)")
    a = ap.parse_args()
    ns = sorted(int(x) for x in a.n.split(","))
    pickle_ns = set(int(x) for x in a.pickle_n.split(",")) if a.pickle_n else {ns[0]}

    sys.path.insert(0, os.path.abspath(a.datasketch))
    import numpy as np
    import scipy
    import datasketch
    from datasketch import LeanMinHash, MinHash, MinHashLSH

    ver = "?"
    try:
        with open(os.path.join(a.datasketch, "pyproject.toml")) as f:
            for line in f:
                if line.startswith("version"):
                    ver = line.split("=")[1].strip().strip('"')
                    break
    except OSError:
        pass
    print("== datasketch %s (%s), numpy %s, scipy %s, Python %s" % (
        ver, os.path.dirname(datasketch.__file__), np.__version__, scipy.__version__,
        sys.version.split()[0]))

    con = sqlite3.connect(a.prep)
    con.enable_load_extension(True)
    con.load_extension(os.path.abspath(a.lib))
    con.execute("ATTACH ? AS src", (a.docs,))

    t0 = time.perf_counter()
    lsh0 = MinHashLSH(threshold=0.8, num_perm=128, weights=(0.05, 0.95))
    print("   MinHashLSH(threshold=0.8, num_perm=128, weights=(0.05, 0.95)) picks b=%d, r=%d"
          " (its parameter search took %.2f s)" % (lsh0.b, lsh0.r, time.perf_counter() - t0))
    params = (lsh0.b, lsh0.r)
    del lsh0

    shingle_sql = "SELECT ngram FROM ngrams(normalize(?), 5)"

    def shingles(text):
        return [r[0].encode("utf-8") for r in con.execute(shingle_sql, (text,))]

    # ------------------------------------------------------------ signing
    sn = a.sign_n
    print("\n   signing the first %d indexed documents (one thread):" % sn)
    template = MinHash(num_perm=128, seed=1)
    t_sh = 0.0
    t_ds = 0.0
    nbytes = 0
    nsh = 0
    batch = []
    last_k = 0

    ds_ids = []
    ds_mhs = []       # datasketch's own signatures, for its end-to-end run

    def sign_batch(batch):
        t = time.perf_counter()
        out = []
        for sh in batch:
            m = template.copy()
            m.update_batch(sh)
            out.append(m)
        dt = time.perf_counter() - t
        ds_mhs.extend(LeanMinHash(m) for m in out)
        return dt

    cur = con.execute(
        "SELECT x.id, d.text FROM ix AS x JOIN src.docs AS d ON d.id = x.id WHERE x.k <= ? ORDER BY x.k",
        (sn,))
    for doc_id, text in cur.fetchall():
        nbytes += len(text.encode("utf-8"))
        t = time.perf_counter()
        sh = shingles(text)
        t_sh += time.perf_counter() - t
        nsh += len(sh)
        ds_ids.append(doc_id)
        batch.append(sh)
        if len(batch) == 1000:
            t_ds += sign_batch(batch)
            batch = []
    if batch:
        t_ds += sign_batch(batch)
    batch = []
    mbs = nbytes / 1e6
    t = time.perf_counter()
    con.execute(
        "SELECT count(minhash(d.text)) FROM ix AS x JOIN src.docs AS d ON d.id = x.id WHERE x.k <= ?",
        (sn,)).fetchone()
    t_ours = time.perf_counter() - t
    print("   %.1f MB of text, %d shingles (word 5-grams of normalize(text), from ngrams())" % (mbs, nsh))
    print("   %-52s %8.2f s %8.0f docs/s %7.2f MB/s" % (
        "datasketch MinHash, update_batch (shingles given)", t_ds, sn / t_ds, mbs / t_ds))
    print("   %-52s %8.2f s %8.0f docs/s %7.2f MB/s" % (
        "  the shingles' extraction (ngrams(), SQL), apart", t_sh, sn / t_sh, mbs / t_sh))
    print("   %-52s %8.2f s %8.0f docs/s %7.2f MB/s" % (
        "minhash(text) of the extension, same documents", t_ours, sn / t_ours, mbs / t_ours))
    print("   (peak RSS so far %.0f MB)" % peak_mb())

    # ------------------------------------------------------------ queries
    queries = []   # (kind, LeanMinHash from our signature, text)
    for kind, sig, text in con.execute("SELECT kind, sig, text FROM q ORDER BY k"):
        v = np.frombuffer(sig, dtype="<u4", offset=24).astype(np.uint64)
        queries.append((kind, LeanMinHash(seed=1, hashvalues=v), text))

    for n in ns:
        gc.collect()
        print("\n   == %d indexed documents" % n)
        r0 = rss_mb()
        t = time.perf_counter()
        ids = []
        mhs = []
        empty = 0
        for k, doc_id, sig in con.execute("SELECT k, id, sig FROM ix WHERE k <= ? ORDER BY k", (n,)):
            if sig[7] & 1:      # the empty signature: no bucket in the index either
                empty += 1
                continue
            v = np.frombuffer(sig, dtype="<u4", offset=24).astype(np.uint64)
            ids.append(doc_id)
            mhs.append(LeanMinHash(seed=1, hashvalues=v))
        store = dict(zip(ids, mhs))
        r1 = rss_mb()
        print("   %d LeanMinHash made from the index's signatures in %.1f s (untimed; %d empty skipped):"
              " +%.0f MB RSS (%.0f bytes/doc)" % (
                  len(mhs), time.perf_counter() - t, empty, r1 - r0, (r1 - r0) * 1e6 / n))
        lsh = MinHashLSH(num_perm=128, params=params)
        t = time.perf_counter()
        for doc_id, m in zip(ids, mhs):
            lsh.insert(doc_id, m)
        t_ins = time.perf_counter() - t
        r2 = rss_mb()
        print("   %-52s %8.2f s %8.0f docs/s" % ("MinHashLSH.insert, one by one", t_ins, n / t_ins))
        print("   memory: the LSH +%.0f MB RSS (%.0f bytes/doc); with the MinHash objects, +%.0f MB"
              " (%.0f bytes/doc); peak RSS of the process %.0f MB" % (
                  r2 - r1, (r2 - r1) * 1e6 / n, r2 - r0, (r2 - r0) * 1e6 / n, peak_mb()))
        if n in pickle_ns:
            path = a.prep + ".lsh.pickle"
            t = time.perf_counter()
            with open(path, "wb") as f:
                pickle.dump(lsh, f, protocol=pickle.HIGHEST_PROTOCOL)
            t_p = time.perf_counter() - t
            size = os.path.getsize(path)
            os.remove(path)
            print("   pickle.dump(lsh): %.1f s, %.0f MB (%.0f bytes/doc; the signatures, kept apart,"
                  " not included)" % (t_p, size / 1e6, size / n))

        # queries
        times = {"sig-lsh": {"dup": [], "new": []}, "sig": {"dup": [], "new": []}}
        hits = {"dup": 0, "new": 0}
        rows = 0
        simsum = 0.0
        cand = 0
        candmax = 0
        for kind, m, text in queries:
            t = time.perf_counter()
            c = lsh.query(m)
            times["sig-lsh"][kind].append(time.perf_counter() - t)
            cand += len(c)
            candmax = max(candmax, len(c))
        for kind, m, text in queries:
            t = time.perf_counter()
            res = [(m.jaccard(store[key]), key) for key in lsh.query(m)]
            res = sorted((x for x in res if x[0] >= 0.8), reverse=True)[:10]
            times["sig"][kind].append(time.perf_counter() - t)
            if res:
                hits[kind] += 1
            rows += len(res)
            simsum += sum(x[0] for x in res)
        nq = len(queries)
        print("   %d queries, each timed alone (perf_counter):" % nq)
        print("   %-44s %8s %8s %8s %8s %8s" % ("ms per query", "p50", "p90", "p99", "max", "mean"))
        for label, key in (("lsh.query(m) alone", "sig-lsh"),
                           ("query, jaccard >= 0.8, best 10", "sig")):
            for kind in ("dup", "new"):
                lat_line("%s, %s" % (label, kind), times[key][kind])
            lat_line("%s, all" % label, times[key]["dup"] + times[key]["new"])
        print("   candidates: %.1f a query on average, at most %d" % (cand / nq, candmax))
        print("   answers (signature queries): %d of %d dup queries and %d of %d new ones found a row"
              " >= 0.8; %d rows in all, similarities summing to %.4f" % (
                  hits["dup"], nq // 2, hits["new"], nq // 2, rows, simsum))
        del lsh, store, ids, mhs
        gc.collect()
    # ------------------------------------------------------------ end to end
    # datasketch alone: its own signatures of the first --sign-n documents,
    # and text queries signed by it (shingles, signing, query, ranking timed)
    gc.collect()
    print("\n   == end to end, datasketch's own signatures: the first %d documents (signed above)" % sn)
    lsh = MinHashLSH(num_perm=128, params=params)
    store = dict(zip(ds_ids, ds_mhs))
    t = time.perf_counter()
    for doc_id, m in zip(ds_ids, ds_mhs):
        lsh.insert(doc_id, m)
    t_ins = time.perf_counter() - t
    print("   %-52s %8.2f s %8.0f docs/s" % ("MinHashLSH.insert, one by one", t_ins, sn / t_ins))
    times = {"dup": [], "new": []}
    hits = {"dup": 0, "new": 0}
    rows = 0
    for kind, _m, text in queries:
        t = time.perf_counter()
        qm = template.copy()
        qm.update_batch(shingles(text))
        qm = LeanMinHash(qm)
        res = [(qm.jaccard(store[key]), key) for key in lsh.query(qm)]
        res = sorted((x for x in res if x[0] >= 0.8), reverse=True)[:10]
        times[kind].append(time.perf_counter() - t)
        if res:
            hits[kind] += 1
        rows += len(res)
    print("   %-44s %8s %8s %8s %8s %8s" % ("ms per query", "p50", "p90", "p99", "max", "mean"))
    for kind in ("dup", "new"):
        lat_line("text: shingles, sign, query, rank, %s" % kind, times[kind])
    lat_line("text: shingles, sign, query, rank, all", times["dup"] + times["new"])
    print("   (of which the shingles' extraction by ngrams(): see the signing rates above)")
    print("   answers (text queries): %d of %d dup queries and %d of %d new ones found a row >= 0.8;"
          " %d rows in all" % (hits["dup"], len(queries) // 2, hits["new"], len(queries) // 2, rows))
    print("\n   datasketch total peak RSS %.0f MB" % peak_mb())
    return 0


if __name__ == "__main__":
    sys.exit(main())
