#!/usr/bin/env python3
"""html_to_text on the public article-extraction benchmark.

Usage: bench/html_extraction.py BENCHMARK_DIR [OPTIONS] [--out FILE]

BENCHMARK_DIR is a checkout of scrapinghub/article-extraction-benchmark
(its html/*.html.gz pages and ground-truth.json; the pages are not part of
this repository).  Each page is given to html_to_text() as a BLOB, so the
charset is found as for a crawled page.  The quality figures are computed by
the benchmark's own evaluate.py (imported from the checkout: token 4-gram
shingles, precision and recall averaged over pages, accuracy = identical
token lists), with its bootstrap for the spread.  Speed: MB of HTML per
second on one core, for html_to_text (mode=main and mode=all) next to the
baseline of the same pages through libxml2's HTML parser alone (lxml, when
python3-lxml is installed).
"""
import gzip, json, os, sqlite3, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    args = [a for a in sys.argv[1:]]
    out_file = None
    if '--out' in args:
        i = args.index('--out')
        out_file = args[i + 1]
        del args[i:i + 2]
    if not args:
        sys.exit(__doc__)
    bench = Path(args[0])
    options = args[1] if len(args) > 1 else None
    sys.path.insert(0, str(bench))
    import evaluate  # the benchmark's own script

    pages = {}
    for path in sorted((bench / 'html').glob('*.html.gz')):
        pages[path.name.split('.')[0]] = gzip.decompress(path.read_bytes())
    mb = sum(len(v) for v in pages.values()) / 1e6
    db = sqlite3.connect(':memory:')
    db.enable_load_extension(True)
    db.load_extension(str(ROOT / 'dist' / 'corpus'))

    def run(sql, *extra):
        t0 = time.perf_counter()
        res = {k: db.execute(sql, (v,) + extra).fetchone()[0]
               for k, v in pages.items()}
        return res, time.perf_counter() - t0

    prediction, t_main = run('SELECT html_to_text(?, NULL, ?)', options)
    _, t_all = run("SELECT html_to_text(?, NULL, 'mode=all')")
    _, t_len = run('SELECT length(?)')   # the SQL call alone
    try:  # the parser's own speed: libxml2's HTML parser through lxml
        import lxml.html
        t0 = time.perf_counter()
        for v in pages.values():
            lxml.html.document_fromstring(v)
        t_lxml = time.perf_counter() - t0
    except ImportError:
        t_lxml = None
    truth = evaluate.load_json(bench / 'ground-truth.json')
    pred = {k: {'articleBody': prediction[k] or ''} for k in truth}
    m = evaluate.evaluate(truth, pred, 1000)
    print(f'pages {len(pages)}, {mb:.1f} MB of HTML, options {options!r}')
    print('F1 {f1:.3f} ± {f1_std:.3f}  precision {precision:.3f} ± '
          '{precision_std:.3f}  recall {recall:.3f} ± {recall_std:.3f}  '
          'accuracy {accuracy:.3f} ± {accuracy_std:.3f}'.format(**m))
    print(f'html_to_text mode=main  {mb / t_main:7.1f} MB/s')
    print(f'html_to_text mode=all   {mb / t_all:7.1f} MB/s')
    print(f'baseline: length(?)     {mb / t_len:7.1f} MB/s')
    if t_lxml:
        print(f'baseline: libxml2 parse {mb / t_lxml:7.1f} MB/s '
              '(lxml.html.document_fromstring)')
    else:
        print('baseline: libxml2 parse (needs python3-lxml)')
    if out_file:
        with open(out_file, 'w') as f:
            json.dump({'version': 'sqlite-corpus', 'output': pred}, f,
                      ensure_ascii=False, indent=1)


if __name__ == '__main__':
    main()
