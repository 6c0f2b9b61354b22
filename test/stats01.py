"""histogram() and quantiles() against a plain reading of their rules
(ext/stats.c's header, docs/stats.md), on random columns: small and huge
integers, reals, ties, NULLs, every scale and method, lo= and hi=.

    /usr/bin/python3 test/stats01.py LIB SEED ROUNDS

Quantiles are checked against the exact fraction of Hyndman & Fan's
definition 7 (Python's Fraction; statistics.quantiles(method='inclusive')
where it applies) and, where numpy is installed, against numpy.quantile for
every method.  The last line is "ROUNDS columns, N differ"."""
import json
import math
import random
import sqlite3
import statistics
import sys
from fractions import Fraction

lib, seed, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
print("stats01: seed", seed)
rng = random.Random(seed)
try:
    import numpy
except ImportError:
    numpy = None

db = sqlite3.connect(":memory:")
db.enable_load_extension(True)
db.load_extension(lib)
db.execute("CREATE TABLE t(v)")


def column():
    kind = rng.choice(["small", "ties", "big", "real", "mixed", "tiny"])
    n = rng.choice([0, 1, 2, 3, 5, 10, 37, 200, 1000])
    if kind == "small":
        vals = [rng.randint(-50, 300) for _ in range(n)]
    elif kind == "ties":
        vals = [rng.choice([1, 1, 1, 2, 7, 7, 100]) for _ in range(n)]
    elif kind == "big":
        vals = [rng.randint(-2**63, 2**63 - 1) for _ in range(n)]
    elif kind == "real":
        vals = [rng.uniform(-1e6, 1e6) * rng.choice([1, 1e-9, 1e9]) for _ in range(n)]
    elif kind == "tiny":
        vals = [rng.randint(1, 3) for _ in range(n)]
    else:
        vals = [rng.randint(0, 50) if rng.random() < 0.7 else rng.uniform(0, 50) for _ in range(n)]
    vals += [None] * rng.choice([0, 0, 1, 3])
    rng.shuffle(vals)
    return vals


def num(x):
    return x if isinstance(x, int) else float(x)


def sql_one(q, *args):
    return db.execute(q, args).fetchone()[0]


# ---- quantiles ---------------------------------------------------------------

def p_text():
    return rng.choice(["p0", "p100", "p50", "p10", "p90", "p25", "p75", "p99.9",
                       "p1", "p33.333333", "p12.5", "p99"])


def want_quantile(xs, ptext, method):
    f = Fraction(ptext[1:]) / 100
    n = len(xs)
    h = (n - 1) * f
    j = math.floor(h)
    r = h - j
    a = xs[j]
    if r == 0:
        return a
    b = xs[j + 1]
    if method == "lower":
        return a
    if method == "higher":
        return b
    if method == "nearest":
        if r < Fraction(1, 2):
            return a
        if r > Fraction(1, 2):
            return b
        return a if j % 2 == 0 else b
    if method == "midpoint":
        if all(isinstance(x, int) for x in xs):
            s = Fraction(a + b, 2)
            return s.numerator if s.denominator == 1 else float(s)
        return a / 2 + b / 2
    if all(isinstance(x, int) for x in xs):
        v = a + (b - a) * r
        return v.numerator if v.denominator == 1 else float(v)
    return a + (b - a) * float(r)


def check_quantiles(vals):
    bad = []
    ps = []
    for _ in range(rng.randint(1, 4)):
        p = p_text()
        if p not in ps:
            ps.append(p)
    method = rng.choice(["linear", "linear", "lower", "higher", "nearest", "midpoint"])
    got = sql_one("SELECT quantiles(v, ?, ?) FROM t", ",".join(ps), "method=" + method)
    xs = sorted(v for v in vals if v is not None)
    if any(isinstance(v, float) for v in xs):
        xs = [float(v) for v in xs]
    if not vals:
        return [] if got is None else ["no rows: %r" % got]
    got = json.loads(got)
    if list(got) != ps:
        return ["keys %r, want %r" % (list(got), ps)]
    for p in ps:
        if not xs:
            if got[p] is not None:
                bad.append("%s of NULLs: %r" % (p, got[p]))
            continue
        w = want_quantile(xs, p, method)
        g = got[p]
        exact = all(isinstance(x, int) for x in xs) and abs(xs[0]) < 2**40 and abs(xs[-1]) < 2**40
        if exact or method in ("lower", "higher", "nearest"):
            ok = g == w and type(g) == type(w)
        else:
            ok = math.isclose(g, w, rel_tol=1e-12, abs_tol=1e-300)
        if not ok:
            bad.append("%s %s: got %r, want %r" % (method, p, g, w))
        if numpy is not None and len(xs) and ok and max(abs(x) for x in xs) < 2**50:
            nv = float(numpy.quantile(numpy.array(xs, dtype=float), float(Fraction(p[1:]) / 100),
                                      method=method))
            # numpy takes p as a float: h = (n-1)p is off by an ulp or so,
            # and a + (b-a)t cancels when a and b are far apart
            scale = max(abs(x) for x in xs)
            if not math.isclose(nv, float(g), rel_tol=1e-9, abs_tol=1e-12 * scale + 1e-9):
                bad.append("numpy %s %s: %r, ours %r" % (method, p, nv, g))
    # statistics.quantiles(method='inclusive') for quartiles of plain ints
    if method == "linear" and len(xs) >= 2 and set(ps) == {"p25", "p50", "p75"}:
        # (statistics interpolates in floats: a quartile that cancels to
        # near 0 between large values can be an ulp of those values off)
        q = statistics.quantiles(xs, n=4, method="inclusive")
        big = max(abs(x) for x in xs)
        if not all(math.isclose(float(got[p]), float(x), rel_tol=1e-12,
                                abs_tol=1e-15 * big)
                   for p, x in zip(("p25", "p50", "p75"), q)):
            bad.append("statistics.quantiles %r, ours %r" % (q, got))
    return bad


