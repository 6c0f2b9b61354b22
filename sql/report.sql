-- The HTML report of a curation run, as a SQL recipe: six kinds of chart of
-- chart_svg() in one self-contained page written by corpus_report().
--
-- Input:  report_docs(id, source, url, lang, tokens, fate, cluster)
--           a table or view, one row per document read:
--           source   TEXT     where it came from
--           url      TEXT     or NULL
--           lang     TEXT     or NULL (lang_id())
--           tokens   INTEGER  its token count (cl100k_base), NULL if no text
--           fate     TEXT     'kept', or why it was dropped ('exact
--                             duplicate', 'near duplicate', 'quality: ...')
--           cluster  INTEGER  its near-duplicate cluster's id, or NULL
--         report_settings(path, title)   one row: where the page goes (an
--           existing file there is replaced) and its heading
-- Output: the page at report_settings.path; one row, column report:
--         "report.sql: wrote PATH (N charts)".  Nothing is written to the database but temp
--         tables (temp.report_*).
--
-- Run:    CREATE TABLE report_settings AS
--           SELECT 'report.html' AS path, 'My corpus' AS title;
--         .read sql/report.sql
--         (in the sqlite3 shell after `.load ./dist/corpus`, or from any
--         program that loaded the extension: corpus_report() writes a file,
--         so it runs only in statements run directly, not from a view or a
--         trigger).
--
-- The charts, in this order:
--   1. Document length in tokens, one histogram per source (log-scaled
--      bins, the same edges for every source so that they compare; the
--      eight largest sources by documents, the others together as
--      "other sources"); documents with 0 tokens are counted under the chart
--      as "below the first bin", those without text as NULL.
--   2. Why documents were dropped: fate <> 'kept', documents per reason.
--   3. Near-duplicate cluster sizes: clusters of two documents or more,
--      how many clusters have each size.
--   4. Languages: documents per lang (NULL as "unknown").
--   5. Top domains: documents per registered domain of url (url_domain()).
--   6. Token budget per source: the tokens of the kept documents (0 for a
--      source none of whose documents was kept).
--
-- A missing table or column is an error that says what is needed, such as
--   report.sql: report_docs has no column fate (the recipe reads report_docs(id, source, url, lang, tokens, fate, cluster))
-- and no page is written: every step reads temp.report_ok, which holds a
-- row only when the checks pass, so a shell that goes on after an error
-- writes nothing.

DROP TABLE IF EXISTS temp.report_ok;
DROP TABLE IF EXISTS temp.report_figure;
DROP TABLE IF EXISTS temp.report_check;
CREATE TEMP TABLE report_check(problem TEXT);
CREATE TEMP TRIGGER report_check_raise BEFORE INSERT ON report_check BEGIN
  SELECT CASE NEW.problem
    WHEN 'no settings' THEN RAISE(ABORT, 'report.sql: no table report_settings (create it first: CREATE TABLE report_settings AS SELECT ''report.html'' AS path, ''title'' AS title)')
    WHEN 'no path' THEN RAISE(ABORT, 'report.sql: report_settings has no column path (the recipe reads report_settings(path, title))')
    WHEN 'no title' THEN RAISE(ABORT, 'report.sql: report_settings has no column title (the recipe reads report_settings(path, title))')
    WHEN 'settings rows' THEN RAISE(ABORT, 'report.sql: report_settings must hold one row')
    WHEN 'path' THEN RAISE(ABORT, 'report.sql: report_settings.path must be a non-empty TEXT')
    WHEN 'no docs' THEN RAISE(ABORT, 'report.sql: no table or view report_docs (the recipe reads report_docs(id, source, url, lang, tokens, fate, cluster))')
    WHEN 'no id' THEN RAISE(ABORT, 'report.sql: report_docs has no column id (the recipe reads report_docs(id, source, url, lang, tokens, fate, cluster))')
    WHEN 'no source' THEN RAISE(ABORT, 'report.sql: report_docs has no column source (the recipe reads report_docs(id, source, url, lang, tokens, fate, cluster))')
    WHEN 'no url' THEN RAISE(ABORT, 'report.sql: report_docs has no column url (the recipe reads report_docs(id, source, url, lang, tokens, fate, cluster))')
    WHEN 'no lang' THEN RAISE(ABORT, 'report.sql: report_docs has no column lang (the recipe reads report_docs(id, source, url, lang, tokens, fate, cluster))')
    WHEN 'no tokens' THEN RAISE(ABORT, 'report.sql: report_docs has no column tokens (the recipe reads report_docs(id, source, url, lang, tokens, fate, cluster))')
    WHEN 'no fate' THEN RAISE(ABORT, 'report.sql: report_docs has no column fate (the recipe reads report_docs(id, source, url, lang, tokens, fate, cluster))')
    WHEN 'no cluster' THEN RAISE(ABORT, 'report.sql: report_docs has no column cluster (the recipe reads report_docs(id, source, url, lang, tokens, fate, cluster))')
    WHEN 'tokens type' THEN RAISE(ABORT, 'report.sql: report_docs.tokens must be an integer >= 0 or NULL')
  END;
END;
INSERT INTO temp.report_check
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_settings')) THEN 'no settings'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_settings') WHERE name = 'path' COLLATE NOCASE) THEN 'no path'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_settings') WHERE name = 'title' COLLATE NOCASE) THEN 'no title'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_docs')) THEN 'no docs'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_docs') WHERE name = 'id' COLLATE NOCASE) THEN 'no id'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_docs') WHERE name = 'source' COLLATE NOCASE) THEN 'no source'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_docs') WHERE name = 'url' COLLATE NOCASE) THEN 'no url'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_docs') WHERE name = 'lang' COLLATE NOCASE) THEN 'no lang'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_docs') WHERE name = 'tokens' COLLATE NOCASE) THEN 'no tokens'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_docs') WHERE name = 'fate' COLLATE NOCASE) THEN 'no fate'
    WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('report_docs') WHERE name = 'cluster' COLLATE NOCASE) THEN 'no cluster'
    ELSE 'ok' END;
