"""Near-duplicate removal over shards on Dask distributed (sql/dedup.sql's
answers, past one machine).

    python3 -m sqlite_corpus.dedup --input 'shards/*.jsonl.gz' --output out/
    python3 -m sqlite_corpus.dedup --scheduler tcp://10.0.0.1:8786 --input ... --output ...

or from Python:

    from sqlite_corpus import dedup
    result = dedup.run(["a.jsonl", "b.jsonl"], "out/", client=client, threshold=0.8)

The stages, each a set of Dask tasks that open their shard with Python's
sqlite3 and the extension loaded, and write their outputs under
OUTPUT/work/ (temp file + rename, so nothing is half-written under a
final name):

1. sign: per shard, read it (JSON Lines through read_jsonl, or a SQLite
   file's docs(id, text)), optionally quality-filter (quality_reject),
   sign (minhash) and band (lsh_bands); the band keys (band, bucket,
   shard, row, id) split into P partitions by a hash of (band, bucket),
   the ids into P partitions by a hash of the id (the duplicate check);
2. pair: per partition, the buckets of 2..all_pairs documents give every
   pair, a larger one each document with the bucket's least id (the
   recipe's step 3); the pairs filed by partition and the partition of
   their lesser id, the documents in pairs by partition and shard;
3. verify: per shard, the texts of its documents in pairs (one read of
   the shard); per partition of lesser ids, its pairs, whatever their
   shards, by one dedup_verify() call: each text shingled once, each
   pair's exact Jaccard >= threshold (or the signatures' with
   verify="minhash"), a pair whose documents are already joined by pairs
   verified before it in the task skipped (it cannot change the
   clusters);
4. components: the connected components of the verified pairs, labelled
   by their least id: gathered into one task (dedup_clusters() over the
   pairs in a scratch SQLite file) when there are at most gather_edges
   verified pairs, else by min-label propagation, one Dask task per
   partition per round;
5. write: per shard, the survivors as a JSON Lines shard (write_jsonl),
   then the manifest (manifest.json) and the report (report.db).

Ids are ordered as SQLite orders them (numbers by value before text, text
by the bytes of its UTF-8), so "the least id" is the recipe's, and the
clusters and survivors are exactly sql/dedup.sql's on the union of the
shards (test/dask01.test).  docs/scale.md says how to run it on several
machines, and what it costs.
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import json
import os
import pickle
import shutil
import signal
import sqlite3
import struct
import sys
import tempfile
import time
import zlib
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote

__all__ = ["DedupError", "DEFAULTS", "run", "main"]

DEFAULTS: Dict[str, Any] = {
    "threshold": 0.8,      # a verified pair has Jaccard >= threshold
    "num_perm": 128,       # minhash slots
    "ngram": 5,            # word n-grams of the normalized text
    "bands": 16,           # LSH bands x rows <= num_perm
    "rows": 8,
    "all_pairs": 50,       # a bucket of up to all_pairs documents gives every pair
    "verify": "exact",     # exact: jaccard() of the texts; minhash: minhash_jaccard()
    "quality": None,       # quality_reject() options ("rules=gopher,c4"), None: no filter
    "id_field": "id",      # JSON Lines shards: the fields (read_jsonl's columns= paths)
    "text_field": "text",
    "table": "docs",       # SQLite shards: the table read (its columns id and text)
    "partitions": None,    # P: the shuffle's partitions (default: shards, 1..64)
    "components": "auto",  # auto, gather, distributed
    "gather_edges": 10000000,  # auto: gathered to one task up to this many pairs
}

_NEEDS_DASK = "needs python3-distributed (apt-get install python3-distributed)"


class DedupError(Exception):
    """A problem with the input or the settings, said in words (the CLI
    prints it after "dedup: " and exits with status 1)."""


# ---------------------------------------------------------------- ids

def _id_key(v):
    """The sort key of an id as SQLite's ORDER BY orders it: INTEGER and
    REAL by value (Python compares int and float exactly, as SQLite does)
    before TEXT; TEXT by memcmp of its UTF-8, which is code point order,
    as Python compares str."""
    return (1, v) if isinstance(v, str) else (0, v)


def _id_show(v) -> str:
    return json.dumps(v, ensure_ascii=False)


def _mix64(x: int) -> int:
    # splitmix64's finalizer: a partition number from an integer
    x &= 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


def _id_partition(v, parts: int) -> int:
    """The partition of an id, the same in every process (Python's hash()
    of a str is not: it is salted per process), and the same for ids that
    SQLite counts as equal (1 and 1.0)."""
    if isinstance(v, str):
        h = zlib.crc32(v.encode("utf-8", "surrogatepass")) * 0x9E3779B1
    elif isinstance(v, float) and not v.is_integer():
        h = struct.unpack("<Q", struct.pack("<d", v))[0]
    else:
        h = int(v)
    return _mix64(h) % parts


# ---------------------------------------------------------------- files

@contextlib.contextmanager
def _atomic_file(path: str):
    """A temporary file beside path (PATH.tmp-XXXXXX) for the block to
    fill; synced and renamed to path when the block ends, removed when it
    raises: nothing half-written is ever under the final name."""
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp-",
                               dir=os.path.dirname(path) or ".")
    os.close(fd)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _atomic_write(path: str, data: bytes) -> None:
    with _atomic_file(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


def _dump(path: str, obj) -> None:
    _atomic_write(path, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _read_json(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _load(path: str):
    with open(path, "rb") as f:
        return pickle.load(f)


def _marker(stage: str, name: str) -> None:
    """For the tests: with SQLITE_CORPUS_DEDUP_MARKERS=DIR, each task
    writes DIR/<stage>-<name>-<pid> as it starts; when the file DIR/pause
    holds "SECONDS STAGE", the tasks of STAGE then sleep SECONDS, so that a
    test can kill the worker while such a task runs."""
    d = os.environ.get("SQLITE_CORPUS_DEDUP_MARKERS")
    if not d:
        return
    with open(os.path.join(d, "%s-%s-%d" % (stage, name, os.getpid())), "w") as f:
        f.write("%f\n" % time.time())
    try:
        with open(os.path.join(d, "pause")) as f:
            seconds, only = f.read().split()
    except (OSError, ValueError):
        return
    if only == stage:
        time.sleep(float(seconds))


def _peak_rss_mb() -> float:
    """The peak resident memory of this process so far, in MB (a
    worker's, over all the tasks it ran: an upper bound for the task)."""
    import resource
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _costs(cpu0: float) -> Dict[str, float]:
    """A task's CPU seconds since cpu0, and its worker's peak memory."""
    return {"cpu_s": round(time.process_time() - cpu0, 3), "rss_mb": _peak_rss_mb()}


# ---------------------------------------------------------------- SQLite

def _open_ro(path: str) -> sqlite3.Connection:
    """The SQLite file path, opened read-only."""
    return sqlite3.connect("file:%s?mode=ro" % quote(os.path.abspath(path)), uri=True)


def _connect(extension: str, path: Optional[str] = None) -> sqlite3.Connection:
    """A connection with the extension loaded: to the SQLite file path,
    read-only, or to a memory database."""
    con = sqlite3.connect(":memory:") if path is None else _open_ro(path)
    if not hasattr(con, "enable_load_extension"):
        raise DedupError("this Python's sqlite3 cannot load extensions "
                         "(use Debian's /usr/bin/python3)")
    con.enable_load_extension(True)
    try:
        con.load_extension(extension)
    except sqlite3.OperationalError as e:
        raise DedupError("cannot load the extension %s: %s" % (extension, e)) from None
    finally:
        con.enable_load_extension(False)
    return con


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _is_sqlite(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


class _Shard:
    """One shard opened for reading: rows (loc, id, text) where loc is
    the JSON Lines line number, or the SQLite table's rowid; the same loc
    names the same document in every stage."""

    def __init__(self, path: str, cfg: Dict[str, Any]):
        self.path = path
        self.sqlite = _is_sqlite(path)
        ext = cfg["extension"]
        if self.sqlite:
            self.con = _connect(ext, path)
            t = cfg["table"]
            cols = [r[1].lower() for r in self.con.execute(
                "SELECT * FROM pragma_table_info(?)", (t,))]
            if not cols:
                raise DedupError("%s: no table %s (a SQLite shard holds %s(id, text))"
                                 % (path, t, t))
            for c in ("id", "text"):
                if c not in cols:
                    raise DedupError("%s: table %s has no column %s" % (path, t, c))
            self.columns = [r[1] for r in self.con.execute(
                "SELECT * FROM pragma_table_info(?)", (t,))]
            self.src = _ident(t)
            self.loc = "rowid"
            try:
                self.con.execute("SELECT rowid FROM %s LIMIT 0" % self.src)
            except sqlite3.OperationalError:
                raise DedupError("%s: table %s has no rowid (a WITHOUT ROWID table "
                                 "or a view cannot be read again by row)" % (path, t)) \
                    from None
            self.id, self.text = "id", "text"
        else:
            self.con = _connect(ext)
            cols = "id:%s,text:%s" % (cfg["id_field"], cfg["text_field"])
            glob_safe = path.replace("\\", "\\\\").replace("*", "\\*") \
                .replace("?", "\\?").replace("[", "\\[")
            self.con.execute(
                "CREATE VIRTUAL TABLE temp.src USING read_jsonl(%s, %s)"
                % (_lit(glob_safe), _lit('columns="%s"' % cols.replace('"', '""'))))
            self.src = "temp.src"
            self.loc = "line"
            self.id, self.text = "id", "text"

    def close(self):
        self.con.close()


def _check_row(path: str, loc, id_, ttype: str, sqlite: bool) -> None:
    where = ("%s: rowid %d" if sqlite else "%s: line %d") % (path, loc)
    if id_ is None:
        raise DedupError("%s: the id is NULL (every document needs an id)" % where)
    if isinstance(id_, bytes):
        raise DedupError("%s: the id is a BLOB (ids are INTEGER, REAL or TEXT)" % where)
    if ttype not in ("text", "null"):
        raise DedupError("%s (id %s): the text is %s, not TEXT or NULL"
                         % (where, _id_show(id_), ttype.upper()))


# ---------------------------------------------------------------- stage 1

def _task_sign(shard_no: int, path: str, cfg: Dict[str, Any], out: str) -> Dict[str, Any]:
    """Stage 1 for one shard: the band keys and the ids, split into P
    partitions, written as OUT/keys-SSSSS-PPPPP.pkl, and the shard's
    summary as OUT/done-SSSSS.json (last: its presence means done)."""
    import numpy as np
    _marker("sign", "%05d" % shard_no)
    cpu0 = time.process_time()
    parts = cfg["partitions"]
    sh = _Shard(path, cfg)
    opts = "num_perm=%d ngram=%d" % (cfg["num_perm"], cfg["ngram"])
    q = cfg["quality"]
    if q is None:
        qexpr, sig_text = "NULL", "CASE WHEN typeof(s.text) = 'text' THEN s.text END"
    else:
        qexpr = "CASE WHEN typeof(s.text) = 'text' THEN quality_reject(s.text, %s) END" % _lit(q)
        sig_text = "CASE WHEN typeof(s.text) = 'text' AND %s IS NULL THEN s.text END" % qexpr
    # one row per document, its band keys as text ("band,band,...;bucket,..."),
    # which numpy parses for the whole shard at once: a row per band key
    # costs Python more than the signing.  (With --quality, quality_reject
    # runs twice per document: in the result and in the signing's CASE.)
    sql = ("SELECT s.{loc}, s.{id}, typeof(s.{text}), {q}, "
           "(SELECT group_concat(b.band) || ';' || group_concat(b.bucket) "
           "FROM lsh_bands(minhash({sig}, {opts}), {b}, {r}) AS b) FROM {src} AS s"
           .format(loc=sh.loc, id=sh.id, text=sh.text, q=qexpr, src=sh.src,
                   sig=sig_text.replace("s.text", "s." + sh.text), opts=_lit(opts),
                   b=cfg["bands"], r=cfg["rows"]))
    seen: Dict[Any, Any] = {}
    ids: List[Any] = []          # by document number in this shard
    locs: List[int] = []
    rejected: Dict[str, int] = {}
    rejected_locs: List[int] = []
    null_text = 0
    no_bands = 0
    signed: List[int] = []       # the documents with band keys
    band_text: List[str] = []
    bucket_text: List[str] = []
    try:
        for loc, id_, ttype, why, keys in sh.con.execute(sql):
            _check_row(path, loc, id_, ttype, sh.sqlite)
            prev = seen.get(id_)
            if prev is not None:
                raise DedupError("id %s is in shard %s twice (%ss %d and %d)"
                                 % (_id_show(id_), path, sh.loc, prev, loc))
            seen[id_] = loc
            if ttype == "null":
                null_text += 1
            elif why is not None:
                rejected[why] = rejected.get(why, 0) + 1
                rejected_locs.append(loc)
            elif keys is None:
                no_bands += 1
            else:
                signed.append(len(ids))
                bt, _, kt = keys.partition(";")
                band_text.append(bt)
                bucket_text.append(kt)
            ids.append(id_)
            locs.append(loc)
    except sqlite3.Error as e:
        raise DedupError("%s: %s" % (path, e)) from None
    finally:
        sh.close()
    B = cfg["bands"]
    band = np.fromstring(",".join(band_text), dtype=np.int64, sep=",")
    bucket = np.fromstring(",".join(bucket_text), dtype=np.int64, sep=",")
    if len(band) != B * len(signed) or len(bucket) != len(band):
        raise DedupError("%s: lsh_bands gave %d keys for %d documents of %d bands"
                         % (path, len(band), len(signed), B))
    docs = np.repeat(np.asarray(signed, dtype=np.int64), B)
    del seen, band_text, bucket_text
    # the partition of a key: a hash of (band, bucket), the same everywhere
    h = bucket.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + band.astype(np.uint64)
    h ^= h >> np.uint64(29)
    part = (h % np.uint64(parts)).astype(np.int64)
    ids_arr = np.empty(len(ids), dtype=object)
    ids_arr[:] = ids
    locs_arr = np.asarray(locs, dtype=np.int64)
    id_part = np.fromiter((_id_partition(v, parts) for v in ids), dtype=np.int64,
                          count=len(ids))
    for p in range(parts):
        m = part == p
        d = docs[m]
        mi = id_part == p
        _dump(os.path.join(out, "keys-%05d-%05d.pkl" % (shard_no, p)), {
            "band": band[m], "bucket": bucket[m], "loc": locs_arr[d], "id": ids_arr[d],
            "ids": ids_arr[mi], "id_locs": locs_arr[mi]})
    _dump(os.path.join(out, "rejected-%05d.pkl" % shard_no), rejected_locs)
    summary = {**_costs(cpu0), "shard": shard_no, "path": path, "docs": len(ids),
               "null_text": null_text,
               "rejected": sum(rejected.values()), "rejected_by_rule": rejected,
               "no_shingle": no_bands, "band_keys": int(len(band))}
    _atomic_write(os.path.join(out, "done-%05d.json" % shard_no),
                  json.dumps(summary).encode())
    return summary


# ---------------------------------------------------------------- stage 2

def _mix64_np(x):
    """_mix64 of each of the uint64 array x (numpy's uint64 arithmetic
    wraps, as _mix64's masks do)."""
    import numpy as np
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _bucket_pairs_int(band, bucket, idi, all_pairs: int):
    """The recipe's pairs of band keys (band[k], bucket[k]) of documents
    with INTEGER ids idi[k], in numpy: a bucket of 2..all_pairs keys gives
    every pair, a larger one each key with the bucket's least id.  Returns
    (ra, rb, buckets): key indexes of each distinct pair, idi[ra] <
    idi[rb], and the number of buckets of two keys or more.  The same
    pairs as _bucket_pairs_any, without a Python step a pair."""
    import numpy as np
    n = len(band)
    if n == 0:
        z = np.zeros(0, np.int64)
        return z, z, 0
    # most keys are alone in their bucket: those whose bucket value is
    # another key's too (in any band: a superset of the shared buckets) are
    # found by one sort of the buckets, and only they sorted by (band,
    # bucket, id), so that a bucket's keys are together and by id
    o = np.argsort(bucket)
    sb = bucket[o]
    twin = np.zeros(n, dtype=bool)
    twin[1:] = sb[1:] == sb[:-1]
    twin[:-1] |= twin[1:]
    order = o[twin]
    order = order[np.lexsort((idi[order], bucket[order], band[order]))]
    n = len(order)
    if n == 0:
        z = np.zeros(0, np.int64)
        return z, z, 0
    b, k = band[order], bucket[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (b[1:] != b[:-1]) | (k[1:] != k[:-1])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, n))
    grp = np.repeat(np.arange(len(starts)), sizes)
    gsize = sizes[grp]
    ra, rb = [], []
    # every pair of a small bucket: positions i and i + d in one bucket,
    # among the positions in small buckets only (most keys are alone in
    # theirs), where a bucket's keys stay next to each other
    sp = np.flatnonzero((gsize > 1) & (gsize <= all_pairs))
    sg = grp[sp]
    m = len(sp)
    for dist in range(1, int(min(all_pairs, sizes.max()))):
        i = np.flatnonzero(sg[:m - dist] == sg[dist:])
        if len(i) == 0:
            break
        ra.append(sp[i])
        rb.append(sp[i + dist])
    # a large bucket: each later key with its first
    j = np.flatnonzero((gsize > all_pairs) & (np.arange(n) != starts[grp]))
    ra.append(starts[grp[j]])
    rb.append(j)
    ra = order[np.concatenate(ra)]
    rb = order[np.concatenate(rb)]
    # a pair in several bands: once
    a, c = idi[ra], idi[rb]
    o = np.lexsort((c, a))
    a, c, ra, rb = a[o], c[o], ra[o], rb[o]
    keep = np.ones(len(a), dtype=bool)
    keep[1:] = (a[1:] != a[:-1]) | (c[1:] != c[:-1])
    return ra[keep], rb[keep], int((sizes > 1).sum())


def _bucket_pairs_any(band, bucket, idv, all_pairs: int):
    """_bucket_pairs_int's (ra, rb, buckets) for ids of any type (TEXT,
    REAL, mixed), in Python, a bucket at a time, in SQLite's order of ids
    (_id_key)."""
    import numpy as np
    order = np.lexsort((bucket, band))
    band, bucket = band[order], bucket[order]
    n = len(band)
    seen: Dict[Tuple, Tuple[int, int]] = {}
    buckets_shared = 0
    if n:
        new = np.ones(n, dtype=bool)
        new[1:] = (band[1:] != band[:-1]) | (bucket[1:] != bucket[:-1])
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], n)
        multi = (ends - starts) > 1
        for st, en in zip(starts[multi], ends[multi]):
            buckets_shared += 1
            members = sorted(((_id_key(idv[r]), int(r)) for r in order[st:en]))
            for i in range(len(members) if len(members) <= all_pairs else 1):
                ka, ra = members[i]
                for kb, rb in members[i + 1:]:
                    seen.setdefault((ka, kb), (ra, rb))
    ra = np.fromiter((v[0] for v in seen.values()), dtype=np.int64, count=len(seen))
    rb = np.fromiter((v[1] for v in seen.values()), dtype=np.int64, count=len(seen))
    return ra, rb, buckets_shared


