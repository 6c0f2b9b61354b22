# read_jsonl's count(*) and Python's json.loads per line over the same
# files, interleaved run by run in one process (the shared machine's load
# moves both alike), best and median of 7 runs each.  Figures only.
#
#   /usr/bin/python3 bench/jsonl_python.py dist/corpus FILE.jsonl...
import json, os, sqlite3, sys, time

con = sqlite3.connect(':memory:')
con.enable_load_extension(True)
con.load_extension(sys.argv[1])
for path in sys.argv[2:]:
    ours, py = [], []
    for _ in range(7):
        t = time.perf_counter()
        con.execute("SELECT count(*) FROM read_jsonl(?)", (path,)).fetchall()
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        with open(path, 'rb') as f:
            for line in f:
                if line.strip():
                    json.loads(line)
        py.append(time.perf_counter() - t)
    mb = os.path.getsize(path) / 1e6
    ours.sort(); py.sort()
    print("%-22s %7.1f MB  read_jsonl %.3f s (%5.0f MB/s)  json.loads %.3f s "
          "(%4.0f MB/s)  %.2fx  (medians %.3f / %.3f s)"
          % (os.path.basename(path), mb, ours[0], mb / ours[0], py[0],
             mb / py[0], py[0] / ours[0], ours[3], py[3]))