-- Only now that the columns are known to exist may a statement name them.
INSERT INTO temp.report_check
  SELECT CASE
    WHEN (SELECT count(*) FROM report_settings) <> 1 THEN 'settings rows'
    WHEN (SELECT typeof(path) <> 'text' OR path = '' FROM report_settings) THEN 'path'
    WHEN EXISTS (SELECT 1 FROM report_docs WHERE tokens IS NOT NULL
                    AND (typeof(tokens) <> 'integer' OR tokens < 0)) THEN 'tokens type'
    ELSE 'ok' END;
-- report_ok holds its row only when every check passes (and does not exist
-- when a column is missing): every later step reads it.
CREATE TEMP TABLE report_ok AS
  SELECT 1 AS ok FROM report_settings
   WHERE (SELECT count(*) FROM pragma_table_info('report_docs')
           WHERE name COLLATE NOCASE IN ('id', 'source', 'url', 'lang',
                                         'tokens', 'fate', 'cluster')) = 7
     AND (SELECT count(*) FROM report_settings) = 1
     AND typeof(path) = 'text' AND path <> ''
     AND NOT EXISTS (SELECT 1 FROM report_docs WHERE tokens IS NOT NULL
                        AND (typeof(tokens) <> 'integer' OR tokens < 0));

-- The charts: (ord, figure).  Their data-chart ids are lengths-N (one per
-- source), reasons, clusters, languages, domains, budget.
CREATE TEMP TABLE report_figure(ord INTEGER, figure TEXT);

-- 1. Document length per source: the eight largest sources by documents,
--    the rest as one; the same log-scaled edges for all, two bins a decade
--    from the power of ten at or below the least token count above 0 to
--    the one at or above the largest (edges 10, 32, 100, 317, 1000, ...:
--    round numbers on the axis).
INSERT INTO temp.report_figure
  WITH ranked AS (
    SELECT source, row_number() OVER (ORDER BY count(*) DESC, source) AS r
      FROM report_docs GROUP BY source
  ), grouped AS (
    SELECT CASE WHEN r.r <= 8 THEN coalesce(d.source, '(no source)')
                ELSE 'other sources' END AS name,
           min(r.r, 9) AS r, d.tokens
      FROM report_docs AS d JOIN ranked AS r ON r.source IS d.source
     WHERE (SELECT ok FROM temp.report_ok)
  ), tens(v) AS (
    SELECT 1 UNION ALL SELECT v * 10 FROM tens WHERE v < 1000000000000000000
  ), seen AS (
    SELECT coalesce(min(tokens) FILTER (WHERE tokens > 0), 1) AS lo,
           coalesce(max(tokens), 1) AS hi
      FROM report_docs WHERE (SELECT ok FROM temp.report_ok)
  ), range AS (
    SELECT (SELECT max(v) FROM tens WHERE v <= seen.lo) AS lo,
           coalesce((SELECT min(v) FROM tens WHERE v >= seen.hi AND v > seen.lo),
                    9223372036854775807) AS hi
      FROM seen
  ), decades AS (
    SELECT range.lo, range.hi,
           (SELECT count(*) FROM tens WHERE v > range.lo AND v <= range.hi) AS n
      FROM range
  )
  SELECT 10 + g.r,
         chart_svg(histogram(g.tokens, printf('scale=log bins=%d lo=%d hi=%d',
                                              2 * max(range.n, 1), range.lo, range.hi)),
                   printf('title=%s id=lengths-%d x=%s y=documents unit=documents',
                          quote('Document length: ' || g.name), g.r,
                          quote('tokens per document, cl100k_base (log scale)')))
    FROM grouped AS g, decades AS range GROUP BY g.r, g.name;