def _file_pairs(ra, rb, shard_a, loc, idv, idi, P: int):
    """The pairs (key indexes ra, rb; ra's id the lesser) filed by the
    partition of their lesser id: {partition: [(sa, la, ia, sb, lb, ib)]},
    and the documents in pairs, {shard: {loc: id}}.  idi: the ids as an
    int64 array when all are INTEGER (the partitions then computed in
    numpy), else None."""
    import numpy as np
    if idi is not None:
        ids = idi
        part = (_mix64_np(idi[ra].view(np.uint64)) % np.uint64(P)).astype(np.int64)
    else:
        ids = idv
        part = np.fromiter((_id_partition(v, P) for v in idv[ra]), dtype=np.int64,
                           count=len(ra))
    filed: Dict[int, List] = {}
    by = np.argsort(part, kind="stable")
    cols = [c[by] for c in (shard_a[ra], loc[ra], ids[ra], shard_a[rb], loc[rb], ids[rb])]
    pt = part[by]
    cut = np.flatnonzero(np.diff(pt)) + 1
    for lo, hi in zip(np.concatenate(([0], cut)), np.concatenate((cut, [len(pt)]))):
        if hi > lo:
            filed[int(pt[lo])] = list(zip(*(c[lo:hi].tolist() for c in cols)))
    # the documents in pairs (a key row each: ids are unique), by shard
    ends = np.concatenate((ra, rb))
    if idi is not None:
        ends = ends[np.unique(idi[ends], return_index=True)[1]]
    else:
        first: Dict[Tuple[int, int], int] = {}
        for r in ends.tolist():
            first.setdefault((int(shard_a[r]), int(loc[r])), r)
        ends = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    ends = ends[np.argsort(shard_a[ends], kind="stable")]
    need: Dict[int, Dict[int, Any]] = {}
    for e in np.split(ends, np.flatnonzero(np.diff(shard_a[ends])) + 1):
        if len(e):
            need[int(shard_a[e[0]])] = dict(zip(loc[e].tolist(), ids[e].tolist()))
    return filed, need