# ---- histogram ---------------------------------------------------------------

def want_edges(xs, scale, nbin, lo, hi, isint):
    """The edges of the rule (docs/stats.md)."""
    e = [lo]

    def push(v):
        if v > e[-1]:
            e.append(v)
    if scale == "quantile":
        inside = [x for x in xs if lo <= x <= hi]
        m = len(inside)
        for k in range(1, nbin):
            if m == 0:
                break
            v = inside[(m * k) // nbin]
            v = v if isint else float(v)
            if v <= hi:       # an integer past 2^53 made a float can pass hi
                push(v)
    elif scale == "linear" and isint:
        w = 1 if hi - lo <= nbin else -(-(hi - lo) // nbin)
        for k in range(1, nbin):
            v = lo + w * k
            if v > hi:
                break
            push(v)
    elif scale == "linear":
        for k in range(1, nbin):
            t = k / nbin
            v = float(lo) * (1 - t) + float(hi) * t
            if v <= hi:
                push(v)
    else:
        l0, l1 = math.log(float(lo)), math.log(float(hi))
        lr = math.log1p(float(hi - lo) / float(lo)) if isint else 0
        for k in range(1, nbin):
            if isint:
                d = float(lo) * math.expm1(lr * k / nbin)
                if abs(d - round(d)) <= 1e-13 * d:
                    d = float(round(d))
                d = math.ceil(d)
                if d >= 1.8e19 or lo + d > hi:
                    break
                push(lo + d)
            else:
                v = math.exp(l0 + (l1 - l0) * k / nbin)
                if v <= hi:
                    push(v)
    e.append(hi)
    return e


def check_histogram(vals):
    scale = rng.choice(["linear", "linear", "log", "quantile"])
    nbin = rng.choice([1, 2, 3, 5, 10, 20])
    opts = ["bins=%d" % nbin, "scale=" + scale]
    xs = sorted(v for v in vals if v is not None)
    isreal = any(isinstance(v, float) for v in xs)
    if isreal:
        xs = [float(v) for v in xs]
    lo = hi = None
    if xs and rng.random() < 0.4:
        a, b = rng.choice(xs), rng.choice(xs)
        if rng.random() < 0.3:
            a, b = a + 0.5, b + 0.25
        lo, hi = min(a, b), max(a, b)
        if rng.random() < 0.5:
            lo = None
        elif rng.random() < 0.5:
            hi = None
        if lo is not None and hi is not None and lo == hi:
            hi = None
    if scale == "log":
        if lo is None and xs and xs[0] <= 0:
            lo = rng.choice([1, 0.5, 3])
            if hi is not None and hi <= lo:
                hi = None
        if lo is not None and lo <= 0:
            lo = 1
            if hi is not None and hi <= lo:
                hi = None
    if lo is not None:
        opts.append("lo=%r" % lo)
    if hi is not None:
        opts.append("hi=%r" % hi)
    try:
        got = json.loads(sql_one("SELECT histogram(v, ?) FROM t", " ".join(opts)))
    except sqlite3.Error as e:
        return ["%s: %s" % (opts, e)]
    bad = []
    want = {"count": len(xs), "nulls": len(vals) - len(xs),
            "min": xs[0] if xs else None, "max": xs[-1] if xs else None,
            "below": sum(1 for x in xs if lo is not None and x < lo),
            "above": sum(1 for x in xs if hi is not None and x > hi)}
    for k, v in want.items():
        if got[k] != v or type(got[k]) != type(v):
            bad.append("%s %s: got %r, want %r" % (opts, k, got[k], v))
    L = lo if lo is not None else (xs[0] if xs else None)
    H = hi if hi is not None else (xs[-1] if xs else None)
    bins = got["bins"]
    if L is None or H is None or H < L:
        if bins:
            bad.append("%s: bins %r, want none" % (opts, bins))
        return bad
    isint = not isreal and isinstance(L, int) and isinstance(H, int)
    e = want_edges(xs, scale, nbin, L, H, isint)
    ge = [b["lo"] for b in bins] + [bins[-1]["hi"]] if bins else []
    if ge != e or [type(x) for x in ge] != [type(x) for x in e]:
        bad.append("%s: edges %r, want %r" % (opts, ge, e))
        return bad
    if len(bins) > nbin:
        bad.append("%s: %d bins > %d" % (opts, len(bins), nbin))
    for i, b in enumerate(bins):
        last = i == len(bins) - 1
        c = sum(1 for x in xs if b["lo"] <= x and (x <= b["hi"] if last else x < b["hi"]))
        if b["count"] != c:
            bad.append("%s: bin %r count, want %d" % (opts, b, c))
        if i and bins[i - 1]["hi"] != b["lo"]:
            bad.append("%s: bins not adjacent" % opts)
    if sum(b["count"] for b in bins) + got["below"] + got["above"] != len(xs):
        bad.append("%s: counts do not add up" % opts)
    return bad


differ = 0
for r in range(rounds):
    vals = column()
    db.execute("DELETE FROM t")
    db.executemany("INSERT INTO t VALUES(?)", [(v,) for v in vals])
    bad = check_quantiles(vals) + check_histogram(vals)
    if bad:
        differ += 1
        if differ <= 5:
            print("round %d: %r" % (r, vals[:20]))
            for b in bad[:5]:
                print("  ", b)
print("%d columns, %d differ" % (rounds, differ))