-- 2. Why documents were dropped.
INSERT INTO temp.report_figure
  SELECT 20, chart_svg(coalesce(json_group_array(json_array(fate, n)), '[]'),
                       'title=''Why documents were dropped'' id=reasons ' ||
                       'x=''documents dropped'' max_bars=15 unit=documents')
    FROM (SELECT fate, count(*) AS n FROM report_docs
           WHERE fate IS NOT 'kept' AND (SELECT ok FROM temp.report_ok)
           GROUP BY fate ORDER BY n DESC, fate);

-- 3. Near-duplicate cluster sizes (clusters of two documents or more).
INSERT INTO temp.report_figure
  SELECT 30, chart_svg(json_group_array(json_array(size || ' documents', n)),
                       'title=''Near-duplicate clusters by size'' id=clusters ' ||
                       'x=''clusters'' max_bars=12 unit=clusters')
    FROM (SELECT size, count(*) AS n
            FROM (SELECT count(*) AS size FROM report_docs
                   WHERE cluster IS NOT NULL AND (SELECT ok FROM temp.report_ok)
                   GROUP BY cluster HAVING count(*) >= 2)
           GROUP BY size ORDER BY size);

-- 4. Languages.
INSERT INTO temp.report_figure
  SELECT 40, chart_svg(json_group_array(json_array(lang, n)),
                       'title=''Languages'' id=languages ' ||
                       'x=''documents (lang_id)'' max_bars=15 unit=documents')
    FROM (SELECT coalesce(lang, 'unknown') AS lang, count(*) AS n
            FROM report_docs WHERE (SELECT ok FROM temp.report_ok)
           GROUP BY 1 ORDER BY n DESC, lang);

-- 5. Top domains (documents without a url or a registered domain are left
--    out, and counted in the note under the chart when there are any).
INSERT INTO temp.report_figure
  SELECT 50, chart_svg(json_group_array(json_array(domain, n)),
                       printf('title=''Top domains'' id=domains ' ||
                              'x=''documents (registered domain of url)'' ' ||
                              'max_bars=15 unit=documents note=%s',
                              quote((SELECT CASE WHEN count(*) > 0 THEN
                                       'documents without a registered domain '
                                       || '(no url, or an IP address): '
                                       || count(*) ELSE '' END
                                       FROM report_docs
                                      WHERE url_domain(url) IS NULL))))
    FROM (SELECT url_domain(url) AS domain, count(*) AS n
            FROM report_docs
           WHERE url_domain(url) IS NOT NULL AND (SELECT ok FROM temp.report_ok)
           GROUP BY 1 ORDER BY n DESC, domain);

-- 6. Token budget per source: the tokens of the kept documents (a source
--    with no kept document shows 0).
INSERT INTO temp.report_figure
  SELECT 60, chart_svg(json_group_array(json_array(source, n)),
                       'title=''Token budget per source (kept documents)'' ' ||
                       'id=budget x=''tokens, cl100k_base'' max_bars=15 ' ||
                       'unit=tokens')
    FROM (SELECT coalesce(source, '(no source)') AS source,
                 coalesce(sum(tokens) FILTER (WHERE fate = 'kept'), 0) AS n
            FROM report_docs
           WHERE (SELECT ok FROM temp.report_ok)
           GROUP BY 1 ORDER BY n DESC, source);

-- The page.  corpus_report() is in the result column, called once for the
-- one row of report_settings joined with report_ok: when report_ok is
-- empty there is no row and no call (in WHERE it could run before the
-- join found report_ok empty), and its path comes from that row.
SELECT CASE WHEN corpus_report(CASE WHEN r.ok THEN s.path END,
         coalesce(s.title, 'Corpus report'),
         (SELECT json_group_array(figure)
            FROM (SELECT figure FROM temp.report_figure ORDER BY ord)),
         printf('overwrite=on note=%s', quote(
           (SELECT printf('%,d document%s read from %,d source%s; %,d kept, '
                          || 'with %,d tokens (cl100k_base)',
                          n, CASE n WHEN 1 THEN '' ELSE 's' END,
                          s, CASE s WHEN 1 THEN '' ELSE 's' END, k, t)
              FROM (SELECT count(*) AS n,
                           (SELECT count(*) FROM (SELECT DISTINCT source
                                                    FROM report_docs)) AS s,
                           count(*) FILTER (WHERE fate = 'kept') AS k,
                           coalesce(sum(tokens) FILTER (WHERE fate = 'kept'), 0) AS t
                      FROM report_docs))))) > 0
       THEN 'report.sql: wrote ' || s.path || ' ('
            || (SELECT count(*) FROM temp.report_figure) || ' charts)' END
       AS report
  FROM report_settings AS s, temp.report_ok AS r
 WHERE r.ok;