def _task_pair(p: int, shards: Sequence[str], cfg: Dict[str, Any], s1: str,
               out: str) -> Dict[str, Any]:
    """Stage 2 for partition p: the ids of the partition checked for
    duplicates across shards; the buckets of the partition's band keys
    paired as the recipe pairs them; the pairs written by the partition T
    of their lesser id (OUT/pairs-PPPPP-TTTTT.pkl: [(shard_a, loc_a,
    id_a, shard_b, loc_b, id_b)], a's id the lesser), and the documents
    of each shard in pairs (OUT/need-PPPPP-SSSSS.pkl: {loc: id}), so that
    a task of stage 3 reads only what is its own."""
    import numpy as np
    _marker("pair", "%05d" % p)
    cpu0 = time.process_time()
    bands, buckets, shard_no, locs, ids = [], [], [], [], []
    owner: Dict[Any, int] = {}
    for s in range(len(shards)):
        k = _load(os.path.join(s1, "keys-%05d-%05d.pkl" % (s, p)))
        for v in k["ids"]:
            o = owner.get(v)
            if o is not None:
                a, b = sorted((o, s))
                raise DedupError("id %s is in two shards: %s and %s (ids must be "
                                 "unique across the shards)"
                                 % (_id_show(v), shards[a], shards[b]))
            owner[v] = s
        n = len(k["band"])
        bands.append(k["band"])
        buckets.append(k["bucket"])
        shard_no.append(np.full(n, s, dtype=np.int64))
        locs.append(k["loc"])
        ids.append(k["id"])
    del owner
    band = np.concatenate(bands) if bands else np.zeros(0, np.int64)
    bucket = np.concatenate(buckets) if buckets else np.zeros(0, np.int64)
    shard_a = np.concatenate(shard_no) if shard_no else np.zeros(0, np.int64)
    loc = np.concatenate(locs) if locs else np.zeros(0, np.int64)
    idv = np.concatenate(ids) if ids else np.zeros(0, object)
    n = len(band)
    all_pairs = cfg["all_pairs"]
    P = cfg["partitions"]
    # each pair (sa, la, ia, sb, lb, ib) once, ia the lesser id, filed by
    # the partition of ia: a function of the pair alone, so every stage 2
    # task files it for the same verify task, which verifies it once.  The
    # pairs of a large bucket (each document with the bucket's least id)
    # all go to one task; the tasks are spread by a hash of the lesser id
    # (filed by lesser shard, shard 0's task had 64 shard pairs, 63's one).
    # INTEGER ids only (SQLite's are within int64) make an int64 array;
    # REAL or TEXT ones, float64, str or object
    idi = np.array(idv.tolist()) if n else np.zeros(0, np.int64)
    if idi.dtype == np.int64:
        ra, rb, buckets_shared = _bucket_pairs_int(band, bucket, idi, all_pairs)
    else:
        idi = None
        ra, rb, buckets_shared = _bucket_pairs_any(band, bucket, idv, all_pairs)
    filed, need = _file_pairs(ra, rb, shard_a, loc, idv, idi, P)
    for t, lst in filed.items():
        _dump(os.path.join(out, "pairs-%05d-%05d.pkl" % (p, t)), lst)
    for s, locs in need.items():
        _dump(os.path.join(out, "need-%05d-%05d.pkl" % (p, s)), locs)
    summary = {**_costs(cpu0), "partition": p, "band_keys": int(n),
               "buckets_shared": buckets_shared,
               "candidates": sum(len(v) for v in filed.values()),
               "verify_tasks": sorted(filed), "shards_needed": sorted(need)}
    _atomic_write(os.path.join(out, "done-%05d.json" % p), json.dumps(summary).encode())
    return summary


