#!/usr/bin/python3
"""Writes examples/data/daily-batch.jsonl, "today's batch" of the daily-ingest
notebook (examples/daily-ingest.sql), from the bundled corpus
examples/data/sqlite-doc.json (SQLite's public-domain documentation).

Yesterday's corpus is pages 1..30 of sqlite-doc.json; the batch holds, in
this order, with ids from 1001:
  - pages 31..43, new (13 documents);
  - 3 exact copies of yesterday's pages (ids 5, 12, 20);
  - 2 edited copies of yesterday's pages (ids 7 and 25: a sentence
    appended, a word changed in the first line);
  - 2 near-duplicates within the batch: pages 33 and 40 again, with a
    line of site navigation prepended;
  - 2 pages with no words (empty; punctuation only).
Deterministic: the same bytes on every run.

    /usr/bin/python3 scripts/make-daily-batch.py
"""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "examples", "data", "sqlite-doc.json")
OUT = os.path.join(ROOT, "examples", "data", "daily-batch.jsonl")


def main():
    with open(SRC, encoding="utf-8") as f:
        pages = {p["id"]: p for p in json.load(f)}
    batch = []

    def add(kind, text, path):
        batch.append({"id": 1001 + len(batch), "kind": kind, "path": path,
                      "text": text})

    for i in range(31, 44):
        add("new", pages[i]["text"], pages[i]["path"])
    for i in (5, 12, 20):
        add("exact copy", pages[i]["text"], pages[i]["path"])
    for i in (7, 25):
        text = pages[i]["text"]
        first, _, rest = text.partition("\n")
        words = first.split(" ")
        words[-1] = words[-1].upper() + "!"
        add("edited copy", " ".join(words) + "\n" + rest +
            "\n\nThis page was mirrored on 2026-11-30.", pages[i]["path"])
    for i in (33, 40):
        add("copy within the batch",
            "Home | About | Documentation | Download\n\n" + pages[i]["text"],
            pages[i]["path"])
    add("no words", "", "empty.html")
    add("no words", "* * * --- !!! ---", "rule.html")
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for d in batch:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
