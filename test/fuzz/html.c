/*
** HTML (any bytes) through html_to_text and html_metadata.  Input: a
** selector byte, then the page.  The selector picks TEXT or BLOB, a
** Content-Type (none, a charset libiconv knows, one it does not, UTF-16)
** and the options.  Besides the sanitizers it checks that the results are
** valid UTF-8 (fuzz_run()), that mode=main's text never has more lines than
** mode=all's (boilerplate removal only takes away), and that html_metadata
** gives an object with its seven keys.
*/
#include "fuzz.h"

static const char *const azType[] = {
  0, "text/html; charset=utf-8", "text/html; charset=ISO-8859-1",
  "text/html;charset=\"shift_jis\"", "text/html; charset=x-unknown-42",
  "text/html; charset=utf-16le", "text/html; charset=gb2312",
  "text/plain",
};
static const char *const azOpt[] = {
  "", "mode=all", "links=drop tables=drop", "comments=keep title=on",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  sqlite3 *db = fuzz_db();
  fuzz_part part[2];
  char *zSql;
  unsigned blob;
  int nType, nOpt;
  sqlite3_int64 ok;
  if( size<1 ) return 0;
  blob = data[0] & 1;
  nType = (data[0]>>1) % (int)(sizeof(azType)/sizeof(azType[0]));
  nOpt = (data[0]>>4) % (int)(sizeof(azOpt)/sizeof(azOpt[0]));
  part[0].z = (const char*)data + 1;
  part[0].n = size - 1;
  part[1].z = azType[nType] ? azType[nType] : "";
  part[1].n = strlen(part[1].z);

  zSql = sqlite3_mprintf("SELECT html_to_text(?1, %s, '%s')",
                         azType[nType] ? "?2" : "NULL", azOpt[nOpt]);
  fuzz_run(db, zSql, part, 2, blob, 0, 0);
  sqlite3_free(zSql);

  zSql = sqlite3_mprintf("SELECT html_metadata(?1, %s)",
                         azType[nType] ? "?2" : "NULL");
  fuzz_run(db, zSql, part, 2, blob, 0, 0);
  sqlite3_free(zSql);
  ok = fuzz_int(db,
      "SELECT (SELECT count(*) FROM json_each(html_metadata(?1))) = 7",
      part, 1, 1);
  if( !ok ) fuzz_fail("html_metadata", "not an object of seven keys");

  ok = fuzz_int(db,
      "SELECT length(html_to_text(?1)) - length(replace(html_to_text(?1),"
      " char(10), '')) <= length(html_to_text(?1, NULL, 'mode=all'))"
      " - length(replace(html_to_text(?1, NULL, 'mode=all'), char(10), ''))",
      part, 1, 1);
  if( !ok ) fuzz_fail("html_to_text", "mode=main has more lines than mode=all");
  return 0;
}