# ---------------------------------------------------------------- stage 3

def _task_texts(s: int, path: str, cfg: Dict[str, Any], s2: str, parts_with: List[int],
                out: str) -> Dict[str, Any]:
    """Stage 3a for shard s: the texts (verify=exact) or signatures
    (verify=minhash) of its documents in candidate pairs, read in one
    pass over the shard, into OUT/texts-SSSSS.db (loc -> text, sig)."""
    _marker("texts", "%05d" % s)
    cpu0 = time.process_time()
    want: Dict[int, Any] = {}
    for p in parts_with:
        want.update(_load(os.path.join(s2, "need-%05d-%05d.pkl" % (p, s))))
    with _atomic_file(os.path.join(out, "texts-%05d.db" % s)) as tmp:
        db = sqlite3.connect(tmp)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE t(loc INTEGER PRIMARY KEY, value)")
        sh = _Shard(path, cfg)
        minhash = cfg["verify"] == "minhash"
        col = ("minhash(s.%s, %s)" % (sh.text, _lit("num_perm=%d ngram=%d"
                                                      % (cfg["num_perm"], cfg["ngram"])))
               if minhash else "s." + sh.text)
        sh.con.execute("CREATE TEMP TABLE want(loc INTEGER PRIMARY KEY)")
        sh.con.executemany("INSERT INTO temp.want VALUES (?)", ((l,) for l in want))
        found = 0
        try:
            rows = sh.con.execute(
                "SELECT s.%s, s.%s, %s FROM %s AS s WHERE s.%s IN temp.want"
                % (sh.loc, sh.id, col, sh.src, sh.loc)) if sh.sqlite else sh.con.execute(
                "SELECT s.line, s.id, CASE WHEN s.line IN temp.want THEN %s END "
                "FROM %s AS s" % (col, sh.src))
            batch = []
            for loc, id_, value in rows:
                if loc not in want:
                    continue
                if want[loc] != id_ or type(want[loc]) is not type(id_):
                    raise DedupError("%s changed during the run (%s %d has id %s, "
                                     "stage 1 read %s)" % (path, sh.loc, loc, _id_show(id_),
                                                           _id_show(want[loc])))
                batch.append((loc, value))
                found += 1
                if len(batch) >= 1000:
                    db.executemany("INSERT INTO t VALUES (?, ?)", batch)
                    batch = []
            db.executemany("INSERT INTO t VALUES (?, ?)", batch)
        except sqlite3.Error as e:
            raise DedupError("%s: %s" % (path, e)) from None
        finally:
            sh.close()
        if found != len(want):
            raise DedupError("%s changed during the run (%d documents of stage 1 not "
                             "found again)" % (path, len(want) - found))
        db.commit()
        db.close()
    summary = {**_costs(cpu0), "shard": s, "documents": found}
    _atomic_write(os.path.join(out, "done-texts-%05d.json" % s), json.dumps(summary).encode())
    return summary


def _task_verify(t: int, cfg: Dict[str, Any], s2: str, parts_with: List[int],
                 texts: str, out: str) -> Dict[str, Any]:
    """Stage 3b for the pairs whose lesser id is in partition t (stage 2's
    files of t only): the texts of their documents copied from their
    shards' texts files (one at a time: SQLite attaches at most 10) into
    a scratch table, numbered in id order, and the pairs verified by one
    dedup_verify() call, which shingles each text once (not once a pair),
    takes the pairs by their later document and skips a pair whose
    documents are already joined by the pairs verified before it: the
    star of a large bucket (its documents with its least id, all filed
    here) joins a family once, whatever shards its copies are in.  The
    pairs that joined two groups go to OUT/edges-TTTTT.db:
    edge(sa, la, ia, sb, lb, ib), a's id the lesser."""
    _marker("verify", "%05d" % t)
    cpu0 = time.process_time()
    cand = set()
    for p in parts_with:
        cand.update(_load(os.path.join(s2, "pairs-%05d-%05d.pkl" % (p, t))))
    shard_pairs = {(c[0], c[3]) if c[0] <= c[3] else (c[3], c[0]) for c in cand}
    ids = {}
    for xa, la, ia, xb, lb, ib in cand:
        ids[(xa, la)] = ia
        ids[(xb, lb)] = ib
    # numbered in id order: a bucket's pairs with its least id come
    # first, and a family is joined early
    nodes = sorted(ids, key=lambda n: _id_key(ids[n]))
    num = {n: k for k, n in enumerate(nodes)}
    final = os.path.join(out, "edges-%05d.db" % t)
    con = _connect(cfg["extension"])
    con.isolation_level = None  # autocommit: ATTACH and DETACH between statements
    con.execute("PRAGMA temp_store=FILE")
    try:
        with _atomic_file(final) as tmp:
            con.execute("ATTACH %s AS o" % _lit(tmp))
            con.execute("PRAGMA o.journal_mode=OFF")
            con.execute("PRAGMA o.synchronous=OFF")
            con.execute("CREATE TABLE o.edge(sa INTEGER, la INTEGER, ia, "
                        "sb INTEGER, lb INTEGER, ib)")
            # the scratch tables in temp: a file SQLite deletes on close
            # (temp_store=FILE), not memory: a task's texts can be hundreds
            # of MB
            con.execute("CREATE TEMP TABLE node(n INTEGER PRIMARY KEY, shard INTEGER, "
                        "loc INTEGER, id)")
            con.execute("BEGIN")
            con.executemany("INSERT INTO temp.node VALUES (?, ?, ?, ?)",
                            ((k, n[0], n[1], ids[n]) for k, n in enumerate(nodes)))
            con.execute("CREATE TEMP TABLE pair(a INTEGER, b INTEGER)")
            con.executemany("INSERT INTO temp.pair VALUES (?, ?)", (
                (num[(c[0], c[1])], num[(c[3], c[4])]) for c in cand))
            con.execute("CREATE INDEX temp.node_shard ON node(shard, loc)")
            con.execute("CREATE TEMP TABLE txt0(n INTEGER, value)")
            con.execute("COMMIT")
            # appended shard by shard, then sorted once into txt: inserted
            # straight into txt, in an order random in n, each row was a
            # B-tree descent through pages out of the cache (at 10M
            # documents, 17 of a task's 32 s; so, 9)
            for sb in sorted({n[0] for n in nodes}):
                con.execute("ATTACH %s AS x" % _lit(os.path.join(texts, "texts-%05d.db" % sb)))
                con.execute("INSERT INTO temp.txt0 SELECT n.n, t.value FROM temp.node AS n "
                            "JOIN x.t AS t ON t.loc = n.loc WHERE n.shard = ?", (sb,))
                con.execute("DETACH x")
            con.execute("CREATE TEMP TABLE txt(n INTEGER PRIMARY KEY, value)")
            con.execute("INSERT INTO temp.txt SELECT n, value FROM temp.txt0 ORDER BY n")
            con.execute("DROP TABLE temp.txt0")
            got = con.execute("SELECT count(*) FROM temp.txt").fetchall()[0][0]
            if got != len(nodes):
                # a document without its text would be in no pair, silently
                raise DedupError("the texts of %d documents in pairs of partition %d are "
                                 "missing" % (len(nodes) - got, t))
            # repr() of a float reads back as the same double; the shingles
            # are minhash()'s of stage 1 (signatures carry their own).  ?1:
            # a later pass (past dedup_verify's memory) starts at its first
            options = "threshold=%r ngram=%d" % (float(cfg["threshold"]), cfg["ngram"])
            con.execute(
                "INSERT INTO o.edge SELECT x.shard, x.loc, x.id, y.shard, y.loc, y.id "
                "FROM dedup_verify('SELECT a, b FROM temp.pair', "
                "'SELECT n, value FROM temp.txt WHERE n >= ?1 ORDER BY n', ?) AS v "
                "JOIN temp.node AS x ON x.n = min(v.a, v.b) "
                "JOIN temp.node AS y ON y.n = max(v.a, v.b)", (options,))
            verified = con.execute("SELECT count(*) FROM o.edge").fetchall()[0][0]
            con.execute("DETACH o")
    except sqlite3.Error as e:
        raise DedupError("verifying the pairs of partition %d: %s" % (t, e)) from None
    finally:
        con.close()
    summary = {**_costs(cpu0), "partition": t, "shard_pairs": len(shard_pairs),
               "candidates": len(cand), "verified": verified, "documents": len(nodes)}
    _atomic_write(os.path.join(out, "done-%05d.json" % t), json.dumps(summary).encode())
    return summary


