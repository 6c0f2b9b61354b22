-- 07-warc: web text from a crawl file.  read_warc() reads the bundled WET
-- file (examples/data/sqlite-doc.warc.wet.gz: Common Crawl's layout of
-- extracted text, one gzip member per record) as rows; the notebook looks
-- at its records, urls and domains, finds the pages' language, the exact
-- copies served under other urls, and the junk pages a crawl brings (the
-- quality rules name them).  A WARC of HTML responses reads the same way;
-- html_to_text(CAST(payload AS TEXT), http_content_type) then gives the
-- main content of each page (docs/web.md).
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
