"""read_warc() against warcio's ArchiveIterator over the same files.

    PYTHONPATH=/path/to/warcio /usr/bin/python3 test/warc_parity.py [--write] [LIB]

For each WARC file in test/data/warc/ it lists warcio's records, one line
each: offset, record type, record id, target URI, HTTP status (responses and
revisits with HTTP headers; '-' otherwise), and the payload's length and
CRC-32 (warcio's content_stream(): de-chunked, gzip/deflate decoded); where
warcio stops with an error, a last line "error: " and its first line.  It
then reads the same file with read_warc (LIB, default dist/corpus, with
'decode=lenient', warcio's fallbacks) through Python's sqlite3 and prints
every line that differs.  --write stores warcio's listing as NAME.expected
beside the file, which test/warc01.test compares with read_warc in CI,
where warcio is not installed.  warcio's own test files are Apache-2.0
(test/data/warc/PROVENANCE).
"""
import glob
import os
import sqlite3
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data", "warc")


def line(offset, rtype, rid, uri, status, payload):
    return "%d %s %s %s %s %d %08x" % (
        offset, rtype, rid, uri, "-" if status is None else status,
        len(payload), zlib.crc32(payload) & 0xffffffff)


def warcio_lines(path):
    from warcio.archiveiterator import ArchiveIterator
    out = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        try:
            for r in it:
                payload = r.content_stream().read()
                status = None
                if r.http_headers and r.rec_type in ("response", "revisit"):
                    code = r.http_headers.get_statuscode()
                    status = int(code) if code.isdigit() else None
                out.append(line(it.get_record_offset(), r.rec_type,
                                r.rec_headers.get_header("WARC-Record-ID"),
                                r.rec_headers.get_header("WARC-Target-URI"),
                                status, payload))
        except Exception as e:  # warcio's errors end its listing
            out.append("error: " + str(e).strip().splitlines()[0])
    return out


def corpus_lines(db, path):
    out = []
    try:
        for r in db.execute(
                "SELECT offset, record_type, record_id, target_uri, "
                "http_status, payload FROM read_warc(?, 'decode=lenient')",
                (path,)):
            out.append(line(r[0], r[1], r[2], r[3], r[4], r[5]))
    except sqlite3.Error as e:
        out.append("error: " + str(e))
    return out


def main():
    args = [a for a in sys.argv[1:] if a != "--write"]
    lib = args[0] if args else os.path.join(HERE, "..", "dist", "corpus")
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(lib)
    differ = 0
    for path in sorted(glob.glob(os.path.join(DATA, "*.warc*"))):
        if path.endswith(".expected"):
            continue
        want = warcio_lines(path)
        got = corpus_lines(db, path)
        name = os.path.basename(path)
        if "--write" in sys.argv:
            with open(path + ".expected", "w") as f:
                f.write("\n".join(want) + "\n")
        for i in range(max(len(want), len(got))):
            w = want[i] if i < len(want) else "(none)"
            g = got[i] if i < len(got) else "(none)"
            if w != g:
                differ += 1
                print("%s record %d\n  warcio:    %s\n  read_warc: %s"
                      % (name, i, w, g))
    print("%d lines differ" % differ)


if __name__ == "__main__":
    main()