# ---------------------------------------------------------------- stage 4

def _node_partition(node: Tuple[int, int], parts: int) -> int:
    return _mix64(node[0] * 0x100000001B3 + node[1]) % parts


def _task_cc_init(q: int, parts: int, edge_files: List[str], out: str) -> int:
    """Min-label propagation, round 0 for partition q: the adjacency of
    the partition's nodes, each labelled with its own id; the messages of
    round 1 (every node's label to its neighbours)."""
    _marker("cc", "init-%05d" % q)
    adj: Dict[Tuple[int, int], List] = {}
    label: Dict[Tuple[int, int], Any] = {}
    for f in edge_files:
        for sa, la, ia, sb, lb, ib in _edges(f):
            a, b = (sa, la), (sb, lb)
            if _node_partition(a, parts) == q:
                adj.setdefault(a, []).append(b)
                label[a] = _id_key(ia)
            if _node_partition(b, parts) == q:
                adj.setdefault(b, []).append(a)
                label[b] = _id_key(ib)
    _dump(os.path.join(out, "state-00000-%05d.pkl" % q), (adj, label))
    _cc_send(q, parts, adj, label, label.keys(), os.path.join(out, "msg-00001-%05d.pkl" % q))
    return len(label)


def _cc_send(q, parts, adj, label, active, path) -> None:
    boxes: List[Dict] = [dict() for _ in range(parts)]
    for u in active:
        lab = label[u]
        for v in adj[u]:
            box = boxes[_node_partition(v, parts)]
            old = box.get(v)
            if old is None or lab < old:
                box[v] = lab
    _dump(path, boxes)


def _task_cc_round(k: int, q: int, parts: int, out: str) -> int:
    """Round k for partition q: the messages sent to q in round k lower
    its nodes' labels; the nodes whose label fell send it on (round
    k + 1).  Returns the number of labels that fell (0 everywhere: done)."""
    _marker("cc", "%05d-%05d" % (k, q))
    adj, label = _load(os.path.join(out, "state-%05d-%05d.pkl" % (k - 1, q)))
    changed = []
    for r in range(parts):
        for v, lab in _load(os.path.join(out, "msg-%05d-%05d.pkl" % (k, r)))[q].items():
            if lab < label[v]:
                label[v] = lab
                changed.append(v)
    _dump(os.path.join(out, "state-%05d-%05d.pkl" % (k, q)), (adj, label))
    _cc_send(q, parts, adj, label, set(changed),
             os.path.join(out, "msg-%05d-%05d.pkl" % (k + 1, q)))
    return len(changed)


def _edges(path: str) -> List[Tuple]:
    """The verified pairs of a stage 3 edges file: (sa, la, ia, sb, lb, ib)."""
    con = _open_ro(path)
    try:
        return con.execute("SELECT sa, la, ia, sb, lb, ib FROM edge").fetchall()
    finally:
        con.close()


_LABEL_TABLE = "CREATE TABLE %s(shard INTEGER, loc INTEGER, id, cluster)"


def _task_cc_gather(edge_files: List[str], extension: str, out: str) -> Dict[str, Any]:
    """Stage 4 in one task: every verified pair copied into a scratch
    SQLite file, its documents numbered in id order, and dedup_clusters()
    (union-find, about 40 bytes a document in pairs; the pairs and the
    sorts on disk) gives each document its group's least number, which
    is its least id.  OUT/labels.db: label(shard, loc, id, cluster), one
    row a document in a verified pair, cluster its group's least id."""
    _marker("cc", "gather")
    cpu0 = time.process_time()
    con = _connect(extension)
    con.isolation_level = None
    con.execute("PRAGMA temp_store=FILE")  # the scratch tables: on disk, whatever the build
    try:
        with _atomic_file(os.path.join(out, "labels.db")) as tmp:
            con.execute("ATTACH %s AS o" % _lit(tmp))
            con.execute("PRAGMA o.journal_mode=OFF")
            con.execute("PRAGMA o.synchronous=OFF")
            con.execute("CREATE TEMP TABLE e(sa, la, ia, sb, lb, ib)")
            for f in edge_files:
                con.execute("ATTACH %s AS x" % _lit(f))
                con.execute("INSERT INTO temp.e SELECT sa, la, ia, sb, lb, ib FROM x.edge")
                con.execute("DETACH x")
            con.execute("CREATE TEMP TABLE node(n INTEGER PRIMARY KEY, shard, loc, id)")
            # numbered in id order (stage 2 made ids unique across the
            # shards: the order is total)
            con.execute("INSERT INTO temp.node SELECT row_number() OVER (ORDER BY id), "
                        "shard, loc, id FROM (SELECT sa AS shard, la AS loc, ia AS id "
                        "FROM temp.e UNION SELECT sb, lb, ib FROM temp.e)")
            con.execute("CREATE UNIQUE INDEX temp.node_loc ON node(shard, loc)")
            con.execute(_LABEL_TABLE % "o.label")
            con.execute(
                "INSERT INTO o.label SELECT x.shard, x.loc, x.id, y.id FROM dedup_clusters("
                "'SELECT a.n, b.n FROM temp.e AS e "
                "JOIN temp.node AS a ON a.shard = e.sa AND a.loc = e.la "
                "JOIN temp.node AS b ON b.shard = e.sb AND b.loc = e.lb') AS c "
                "JOIN temp.node AS x ON x.n = c.id JOIN temp.node AS y ON y.n = c.cluster")
            con.execute("CREATE INDEX o.label_shard ON label(shard)")
            nodes = con.execute("SELECT count(*) FROM o.label").fetchall()[0][0]
            con.execute("DETACH o")
    except sqlite3.Error as e:
        raise DedupError("components: %s" % e) from None
    finally:
        con.close()
    return {**_costs(cpu0), "documents": nodes}


