-- 07-warc: web text from a crawl file.  read_warc() reads the bundled WET
-- file (examples/data/sqlite-doc.warc.wet.gz: Common Crawl's layout of
-- extracted text, one gzip member per record) as rows; the notebook looks
-- at its records, urls and domains, finds the pages' language, the exact
-- copies served under other urls, and the junk pages a crawl brings (the
-- quality rules name them).  Then a WARC of HTML responses
-- (examples/data/python-tutorial.warc.gz: the Python tutorial's pages as a
-- crawler stores them): html_to_text() keeps each page's main content and
-- sets the site's navigation aside, html_metadata() reads its title and
-- language.
-- Run from the top of the repository:
--     sqlite3 -bail :memory: < examples/07-warc.sql
.load ./dist/corpus
.mode box
.headers on

.print '== The records of the file'
SELECT record_type, content_type, count(*) AS records,
       sum(length(payload)) AS payload_bytes
  FROM read_warc('examples/data/sqlite-doc.warc.wet.gz')
 GROUP BY 1, 2 ORDER BY records DESC;

.print "== The pages: a WET conversion record holds a page's text"
CREATE TABLE pages AS
  SELECT row_number() OVER (ORDER BY offset) AS id, offset, target_uri AS url,
         CAST(payload AS TEXT) AS text
    FROM read_warc('examples/data/sqlite-doc.warc.wet.gz', 'types=conversion');
SELECT id, offset, url, length(text) AS chars FROM pages ORDER BY id LIMIT 5;

.print '== Hosts and registered domains (url_parts, url_domain)'
SELECT url_parts(url) ->> '$.host' AS host, url_domain(url) AS domain, count(*) AS pages
  FROM pages GROUP BY 1, 2 ORDER BY pages DESC, host;

.print '== Languages'
SELECT coalesce(lang_id(text), '(unsure)') AS lang, count(*) AS pages
  FROM pages GROUP BY 1 ORDER BY pages DESC, lang;

.print '== The same text under more than one url (exact, after normalize())'
SELECT count(*) AS copies, min(url) AS first_url, max(url) AS other_url
  FROM (SELECT url, xxh3(normalize(text)) AS h FROM pages)
 GROUP BY h HAVING count(*) > 1 ORDER BY first_url;

.print "== What the quality rules say of each host's pages"
SELECT url_parts(url) ->> '$.host' AS host,
       coalesce(quality_reject(text), '(kept)') AS reason, count(*) AS pages
  FROM pages GROUP BY 1, 2 ORDER BY host, pages DESC, reason;

.print '== The junk pages, in full'
SELECT url, replace(text, char(10), ' / ') AS text, quality_reject(text) AS reason
  FROM pages WHERE url_domain(url) = 'example.com' ORDER BY id;

.print '== A WARC of HTML responses: the records'
SELECT record_type, http_status, http_content_type, count(*) AS records,
       sum(length(payload)) AS payload_bytes
  FROM read_warc('examples/data/python-tutorial.warc.gz')
 GROUP BY 1, 2, 3 ORDER BY records DESC;

.print '== Main content against every visible text: what html_to_text() sets aside'
CREATE TABLE web AS
  SELECT target_uri AS url, payload AS html, http_content_type AS ctype,
         html_to_text(payload, http_content_type) AS main,
         html_to_text(payload, http_content_type, 'mode=all') AS everything
    FROM read_warc('examples/data/python-tutorial.warc.gz', 'types=response');
SELECT substr(url, 39) AS page, length(html) AS html_bytes,
       length(everything) AS all_chars, length(main) AS main_chars,
       replace(html_metadata(html, ctype) ->> '$.title', ' — Python 3.11.2 documentation', '') AS title
  FROM web ORDER BY url LIMIT 8;
SELECT count(*) AS pages, sum(length(html)) AS html_bytes,
       sum(length(everything)) AS all_chars, sum(length(main)) AS main_chars
  FROM web;

.print '== The lines of one page that only mode=all has: the site around the text'
WITH a AS (SELECT token AS line FROM web, tokens(web.everything, 'lines')
            WHERE url LIKE '%/appetite.html'),
     m AS (SELECT token AS line FROM web, tokens(web.main, 'lines')
            WHERE url LIKE '%/appetite.html')
SELECT substr(line, 1, 70) AS line FROM (SELECT line FROM a EXCEPT SELECT line FROM m)
 ORDER BY line LIMIT 12;

.print '== Language, declared (<html lang>) and found (lang_id of the main content)'
SELECT html_metadata(html, ctype) ->> '$.language' AS declared, lang_id(main) AS found,
       count(*) AS pages
  FROM web GROUP BY 1, 2;
