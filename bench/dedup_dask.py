#!/usr/bin/python3
"""Benchmark of the Dask pipeline (python/sqlite_corpus/dedup.py,
docs/scale.md) against one worker and against the single-machine recipe.

  /usr/bin/python3 bench/dedup_dask.py --db DOCS.db [--shards 64] [--workers 1,2]
        [--work DIR] [--extension LIB] [--sql] [--sqlite3 PATH]

DOCS.db is a corpus of bench/pipeline.tcl (bench/make_dupes.py): a table
docs(id, text).  It is split into --shards SQLite shard files (docs(id,
text), a document in shard id % S; made once under --work, default
/tmp/dask-bench/NAME-S, and kept), then `python3 -m sqlite_corpus.dedup`
runs on them with a local cluster of N worker processes for each N of
--workers (one thread each), as a user would run it; each run's output
directory is removed first, so nothing is reused, and its work/ after
it (only survivors/, report.db and manifest.json are kept).  For each run: the
wall seconds of each stage and of the whole run (from its manifest.json),
the CPU seconds of the stage's tasks, the workers' peak RSS and the
driver's; then the speed-up of the most workers over the fewest.  --sql also runs
sql/dedup.sql on DOCS.db in one sqlite3 process (wall, CPU, peak RSS, by
/usr/bin/time) in the same run, after the Dask runs, and checks that its
dedup_cluster is each run's (report.db), row for row; --compare checks against a
dedup_cluster already in DOCS.db instead (bench/pipeline.tcl -keep).
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAGES = ("sign", "pair", "verify", "components", "write")


def make_shards(db, shards, work):
    """The shard files, made unless they are there (a file DONE last)."""
    done = os.path.join(work, "DONE")
    if os.path.exists(done):
        return
    os.makedirs(work, exist_ok=True)
    t0 = time.monotonic()
    con = sqlite3.connect(db, timeout=3600)   # another process may be writing
    n = con.execute("SELECT count(*) FROM docs").fetchone()[0]
    for s in range(shards):
        path = os.path.join(work, "shard-%03d.db" % s)
        if os.path.exists(path):
            os.remove(path)
        con.execute("ATTACH ? AS s", (path,))
        con.execute("PRAGMA s.journal_mode=OFF")
        con.execute("CREATE TABLE s.docs(id INTEGER PRIMARY KEY, text TEXT)")
        con.execute("INSERT INTO s.docs SELECT id, text FROM main.docs WHERE id %% %d = %d"
                    % (shards, s))
        con.commit()
        con.execute("DETACH s")
    con.close()
    with open(done, "w") as f:
        f.write("%d documents in %d shards\n" % (n, shards))
    print("bench: dask: %d documents split into %d shards in %.0f s"
          % (n, shards, time.monotonic() - t0), flush=True)


def run_dask(work, out, workers, lib):
    if os.path.exists(out):
        shutil.rmtree(out)
    cmd = ["/usr/bin/python3", "-m", "sqlite_corpus.dedup", "--input",
           os.path.join(work, "shard-*.db"), "--output", out, "--workers", str(workers),
           "--no-progress"]
    if lib:
        cmd += ["--extension", lib]
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    t0 = time.monotonic()
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    wall = time.monotonic() - t0
    if r.returncode != 0:
        sys.exit("bench: dask: the run with %d workers failed:\n%s" % (workers, r.stdout))
    with open(os.path.join(out, "manifest.json")) as f:
        m = json.load(f)
    m["process_seconds"] = wall
    return m


def run_sql(db, lib, sqlite3_path):
    with open(os.path.join(ROOT, "sql", "dedup.sql")) as f:
        recipe = f.read()
    script = ".bail on\n.load %s\n%s\n" % (os.path.abspath(lib or os.path.join(ROOT, "dist",
                                                                              "corpus")), recipe)
    t0 = time.monotonic()
    r = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", sqlite3_path, db],
                       input=script, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t0
    if r.returncode != 0:
        sys.exit("bench: dask: sql/dedup.sql failed:\n%s" % r.stderr[-2000:])
    e, u, s_, m = r.stderr.strip().splitlines()[-1].split()
    return {"wall": wall, "cpu": float(u) + float(s_), "rss_mb": int(m) / 1024}


def same_clusters(db, out):
    con = sqlite3.connect(db)
    con.execute("ATTACH ? AS r", (os.path.join(out, "report.db"),))
    diff = con.execute("SELECT (SELECT count(*) FROM (SELECT id, cluster FROM main.dedup_cluster "
                       "EXCEPT SELECT id, cluster FROM r.dedup_cluster)) + (SELECT count(*) "
                       "FROM (SELECT id, cluster FROM r.dedup_cluster EXCEPT SELECT id, "
                       "cluster FROM main.dedup_cluster))").fetchone()[0]
    rows = con.execute("SELECT count(*) FROM main.dedup_cluster").fetchone()[0]
    con.close()
    return diff, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--shards", type=int, default=64)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--work")
    ap.add_argument("--extension")
    ap.add_argument("--sql", action="store_true")
    ap.add_argument("--compare", action="store_true",
                    help="compare with the dedup_cluster already in DOCS.db (a run of the "
                         "recipe kept there, e.g. bench/pipeline.tcl -keep) instead of --sql")
    ap.add_argument("--sqlite3", default="sqlite3")
    a = ap.parse_args()
    name = os.path.splitext(os.path.basename(a.db))[0]
    work = a.work or os.path.join("/tmp/dask-bench", "%s-%d" % (name, a.shards))
    make_shards(a.db, a.shards, work)
    con = sqlite3.connect(a.db)
    ndocs, nbytes = con.execute("SELECT count(*), sum(length(CAST(text AS BLOB))) "
                                "FROM docs").fetchone()
    con.close()
    print("bench: dask: %s: %d documents, %.0f MB of text, %d shards; %d cores"
          % (a.db, ndocs, nbytes / 1e6, a.shards, os.cpu_count()), flush=True)
    runs = []
    for w in [int(x) for x in a.workers.split(",")]:
        out = os.path.join(work, "out-w%d" % w)
        m = run_dask(work, out, w, a.extension)
        # the stages' files (at 10M documents, 11 GB) are not kept
        shutil.rmtree(os.path.join(out, "work"), ignore_errors=True)
        runs.append((w, m, out))
        c = m["counts"]
        print("bench: dask: %d worker%s: wall %.1f s (the command %.1f s); %d candidates, "
              "%d pairs joined, %d removed, driver peak RSS %.0f MB"
              % (w, "s" if w > 1 else "", m["seconds"], m["process_seconds"],
                 c["candidates"], c["verified"], c["removed"], m["driver_peak_rss_mb"]),
              flush=True)
    # the recipe after the Dask runs, so that a failing run is seen early
    sql = None
    if a.sql:
        sql = run_sql(a.db, a.extension, a.sqlite3)
        print("bench: dask: sql/dedup.sql, one sqlite3 process: wall %.1f s, CPU %.1f s, "
              "peak RSS %.0f MB" % (sql["wall"], sql["cpu"], sql["rss_mb"]), flush=True)
    if sql or a.compare:
        for w, m, out in runs:
            diff, rows = same_clusters(a.db, out)
            print("bench: dask: %d worker%s: dedup_cluster %s the recipe's (%d rows, %d differ)"
                  % (w, "s" if w > 1 else "", "is" if diff == 0 else "IS NOT", rows, diff),
                  flush=True)
    runs = [(w, m) for w, m, _ in runs]
    print()
    head = "%-11s" % "stage"
    for w, _ in runs:
        head += " | %3d worker%s wall  task CPU  us/doc  worker RSS" % (w, "s" if w > 1 else " ")
    base = min(runs, key=lambda r: r[0])
    top = max(runs, key=lambda r: r[0])
    if len(runs) > 1:
        head += " | speed-up, %d over %d" % (top[0], base[0])
    print(head)
    for st in STAGES + ("all",):
        line = "%-11s" % st
        for w, m in runs:
            if st == "all":
                cpu = sum(m["stages"][s].get("task_cpu_seconds", 0) for s in STAGES)
                line += " | %15.1f s %7.1f s %7.1f %10s" % (m["seconds"], cpu, cpu / ndocs * 1e6,
                                                           "")
            else:
                t = m["stages"][st]
                cpu = t.get("task_cpu_seconds")
                line += " | %15.1f s %9s %7s %10s" % (
                    t["seconds"], "%.1f s" % cpu if cpu is not None else "driver",
                    "%.1f" % (cpu / ndocs * 1e6) if cpu is not None else "",
                    "%.0f MB" % t["worker_peak_rss_mb"] if "worker_peak_rss_mb" in t else "")
        if len(runs) > 1:
            t0 = base[1]["seconds"] if st == "all" else base[1]["stages"][st]["seconds"]
            t1 = top[1]["seconds"] if st == "all" else top[1]["stages"][st]["seconds"]
            line += " | %.2fx" % (t0 / t1 if t1 > 0 else 0)
        print(line)
    if sql:
        print("%-11s | one sqlite3 process: wall %.1f s, CPU %.1f s (%.1f us/doc), peak RSS %.0f MB"
              % ("sql/dedup", sql["wall"], sql["cpu"], sql["cpu"] / ndocs * 1e6, sql["rss_mb"]))


if __name__ == "__main__":
    main()