def _write_labels(path: str, labels: Dict[Tuple[int, int], Any],
                  edge_files: List[str]) -> None:
    """labels.db from the distributed rounds' labels (node -> the least
    id's sort key), the nodes' own ids from the edges files."""
    ids_of: Dict[Tuple[int, int], Any] = {}
    for f in edge_files:
        for sa, la, ia, sb, lb, ib in _edges(f):
            ids_of[(sa, la)] = ia
            ids_of[(sb, lb)] = ib
    with _atomic_file(path) as tmp:
        db = sqlite3.connect(tmp)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute(_LABEL_TABLE % "label")
        db.executemany("INSERT INTO label VALUES (?, ?, ?, ?)",
                       ((node[0], node[1], ids_of[node], lab[1])
                        for node, lab in labels.items()))
        db.execute("CREATE INDEX label_shard ON label(shard)")
        db.commit()
        db.close()


# ---------------------------------------------------------------- stage 5

def _output_name(path: str, sqlite: bool) -> str:
    base = os.path.basename(path)
    if sqlite:
        return os.path.splitext(base)[0] + ".jsonl"
    for ext in (".gz", ".zst"):
        if base.endswith(ext):
            stem = base[:-len(ext)]
            return (stem if stem.endswith(".jsonl") else stem + ".jsonl") + ext
    return base if base.endswith(".jsonl") else base + ".jsonl"


def _task_write(s: int, path: str, cfg: Dict[str, Any], drop_file: str,
                dest: str) -> Dict[str, Any]:
    """Stage 5 for shard s: the survivors (not rejected by the quality
    rules, not a cluster's other member) as a JSON Lines shard, written by
    write_jsonl (temp file + rename): a JSON Lines input's lines as read, a
    SQLite shard's rows as JSON objects of their columns."""
    _marker("write", "%05d" % s)
    cpu0 = time.process_time()
    drop = _load(drop_file)
    sh = _Shard(path, cfg)
    try:
        sh.con.execute("CREATE TEMP TABLE dropped(loc INTEGER PRIMARY KEY)")
        sh.con.executemany("INSERT INTO temp.dropped VALUES (?)", ((l,) for l in drop))
        if sh.sqlite:
            value = "json_object(%s)" % ", ".join(
                "%s, s.%s" % (_lit(c), _ident(c)) for c in sh.columns)
        else:
            value = "s.json"
        manifest = json.loads(sh.con.execute(
            "SELECT write_jsonl(?, %s, 'overwrite=on') FROM %s AS s "
            "WHERE s.%s NOT IN temp.dropped" % (value, sh.src, sh.loc), (dest,)).fetchone()[0])
    except sqlite3.Error as e:
        raise DedupError("%s: writing %s: %s" % (path, dest, e)) from None
    finally:
        sh.close()
    if manifest["rows"] == 0:
        _atomic_write(dest, b"")  # every document removed: an empty shard
    h = hashlib.sha256()
    with open(dest, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {**_costs(cpu0), "shard": s, "path": dest, "rows": manifest["rows"],
            "bytes": manifest["bytes"],
            "bytes_on_disk": os.path.getsize(dest), "sha256": h.hexdigest()}


# ---------------------------------------------------------------- driver

def _check_settings(cfg: Dict[str, Any]) -> None:
    def integer(name, lo, hi=None):
        v = cfg[name]
        if isinstance(v, bool) or not isinstance(v, int) or v < lo or (hi is not None and v > hi):
            raise DedupError("%s must be an integer %s, got %r"
                             % (name, "%d..%d" % (lo, hi) if hi else ">= %d" % lo, v))
    t = cfg["threshold"]
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not (0 < t <= 1):
        raise DedupError("threshold must be a number in (0, 1], got %r" % (t,))
    integer("num_perm", 1, 1024)
    integer("ngram", 1, 1000)
    integer("bands", 1)
    integer("rows", 1)
    if cfg["bands"] * cfg["rows"] > cfg["num_perm"]:
        raise DedupError("bands * rows must be <= num_perm, got %d * %d > %d"
                         % (cfg["bands"], cfg["rows"], cfg["num_perm"]))
    integer("all_pairs", 2)
    if cfg["verify"] not in ("exact", "minhash"):
        raise DedupError("verify must be exact or minhash, got %r" % (cfg["verify"],))
    if cfg["components"] not in ("auto", "gather", "distributed"):
        raise DedupError("components must be auto, gather or distributed, got %r"
                         % (cfg["components"],))
    integer("gather_edges", 0)
    if cfg["partitions"] is not None:
        integer("partitions", 1, 4096)


def _expand_inputs(inputs) -> List[str]:
    if isinstance(inputs, str):
        inputs = [inputs]
    found: List[str] = []
    for pattern in inputs:
        if glob.has_magic(pattern):
            matched = sorted(p for p in glob.glob(pattern) if os.path.isfile(p))
            if not matched:
                raise DedupError("no shard matches %s" % pattern)
            found.extend(matched)
        elif os.path.isdir(pattern):
            raise DedupError("%s is a directory (give a glob such as '%s/*')"
                             % (pattern, pattern.rstrip("/")))
        elif not os.path.isfile(pattern):
            raise DedupError("%s: no such file" % pattern)
        else:
            found.append(pattern)
    paths = [os.path.abspath(p) for p in found]
    if len(set(paths)) != len(paths):
        raise DedupError("a shard is named twice in the input")
    if not paths:
        raise DedupError("no shard given")
    return paths


# The layout of the stages' files (3: pairs filed by stage 2's partition
# and the partition of their lesser id, one dedup_verify() call a
# partition, the verified pairs in SQLite files, labels.db); k3 and k4
# derive from k2.
_LAYOUT = 3


def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


class _Stage:
    """A stage's timing and whether its tasks ran or were reused."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.ran = 0
        self.reused = 0

    def done(self, summaries=()) -> Dict[str, Any]:
        d = {"seconds": round(time.monotonic() - self.t0, 3), "tasks_run": self.ran,
             "tasks_reused": self.reused}
        rss = [x["rss_mb"] for x in summaries if "rss_mb" in x]
        if rss:
            d["worker_peak_rss_mb"] = max(rss)
            d["task_cpu_seconds"] = round(sum(x["cpu_s"] for x in summaries), 3)
        return d


def _gather(client, futures, label: str, progress: bool):
    if not futures:
        return []
    if progress:
        from distributed.diagnostics.progressbar import TextProgressBar

        class _Bar(TextProgressBar):
            def _draw_bar(self, remaining, all, **kwargs):
                frac = (1 - remaining / all) if all else 1.0
                sys.stderr.write("\r%-10s [%-40s] %3d%% %d/%d" % (
                    label, "#" * int(40 * frac), int(100 * frac), all - remaining, all))
                sys.stderr.flush()

            def _draw_stop(self, **kwargs):
                sys.stderr.write("\n")
                sys.stderr.flush()

        _Bar(futures, scheduler=client.scheduler.address, complete=True)
    return client.gather(futures)


def _stage_tasks(client, name, items, done_file, progress):
    """Submit fn(*args) for each item (key, fn, args) whose done file
    (done_file(key)) is not there yet; returns (the results of those run,
    the number run, the number reused)."""
    futures = []
    reused = 0
    for key, fn, args in items:
        if os.path.exists(done_file(key)):
            reused += 1
            continue
        futures.append(client.submit(fn, *args, key="dedup-%s-%s" % (name, key),
                                     pure=False))
    return _gather(client, futures, name.split("-")[0], progress), len(futures), reused


def run(inputs, output: str, *, client=None, scheduler: Optional[str] = None,
        workers: int = 2, extension: Optional[str] = None, progress: bool = False,
        **settings) -> Dict[str, Any]:
    """Deduplicate the shards `inputs` (paths or globs: JSON Lines files,
    plain, gzip or zstd, or SQLite files holding docs(id, text)) into the
    directory `output`, on the Dask cluster of `client`, or the scheduler
    at `scheduler`, or a LocalCluster of `workers` processes started for
    the run.  settings: DEFAULTS' keys.  Returns the manifest (also
    written to OUTPUT/manifest.json).  Raises DedupError for bad input."""
    t_start = time.monotonic()
    cfg = dict(DEFAULTS)
    for k, v in settings.items():
        if k not in DEFAULTS:
            raise DedupError("unknown setting %r (valid: %s)" % (k, ", ".join(DEFAULTS)))
        cfg[k] = v
    _check_settings(cfg)
    shards = _expand_inputs(inputs)
    if cfg["partitions"] is None:
        cfg["partitions"] = max(1, min(64, len(shards)))
    if extension is None:
        from . import loadable_path
        extension = loadable_path()
    cfg["extension"] = os.path.abspath(extension)
    con = _connect(cfg["extension"])  # a missing library: said now, not by a task
    version = con.execute("SELECT corpus_version()").fetchone()[0]
    con.close()
    try:
        import distributed
    except ImportError:
        raise DedupError(_NEEDS_DASK) from None
    output = os.path.abspath(output)
    os.makedirs(output, exist_ok=True)
    names = [_output_name(p, _is_sqlite(p)) for p in shards]
    if len(set(names)) != len(names):
        dup = sorted(n for n in names if names.count(n) > 1)[0]
        raise DedupError("two shards would write %s (shards need distinct file names)" % dup)
    stat = [(p, os.path.getsize(p), os.stat(p).st_mtime_ns) for p in shards]
    k1 = _key(stat, version, [cfg[k] for k in ("num_perm", "ngram", "bands", "rows", "quality",
                                               "id_field", "text_field", "table", "partitions")])
    # the layout of the stages' files is in the keys of the stages that
    # write them: a work directory of another layout is never read
    k2 = _key(k1, cfg["all_pairs"], _LAYOUT)
    k3 = _key(k2, cfg["threshold"], cfg["verify"])
    work = os.path.join(output, "work")
    k4 = _key(k3, cfg["components"], cfg["gather_edges"])
    # in the Dask keys: two runs at once on one scheduler (other outputs, or
    # this one's earlier run still known to the scheduler) never share a task
    run_id = "%s%d-%x" % (_key(output)[:8], os.getpid(), int(time.time() * 1000))
    dirs = {n: os.path.join(work, "%s-%s" % (n, k)) for n, k in
            (("sign", k1), ("pair", k2), ("verify", k3), ("components", k4))}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)

    own = None
    if client is None:
        if scheduler is not None:
            client = distributed.Client(scheduler)
        else:
            import logging
            # the workers' scratch space in the output directory, not a
            # /tmp/dask-worker-space shared with every other Dask run
            cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
                local_directory=os.path.join(work, "dask-worker-space"))
            client = distributed.Client(cluster)
            own = cluster
        owns_client = True
    else:
        owns_client = False
    times: Dict[str, Any] = {}
    try:
        P = cfg["partitions"]
        S = len(shards)
        # 1. sign
        st = _Stage()
        d1 = dirs["sign"]
        _, st.ran, st.reused = _stage_tasks(
            client, "sign-%s-%s" % (k1, run_id),
            [("%05d" % s, _task_sign, (s, shards[s], cfg, d1)) for s in range(S)],
            lambda key: os.path.join(d1, "done-%s.json" % key), progress)
        sign = [_read_json(os.path.join(d1, "done-%05d.json" % s)) for s in range(S)]
        times["sign"] = st.done(sign)
        if os.environ.get("SQLITE_CORPUS_DEDUP_CRASH_AFTER") == "sign":
            os.kill(os.getpid(), signal.SIGKILL)  # for the tests: a driver that dies here
        # 2. pair
        st = _Stage()
        d2 = dirs["pair"]
        _, st.ran, st.reused = _stage_tasks(
            client, "pair-%s-%s" % (k2, run_id),
            [("%05d" % p, _task_pair, (p, shards, cfg, d1, d2)) for p in range(P)],
            lambda key: os.path.join(d2, "done-%s.json" % key), progress)
        pair = [_read_json(os.path.join(d2, "done-%05d.json" % p)) for p in range(P)]
        times["pair"] = st.done(pair)
        # 3. verify: the texts of each shard in pairs, then the pairs of
        # each partition of lesser ids
        st = _Stage()
        d3 = dirs["verify"]
        # (the partitions of stage 2 with pairs for verify task t; with
        # documents of shard s in pairs)
        parts_verify: Dict[int, List[int]] = {}
        parts_needed: Dict[int, List[int]] = {}
        for ps in pair:
            for t in ps["verify_tasks"]:
                parts_verify.setdefault(t, []).append(ps["partition"])
            for s in ps["shards_needed"]:
                parts_needed.setdefault(s, []).append(ps["partition"])
        _, r1, u1 = _stage_tasks(
            client, "texts-%s-%s" % (k3, run_id),
            [("%05d" % s, _task_texts, (s, shards[s], cfg, d2, sorted(ps), d3))
             for s, ps in sorted(parts_needed.items())],
            lambda key: os.path.join(d3, "done-texts-%s.json" % key), progress)
        _, r2, u2 = _stage_tasks(
            client, "verify-%s-%s" % (k3, run_id),
            [("%05d" % s, _task_verify, (s, cfg, d2, sorted(ps), d3, d3))
             for s, ps in sorted(parts_verify.items())],
            lambda key: os.path.join(d3, "done-%s.json" % key), progress)
        st.ran, st.reused = r1 + r2, u1 + u2
        ver = [_read_json(os.path.join(d3, "done-%05d.json" % s)) for s in sorted(parts_verify)]
        times["verify"] = st.done(ver + [_read_json(os.path.join(
            d3, "done-texts-%05d.json" % s)) for s in sorted(parts_needed)])
        # 4. components
        st = _Stage()
        edge_files = [os.path.join(d3, "edges-%05d.db" % s) for s in sorted(parts_verify)]
        verified = sum(v["verified"] for v in ver)
        mode = cfg["components"]
        if mode == "auto":
            mode = "gather" if verified <= cfg["gather_edges"] else "distributed"
        d4 = dirs["components"]
        labels_file = os.path.join(d4, "labels.db")
        rounds = 0
        cc_tasks: List[Dict[str, Any]] = []
        if os.path.exists(labels_file):
            st.reused = 1
        elif mode == "gather":
            # on a worker, as every task: retried there if the worker dies
            fut = client.submit(_task_cc_gather, edge_files, cfg["extension"], d4,
                                key="dedup-cc-gather-%s-%s" % (k4, run_id), pure=False)
            cc_tasks = _gather(client, [fut], "components", progress)
        else:
            cc = os.path.join(d4, "cc-%d" % os.getpid())
            os.makedirs(cc, exist_ok=True)
            fut = [client.submit(_task_cc_init, q, P, edge_files, cc,
                                 key="dedup-cc-init-%s-%s-%d" % (k4, run_id, q), pure=False)
                   for q in range(P)]
            _gather(client, fut, "components", progress)
            k = 1
            while True:
                fut = [client.submit(_task_cc_round, k, q, P, cc,
                                     key="dedup-cc-%s-%s-%d-%d" % (k4, run_id, k, q), pure=False)
                       for q in range(P)]
                changed = sum(client.gather(fut))
                rounds = k
                if changed == 0:
                    break
                k += 1
            labels = {}
            for q in range(P):
                _, lab = _load(os.path.join(cc, "state-%05d-%05d.pkl" % (k, q)))
                labels.update(lab)
            _write_labels(labels_file, labels, edge_files)
            del labels
            shutil.rmtree(cc, ignore_errors=True)
        st.ran = 0 if st.reused else 1
        times["components"] = st.done(cc_tasks)
        times["components"].update({"mode": mode, "rounds": rounds})
        # 5. write
        st = _Stage()
        drop: Dict[int, List[int]] = {}
        lab = _open_ro(labels_file)
        try:
            for s in range(S):
                drop[s] = [r[0] for r in lab.execute(
                    "SELECT loc FROM label WHERE shard = ? AND id <> cluster", (s,))]
            in_clusters, clusters = lab.execute(
                "SELECT count(*), coalesce(sum(id = cluster), 0) FROM label").fetchone()
        finally:
            lab.close()
        survivors_dir = os.path.join(output, "survivors")
        os.makedirs(survivors_dir, exist_ok=True)
        futures = []
        for s in range(S):
            rej = _load(os.path.join(d1, "rejected-%05d.pkl" % s))
            f = os.path.join(d4, "drop-%05d.pkl" % s)
            _dump(f, sorted(set(drop[s]).union(rej)))
            futures.append(client.submit(_task_write, s, shards[s], cfg, f,
                                         os.path.join(survivors_dir, names[s]),
                                         key="dedup-write-%s-%s-%d" % (k3, run_id, s),
                                         pure=False))
        written = _gather(client, futures, "write", progress)
        st.ran = len(futures)
        times["write"] = st.done(written)
    finally:
        if owns_client:
            client.close()
        if own is not None:
            own.close()

    report = _write_report(output, cfg, shards, sign, drop, written, labels_file)
    docs_in = sum(s["docs"] for s in sign)
    rejected = sum(s["rejected"] for s in sign)
    removed = sum(len(v) for v in drop.values())
    manifest = {
        "settings": {k: cfg[k] for k in DEFAULTS},
        "inputs": [{"path": p, "bytes": b, "mtime_ns": m, "docs": s["docs"],
                    "null_text": s["null_text"], "rejected": s["rejected"],
                    "rejected_by_rule": s["rejected_by_rule"]}
                   for (p, b, m), s in zip(stat, sign)],
        "outputs": [{"path": os.path.relpath(w["path"], output), "input": shards[w["shard"]],
                     "docs": w["rows"], "bytes": w["bytes_on_disk"], "sha256": w["sha256"]}
                    for w in written],
        "report": os.path.relpath(report, output),
        "counts": {"documents": docs_in, "rejected": rejected,
                   "candidates": sum(v["candidates"] for v in ver),
                   "verified": verified,
                   "clusters": clusters, "in_clusters": in_clusters, "removed": removed,
                   "survivors": sum(w["rows"] for w in written)},
        "stages": times,
        "seconds": round(time.monotonic() - t_start, 3),
        "driver_peak_rss_mb": _peak_rss_mb(),
    }
    _atomic_write(os.path.join(output, "manifest.json"),
                  (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode())
    return manifest


def _write_report(output, cfg, shards, sign, drop, written, labels_file) -> str:
    """OUTPUT/report.db: dedup_settings, shard (per-shard counts) and
    dedup_cluster(id, cluster) as the recipe's, written to a temporary
    file and renamed."""
    final = os.path.join(output, "report.db")
    with _atomic_file(final) as tmp:
        db = sqlite3.connect(tmp)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("CREATE TABLE dedup_settings(%s)" % ", ".join(_ident(k) for k in DEFAULTS))
        db.execute("INSERT INTO dedup_settings VALUES (%s)" % ", ".join("?" * len(DEFAULTS)),
                   [cfg[k] for k in DEFAULTS])
        db.execute("CREATE TABLE shard(shard INTEGER PRIMARY KEY, path TEXT, docs INTEGER, "
                   "null_text INTEGER, rejected INTEGER, removed INTEGER, survivors INTEGER, "
                   "output TEXT, sha256 TEXT)")
        by = {w["shard"]: w for w in written}
        removed = {s: 0 for s in range(len(shards))}
        rej = {s["shard"]: s["rejected"] for s in sign}
        for s in range(len(shards)):
            removed[s] = len(drop[s])
        db.executemany("INSERT INTO shard VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (s, shards[s], sign[s]["docs"], sign[s]["null_text"], rej[s], removed[s],
             by[s]["rows"], os.path.relpath(by[s]["path"], output), by[s]["sha256"])
            for s in range(len(shards))])
        db.execute("CREATE TABLE dedup_cluster(id, cluster)")
        db.commit()
        db.execute("ATTACH %s AS l" % _lit(labels_file))
        db.execute("INSERT INTO dedup_cluster SELECT id, cluster FROM l.label ORDER BY id")
        db.commit()
        db.execute("DETACH l")
        db.execute("CREATE INDEX dedup_cluster_id ON dedup_cluster(id)")
        db.commit()
        db.close()
    return final


# ---------------------------------------------------------------- CLI

def _summary(m: Dict[str, Any]) -> str:
    c = m["counts"]
    lines = ["dedup: %d documents in %d shards: %d clusters (%d documents), %d removed as "
             "near-duplicates%s, %d survivors"
             % (c["documents"], len(m["inputs"]), c["clusters"], c["in_clusters"],
                c["removed"], ", %d rejected by quality" % c["rejected"]
                if m["settings"]["quality"] else "", c["survivors"]),
             "dedup: %d candidate pairs, %d verified that joined two groups"
             % (c["candidates"], c["verified"])]
    parts = []
    for name, t in m["stages"].items():
        extra = " reused" if t["tasks_reused"] and not t["tasks_run"] else ""
        parts.append("%s %.2fs%s" % (name, t["seconds"], extra))
    lines.append("dedup: time: %s; total %.2fs" % (", ".join(parts), m["seconds"]))
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python3 -m sqlite_corpus.dedup",
        description="Near-duplicate removal over shards on Dask distributed, with "
                    "sql/dedup.sql's answers (docs/scale.md).")
    ap.add_argument("--input", action="append", required=True, metavar="GLOB",
                    help="shards: JSON Lines files (plain, .gz, .zst) or SQLite files with "
                         "docs(id, text); a path or a quoted glob; may be repeated")
    ap.add_argument("--output", required=True, metavar="DIR",
                    help="survivors/, manifest.json, report.db and work/ go here")
    ap.add_argument("--scheduler", metavar="ADDR",
                    help="a running scheduler (tcp://host:8786); without it a local cluster")
    ap.add_argument("--workers", type=int, default=2, metavar="N",
                    help="worker processes of the local cluster (default 2)")
    ap.add_argument("--extension", metavar="PATH",
                    help="the extension's library (default: the package's)")
    ap.add_argument("--threshold", type=float, default=DEFAULTS["threshold"])
    for k in ("num_perm", "ngram", "bands", "rows", "all_pairs", "partitions",
              "gather_edges"):
        ap.add_argument("--" + k.replace("_", "-"), type=int, default=DEFAULTS[k], dest=k)
    ap.add_argument("--verify", default="exact", help="exact (default) or minhash")
    ap.add_argument("--quality", metavar="OPTIONS",
                    help="drop what quality_reject(text, OPTIONS) rejects, e.g. "
                         "'rules=gopher,c4' (default: no quality filter)")
    ap.add_argument("--components", default="auto", help="auto, gather or distributed")
    ap.add_argument("--id-field", default="id", help="JSON Lines: the id's field (path)")
    ap.add_argument("--text-field", default="text", help="JSON Lines: the text's field (path)")
    ap.add_argument("--table", default="docs", help="SQLite shards: the table (id, text)")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    a = ap.parse_args(argv)
    settings = {k: getattr(a, k) for k in DEFAULTS}
    try:
        if a.workers < 1:
            raise DedupError("--workers must be 1 or more, got %d" % a.workers)
        m = run(a.input, a.output, scheduler=a.scheduler, workers=a.workers,
                extension=a.extension, progress=not a.no_progress, **settings)
    except DedupError as e:
        print("dedup: %s" % e, file=sys.stderr)
        return 1
    print(_summary(m), file=sys.stderr)
    return 0


if __name__ == "__main__":
    # run as the package's module, not as __main__: the workers import
    # the task functions by name, and DedupError raised by a task must be
    # the class main() catches
    from sqlite_corpus.dedup import main as _main
    sys.exit(_main())
