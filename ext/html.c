/*
** HTML in: the bytes of a page decoded to UTF-8 (the charset from a BOM, the
** HTTP Content-Type, the page's own <meta>, else a fallback that never
** fails), parsed by libxml2's HTML parser (the parser lxml, and so
** trafilatura, use), and its main content taken out as plain text:
** html_to_text().  html_metadata() reads the same parse.
**
** The content scoring is this file's own, after the public descriptions of
** Readability (Arc90; Mozilla's Readability.js: paragraph scores given to
** their ancestors, link density, class and id weights, siblings of the top
** candidate), jusText (short and link-dense blocks are boilerplate) and
** trafilatura (the containers pages name their article body with; the
** boilerplate sections it prunes).
*/
#include <errno.h>
#include <iconv.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include "corpus_sql.h"

/* ---- Charsets ---------------------------------------------------------- */

/* Windows-1252's 0x80..0x9F; the five bytes it leaves undefined map to the
** C1 control of the same value, as the WHATWG Encoding Standard does. */
static const uint16_t cp1252_c1[32] = {
  0x20AC,0x0081,0x201A,0x0192,0x201E,0x2026,0x2020,0x2021,
  0x02C6,0x2030,0x0160,0x2039,0x0152,0x008D,0x017D,0x008F,
  0x0090,0x2018,0x2019,0x201C,0x201D,0x2022,0x2013,0x2014,
  0x02DC,0x2122,0x0161,0x203A,0x0153,0x009D,0x017E,0x0178
};

/* Appends code point c as UTF-8 (corpus_utf8_encode). */
static int append_cp(corpus_buf *b, uint32_t c){
  unsigned char u[4];
  return corpus_buf_append(b, (const char*)u,
                           (size_t)corpus_utf8_encode((int32_t)c, u));
}

/* Windows-1252, which decodes every byte: the fallback that never fails. */
static int decode_cp1252(const unsigned char *z, size_t n, corpus_buf *out){
  size_t i = 0;
  if( corpus_buf_reserve(out, n) ) return -1;
  while( i<n ){
    size_t run = corpus_ascii_prefix((const char*)z+i, n-i);
    if( corpus_buf_append(out, (const char*)z+i, run) ) return -1;
    i += run;
    if( i<n ){
      unsigned c = z[i++];
      if( append_cp(out, c<0xA0 ? cp1252_c1[c-0x80] : c) ) return -1;
    }
  }
  return 0;
}

/* Decodes z[0..n) from charset with iconv: each invalid or incomplete
** sequence becomes U+FFFD (one per byte iconv cannot read).  0, -1 (out of
** memory) or 1 (iconv does not know the charset). */
static int decode_iconv(const char *charset, const unsigned char *z,
                        size_t n, corpus_buf *out){
  iconv_t cd = iconv_open("UTF-8", charset);
  char *in = (char*)z;
  size_t left = n;
  int rc = 0;
  if( cd==(iconv_t)-1 ) return 1;
  while( left>0 ){
    char *o;
    size_t room, r;
    if( corpus_buf_reserve(out, left*2 + 16) ){ rc = -1; break; }
    o = out->z + out->n;
    room = out->cap - out->n - 1;
    r = iconv(cd, &in, &left, &o, &room);
    out->n = (size_t)(o - out->z);
    if( r!=(size_t)-1 ) break;
    if( errno==E2BIG ) continue;
    /* EILSEQ, or EINVAL (a sequence cut by the end): one U+FFFD, on */
    if( corpus_buf_append(out, "\xEF\xBF\xBD", 3) ){ rc = -1; break; }
    in++;
    left--;
    iconv(cd, 0, 0, 0, 0);
  }
  iconv_close(cd);
  if( rc==0 && corpus_buf_reserve(out, 0) ) rc = -1;
  if( rc==0 ) out->z[out->n] = 0;
  return rc;
}

static int is_space(int c){
  return c==' ' || c=='\t' || c=='\n' || c=='\r' || c=='\f';
}
static int lower(int c){ return c>='A' && c<='Z' ? c+32 : c; }
static int upper(int c){ return c>='a' && c<='z' ? c-32 : c; }
static int is_alnum(char c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9');
}

/* Whether z[0..n) starts with the lowercase ASCII word w, ignoring case. */
static int starts_with(const char *z, size_t n, const char *w){
  size_t i;
  for(i=0; w[i]; i++){
    if( i>=n || lower((unsigned char)z[i])!=w[i] ) return 0;
  }
  return 1;
}

/* The value of "charset=" in a Content-Type (HTTP's, or a meta's content
** attribute), copied lowercased into label[0..cap); 0 when absent. */
static int charset_param(const char *z, size_t n, char *label, size_t cap){
  size_t i;
  for(i=0; i+8<=n; i++){
    if( starts_with(z+i, n-i, "charset") ){
      size_t j = i+7, k = 0;
      char q = 0;
      while( j<n && is_space((unsigned char)z[j]) ) j++;
      if( j>=n || z[j]!='=' ) continue;
      j++;
      while( j<n && is_space((unsigned char)z[j]) ) j++;
      if( j<n && (z[j]=='"' || z[j]=='\'') ) q = z[j++];
      while( j<n && z[j]!=q && z[j]!=';' && !is_space((unsigned char)z[j])
             && (q || z[j]!='"') && k+1<cap ){
        label[k++] = (char)lower((unsigned char)z[j++]);
      }
      label[k] = 0;
      return k>0;
    }
  }
  return 0;
}

/* An attribute of the tag starting at z[i] (just past "<meta"): its name
** (lowercased, cut at 15 bytes) and value; returns the index past it, or
** 0 at the tag's end. */
static size_t meta_attr(const char *z, size_t n, size_t i, char *name,
                        const char **val, size_t *nval){
  size_t k = 0;
  while( i<n && (is_space((unsigned char)z[i]) || z[i]=='/') ) i++;
  if( i>=n || z[i]=='>' ) return 0;
  while( i<n && !is_space((unsigned char)z[i]) && z[i]!='=' && z[i]!='>'
         && z[i]!='/' ){
    if( k<15 ) name[k++] = (char)lower((unsigned char)z[i]);
    i++;
  }
  name[k] = 0;
  *val = z+i;
  *nval = 0;
  while( i<n && is_space((unsigned char)z[i]) ) i++;
  if( i<n && z[i]=='=' ){
    i++;
    while( i<n && is_space((unsigned char)z[i]) ) i++;
    if( i<n && (z[i]=='"' || z[i]=='\'') ){
      char q = z[i++];
      *val = z+i;
      while( i<n && z[i]!=q ) i++;
      *nval = (size_t)(z+i-*val);
      if( i<n ) i++;
    }else{
      *val = z+i;
      while( i<n && !is_space((unsigned char)z[i]) && z[i]!='>' ) i++;
      *nval = (size_t)(z+i-*val);
    }
  }
  return i;
}

/* The charset a <meta charset> or <meta http-equiv=content-type
** content="...; charset=X"> declares in the first CORPUS_HTML_PRESCAN
** bytes (the WHATWG prescan, over a longer prefix because pages put
** scripts before their meta), skipping comments.  0 when none. */
#define CORPUS_HTML_PRESCAN 4096
static int meta_charset(const char *z, size_t n, char *label, size_t cap){
  size_t i = 0;
  if( n>CORPUS_HTML_PRESCAN ) n = CORPUS_HTML_PRESCAN;
  while( i<n ){
    const char *lt = memchr(z+i, '<', n-i);
    if( lt==0 ) break;
    i = (size_t)(lt-z);
    if( starts_with(z+i, n-i, "<!--") ){
      size_t j = i+4;
      while( j+3<=n && memcmp(z+j, "-->", 3)!=0 ) j++;
      i = j+3;
      continue;
    }
    if( starts_with(z+i, n-i, "<meta")
     && i+5<n && (is_space((unsigned char)z[i+5]) || z[i+5]=='/') ){
      char name[16], got[64];
      const char *v, *content = 0;
      size_t nv, ncontent = 0, j = i+5;
      int pragma = 0, have = 0;
      got[0] = 0;
      while( (j = meta_attr(z, n, j, name, &v, &nv))!=0 ){
        if( strcmp(name, "charset")==0 && !have && nv>0 ){
          size_t k;
          for(k=0; k<nv && k+1<sizeof(got); k++){
            got[k] = (char)lower((unsigned char)v[k]);
          }
          got[k] = 0;
          have = 1;
        }else if( strcmp(name, "http-equiv")==0 ){
          pragma = nv==12 && starts_with(v, nv, "content-type");
        }else if( strcmp(name, "content")==0 ){
          content = v;
          ncontent = nv;
        }
      }
      if( !have && pragma && content ){
        have = charset_param(content, ncontent, got, sizeof(got));
      }
      if( have ){
        size_t k = 0, s = 0;
        while( is_space((unsigned char)got[s]) ) s++;
        while( got[s+k] && k+1<cap ){ label[k] = got[s+k]; k++; }
        while( k>0 && is_space((unsigned char)label[k-1]) ) k--;
        label[k] = 0;
        if( k>0 ) return 1;
      }
    }
    i++;
  }
  return 0;
}

/* The WHATWG Encoding Standard's labels (encoding.spec.whatwg.org, "Encodings"
** table), sorted, each with the name iconv is asked for: browsers decode
** ISO-8859-1 and ASCII as Windows-1252, GB2312 and GBK as GB18030, Shift_JIS
** as Windows-31J, EUC-KR as CP949.  The labels WHATWG decodes as
** "replacement" (ISO-2022-KR, ISO-2022-CN, HZ) are decoded by iconv where
** it can: a corpus wants the text, not one U+FFFD. */
static const struct charset_label { const char *label, *name; } labels[] = {
    {"866", "IBM866"},
    {"ansi_x3.4-1968", "WINDOWS-1252"},
    {"arabic", "ISO-8859-6"},
    {"ascii", "WINDOWS-1252"},
    {"asmo-708", "ISO-8859-6"},
    {"big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"chinese", "GB18030"},
    {"cn-big5", "BIG5-HKSCS"},
    {"cp1250", "WINDOWS-1250"},
    {"cp1251", "WINDOWS-1251"},
    {"cp1252", "WINDOWS-1252"},
    {"cp1253", "WINDOWS-1253"},
    {"cp1254", "WINDOWS-1254"},
    {"cp1255", "WINDOWS-1255"},
    {"cp1256", "WINDOWS-1256"},
    {"cp1257", "WINDOWS-1257"},
    {"cp1258", "WINDOWS-1258"},
    {"cp819", "WINDOWS-1252"},
    {"cp866", "IBM866"},
    {"csbig5", "BIG5-HKSCS"},
    {"cseuckr", "CP949"},
    {"cseucpkdfmtjapanese", "EUC-JP"},
    {"csgb2312", "GB18030"},
    {"csibm866", "IBM866"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"csiso2022kr", "ISO-2022-KR"},
    {"csiso58gb231280", "GB18030"},
    {"csiso88596e", "ISO-8859-6"},
    {"csiso88596i", "ISO-8859-6"},
    {"csiso88598e", "ISO-8859-8"},
    {"csiso88598i", "ISO-8859-8"},
    {"csisolatin1", "WINDOWS-1252"},
    {"csisolatin2", "ISO-8859-2"},
    {"csisolatin3", "ISO-8859-3"},
    {"csisolatin4", "ISO-8859-4"},
    {"csisolatin5", "WINDOWS-1254"},
    {"csisolatin6", "ISO-8859-10"},
    {"csisolatin9", "ISO-8859-15"},
    {"csisolatinarabic", "ISO-8859-6"},
    {"csisolatincyrillic", "ISO-8859-5"},
    {"csisolatingreek", "ISO-8859-7"},
    {"csisolatinhebrew", "ISO-8859-8"},
    {"cskoi8r", "KOI8-R"},
    {"csksc56011987", "CP949"},
    {"csmacintosh", "MACINTOSH"},
    {"csshiftjis", "CP932"},
    {"csunicode", "UTF-16LE"},
    {"cyrillic", "ISO-8859-5"},
    {"dos-874", "WINDOWS-874"},
    {"ecma-114", "ISO-8859-6"},
    {"ecma-118", "ISO-8859-7"},
    {"elot_928", "ISO-8859-7"},
    {"euc-jp", "EUC-JP"},
    {"euc-kr", "CP949"},
    {"gb18030", "GB18030"},
    {"gb2312", "GB18030"},
    {"gb_2312", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"gbk", "GB18030"},
    {"greek", "ISO-8859-7"},
    {"greek8", "ISO-8859-7"},
    {"hebrew", "ISO-8859-8"},
    {"hz-gb-2312", "HZ"},
    {"ibm819", "WINDOWS-1252"},
    {"ibm866", "IBM866"},
    {"iso-10646-ucs-2", "UTF-16LE"},
    {"iso-2022-cn", "ISO-2022-CN"},
    {"iso-2022-cn-ext", "ISO-2022-CN-EXT"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"iso-2022-kr", "ISO-2022-KR"},
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso-8859-10", "ISO-8859-10"},
    {"iso-8859-11", "WINDOWS-874"},
    {"iso-8859-13", "ISO-8859-13"},
    {"iso-8859-14", "ISO-8859-14"},
    {"iso-8859-15", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
    {"iso-8859-2", "ISO-8859-2"},
    {"iso-8859-3", "ISO-8859-3"},
    {"iso-8859-4", "ISO-8859-4"},
    {"iso-8859-5", "ISO-8859-5"},
    {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-6-e", "ISO-8859-6"},
    {"iso-8859-6-i", "ISO-8859-6"},
    {"iso-8859-7", "ISO-8859-7"},
    {"iso-8859-8", "ISO-8859-8"},
    {"iso-8859-8-e", "ISO-8859-8"},
    {"iso-8859-8-i", "ISO-8859-8"},
    {"iso-8859-9", "WINDOWS-1254"},
    {"iso-ir-100", "WINDOWS-1252"},
    {"iso-ir-101", "ISO-8859-2"},
    {"iso-ir-109", "ISO-8859-3"},
    {"iso-ir-110", "ISO-8859-4"},
    {"iso-ir-126", "ISO-8859-7"},
    {"iso-ir-127", "ISO-8859-6"},
    {"iso-ir-138", "ISO-8859-8"},
    {"iso-ir-144", "ISO-8859-5"},
    {"iso-ir-148", "WINDOWS-1254"},
    {"iso-ir-149", "CP949"},
    {"iso-ir-157", "ISO-8859-10"},
    {"iso-ir-58", "GB18030"},
    {"iso8859-1", "WINDOWS-1252"},
    {"iso8859-10", "ISO-8859-10"},
    {"iso8859-11", "WINDOWS-874"},
    {"iso8859-13", "ISO-8859-13"},
    {"iso8859-14", "ISO-8859-14"},
    {"iso8859-15", "ISO-8859-15"},
    {"iso8859-2", "ISO-8859-2"},
    {"iso8859-3", "ISO-8859-3"},
    {"iso8859-4", "ISO-8859-4"},
    {"iso8859-5", "ISO-8859-5"},
    {"iso8859-6", "ISO-8859-6"},
    {"iso8859-7", "ISO-8859-7"},
    {"iso8859-8", "ISO-8859-8"},
    {"iso8859-9", "WINDOWS-1254"},
    {"iso88591", "WINDOWS-1252"},
    {"iso885910", "ISO-8859-10"},
    {"iso885911", "WINDOWS-874"},
    {"iso885913", "ISO-8859-13"},
    {"iso885914", "ISO-8859-14"},
    {"iso885915", "ISO-8859-15"},
    {"iso88592", "ISO-8859-2"},
    {"iso88593", "ISO-8859-3"},
    {"iso88594", "ISO-8859-4"},
    {"iso88595", "ISO-8859-5"},
    {"iso88596", "ISO-8859-6"},
    {"iso88597", "ISO-8859-7"},
    {"iso88598", "ISO-8859-8"},
    {"iso88599", "WINDOWS-1254"},
    {"iso_8859-1", "WINDOWS-1252"},
    {"iso_8859-15", "ISO-8859-15"},
    {"iso_8859-1:1987", "WINDOWS-1252"},
    {"iso_8859-2", "ISO-8859-2"},
    {"iso_8859-2:1987", "ISO-8859-2"},
    {"iso_8859-3", "ISO-8859-3"},
    {"iso_8859-3:1988", "ISO-8859-3"},
    {"iso_8859-4", "ISO-8859-4"},
    {"iso_8859-4:1988", "ISO-8859-4"},
    {"iso_8859-5", "ISO-8859-5"},
    {"iso_8859-5:1988", "ISO-8859-5"},
    {"iso_8859-6", "ISO-8859-6"},
    {"iso_8859-6:1987", "ISO-8859-6"},
    {"iso_8859-7", "ISO-8859-7"},
    {"iso_8859-7:1987", "ISO-8859-7"},
    {"iso_8859-8", "ISO-8859-8"},
    {"iso_8859-8:1988", "ISO-8859-8"},
    {"iso_8859-9", "WINDOWS-1254"},
    {"iso_8859-9:1989", "WINDOWS-1254"},
    {"koi", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi8-r", "KOI8-R"},
    {"koi8-ru", "KOI8-U"},
    {"koi8-u", "KOI8-U"},
    {"koi8_r", "KOI8-R"},
    {"korean", "CP949"},
    {"ks_c_5601-1987", "CP949"},
    {"ks_c_5601-1989", "CP949"},
    {"ksc5601", "CP949"},
    {"ksc_5601", "CP949"},
    {"l1", "WINDOWS-1252"},
    {"l2", "ISO-8859-2"},
    {"l3", "ISO-8859-3"},
    {"l4", "ISO-8859-4"},
    {"l5", "WINDOWS-1254"},
    {"l6", "ISO-8859-10"},
    {"l9", "ISO-8859-15"},
    {"latin1", "WINDOWS-1252"},
    {"latin2", "ISO-8859-2"},
    {"latin3", "ISO-8859-3"},
    {"latin4", "ISO-8859-4"},
    {"latin5", "WINDOWS-1254"},
    {"latin6", "ISO-8859-10"},
    {"logical", "ISO-8859-8"},
    {"mac", "MACINTOSH"},
    {"macintosh", "MACINTOSH"},
    {"ms932", "CP932"},
    {"ms_kanji", "CP932"},
    {"shift-jis", "CP932"},
    {"shift_jis", "CP932"},
    {"sjis", "CP932"},
    {"sun_eu_greek", "ISO-8859-7"},
    {"tis-620", "WINDOWS-874"},
    {"ucs-2", "UTF-16LE"},
    {"unicode", "UTF-16LE"},
    {"unicode-1-1-utf-8", "utf-8"},
    {"unicode11utf8", "utf-8"},
    {"unicode20utf8", "utf-8"},
    {"unicodefeff", "UTF-16LE"},
    {"unicodefffe", "UTF-16BE"},
    {"us-ascii", "WINDOWS-1252"},
    {"utf-16", "UTF-16LE"},
    {"utf-16be", "UTF-16BE"},
    {"utf-16le", "UTF-16LE"},
    {"utf-8", "utf-8"},
    {"utf8", "utf-8"},
    {"visual", "ISO-8859-8"},
    {"windows-1250", "WINDOWS-1250"},
    {"windows-1251", "WINDOWS-1251"},
    {"windows-1252", "WINDOWS-1252"},
    {"windows-1253", "WINDOWS-1253"},
    {"windows-1254", "WINDOWS-1254"},
    {"windows-1255", "WINDOWS-1255"},
    {"windows-1256", "WINDOWS-1256"},
    {"windows-1257", "WINDOWS-1257"},
    {"windows-1258", "WINDOWS-1258"},
    {"windows-31j", "CP932"},
    {"windows-874", "WINDOWS-874"},
    {"windows-949", "CP949"},
    {"x-cp1250", "WINDOWS-1250"},
    {"x-cp1251", "WINDOWS-1251"},
    {"x-cp1252", "WINDOWS-1252"},
    {"x-cp1253", "WINDOWS-1253"},
    {"x-cp1254", "WINDOWS-1254"},
    {"x-cp1255", "WINDOWS-1255"},
    {"x-cp1256", "WINDOWS-1256"},
    {"x-cp1257", "WINDOWS-1257"},
    {"x-cp1258", "WINDOWS-1258"},
    {"x-euc-jp", "EUC-JP"},
    {"x-gbk", "GB18030"},
    {"x-mac-cyrillic", "MAC-CYRILLIC"},
    {"x-mac-roman", "MACINTOSH"},
    {"x-mac-ukrainian", "MAC-CYRILLIC"},
    {"x-sjis", "CP932"},
    {"x-unicode20utf8", "utf-8"},
    {"x-user-defined", "x-user-defined"},
    {"x-x-big5", "BIG5-HKSCS"},
};

/* What iconv is asked for a charset label (lowercase, trimmed), or NULL for
** a label the standard does not have: no declaration.  In a <meta>, a
** UTF-16 label means UTF-8 (the meta was read as ASCII bytes). */
static const char *charset_name(const char *label, int in_meta){
  size_t lo = 0, hi = CORPUS_COUNT(labels);
  while( lo<hi ){
    size_t mid = (lo+hi)/2;
    int c = strcmp(label, labels[mid].label);
    if( c==0 ){
      const char *name = labels[mid].name;
      if( in_meta && strncmp(name, "UTF-16", 6)==0 ) return "utf-8";
      return name;
    }
    if( c<0 ) hi = mid; else lo = mid+1;
  }
  return 0;
}

/* Appends the UTF-8 text z[0..n), each invalid sequence U+FFFD and each
** NUL U+FFFD too (the HTML tokenizer's rule; libxml2 would stop there);
** then, as HTML's input stream does, each CR LF and lone CR a line feed,
** and each other C0 control but tab a space (libxml2 drops them, which
** would join the words on either side). */
static int append_utf8_html(corpus_buf *out, const char *z, size_t n){
  size_t i = 0, k, w;
  k = w = out->n;
  while( i<n ){
    const char *nul = memchr(z+i, 0, n-i);
    size_t e = nul ? (size_t)(nul-z) : n;
    if( corpus_buf_append_utf8(out, z+i, e-i) ) return -1;
    if( nul && corpus_buf_append(out, "\xEF\xBF\xBD", 3) ) return -1;
    i = e + (nul!=0);
  }
  for(; k<out->n; k++){
    char c = out->z[k];
    if( c=='\r' ){
      c = '\n';
      if( k+1<out->n && out->z[k+1]=='\n' ) k++;
    }else if( (unsigned char)c<' ' && c!='\t' && c!='\n' ){
      c = ' ';
    }
    out->z[w++] = c;
  }
  out->n = w;
  if( corpus_buf_reserve(out, 0) ) return -1;
  out->z[out->n] = 0;
  return 0;
}

/* WHATWG's x-user-defined: ASCII, and 0x80..0xFF as U+F780..U+F7FF. */
static int decode_user_defined(const unsigned char *z, size_t n,
                               corpus_buf *out){
  size_t i;
  for(i=0; i<n; i++){
    if( append_cp(out, z[i]<0x80 ? z[i] : 0xF700u + z[i]) ) return -1;
  }
  return corpus_buf_reserve(out, 0);
}

/* Decodes z[0..n) from the charset of charset_name() into out: 0, -1 (out
** of memory) or 1 (iconv does not know it: nothing appended). */
static int decode_as(const char *name, const char *z, size_t n,
                     corpus_buf *out){
  const unsigned char *u = (const unsigned char*)z;
  corpus_buf dec = {0, 0, 0};
  int rc;
  if( strcmp(name, "utf-8")==0 ) return append_utf8_html(out, z, n);
  if( strcmp(name, "WINDOWS-1252")==0 ) rc = decode_cp1252(u, n, &dec);
  else if( strcmp(name, "x-user-defined")==0 ){
    rc = decode_user_defined(u, n, &dec);
  }else rc = decode_iconv(name, u, n, &dec);
  if( rc==0 ) rc = append_utf8_html(out, dec.z ? dec.z : "", dec.n);
  corpus_free(dec.z);
  return rc;
}

/* The page's bytes as UTF-8 into out: 0 or -1 (out of memory).  TEXT is
** UTF-8; for a BLOB the charset is the BOM's, else the Content-Type's,
** else the meta's (a label the standard does not have, or iconv does not
** know, is no declaration), else UTF-8 if the bytes are, else
** Windows-1252. */
static int corpus_html_decode(const char *z, size_t n, int is_text,
                              const char *ctype, size_t nctype,
                              corpus_buf *out){
  const unsigned char *u = (const unsigned char*)z;
  char label[64];
  const char *name;
  int rc;
  if( is_text ) return append_utf8_html(out, z, n);
  if( n>=3 && u[0]==0xEF && u[1]==0xBB && u[2]==0xBF ){
    return append_utf8_html(out, z+3, n-3);
  }
  if( n>=2 && ((u[0]==0xFE && u[1]==0xFF) || (u[0]==0xFF && u[1]==0xFE)) ){
    return decode_as(u[0]==0xFE ? "UTF-16BE" : "UTF-16LE", z+2, n-2, out);
  }
  if( ctype && charset_param(ctype, nctype, label, sizeof(label))
   && (name = charset_name(label, 0))!=0
   && (rc = decode_as(name, z, n, out))!=1 ){
    return rc;
  }
  if( meta_charset(z, n, label, sizeof(label))
   && (name = charset_name(label, 1))!=0
   && (rc = decode_as(name, z, n, out))!=1 ){
    return rc;
  }
  return decode_as(corpus_utf8_valid(z, n) ? "utf-8" : "WINDOWS-1252", z, n,
                   out);
}

/* The parse's budget.  libxml2 looks for the open element an end tag
** closes down its stack of open elements, and an end tag that closes none
** (or that a stronger element blocks) costs the whole stack: n open
** elements then n stray end tags take n*n steps.  Each such end tag is an
** error libxml2 reports, with the stack's depth at hand, so the cost is
** counted there and the parse stopped past a budget linear in the page. */
typedef struct parse_cost {
  htmlParserCtxtPtr ctxt;
  size_t cost, limit;
  int over;
} parse_cost;

static void parse_error(void *arg, xmlErrorPtr e){
  parse_cost *c = (parse_cost*)arg;
  if( e && e->code==XML_ERR_TAG_NAME_MISMATCH && !c->over ){
    c->cost += (size_t)c->ctxt->nameNr + 1;
    if( c->cost>c->limit ){
      c->over = 1;
      xmlStopParser(c->ctxt);
    }
  }
}

/* Parses UTF-8 HTML (from corpus_html_decode: no NUL inside) with
** libxml2's HTML parser, recovering as browsers do, into *doc: 0, -1 (out
** of memory) or 1 (past the budget above).  The page's own <meta charset>
** is not obeyed again: the text is UTF-8 by now.  XML_PARSE_HUGE lifts
** libxml2's limits of 256 levels of nesting and 10 MB of text in one node,
** past which it would stop reading and lose the rest of the page: the
** walks here are iterative.  The error handler is the thread's own
** (libxml2 2.9 has no handler per parse that sees its errors), set for
** the parse and put back. */
#define CORPUS_HTML_PARSE_COST(n) (16*(n) + 1000000)
static int corpus_html_parse(const char *z, size_t n, htmlDocPtr *doc){
  parse_cost c;
  xmlStructuredErrorFunc old = xmlStructuredError;
  void *old_arg = xmlStructuredErrorContext;
  *doc = 0;
  if( n>INT_MAX ) return -1;
  memset(&c, 0, sizeof(c));
  c.ctxt = htmlNewParserCtxt();
  if( c.ctxt==0 ) return -1;
  c.limit = CORPUS_HTML_PARSE_COST(n);
  xmlSetStructuredErrorFunc(&c, parse_error);
  *doc = htmlCtxtReadMemory(c.ctxt, n ? z : "", (int)n, 0, "UTF-8",
                            HTML_PARSE_RECOVER | HTML_PARSE_NOERROR
                            | HTML_PARSE_NOWARNING | HTML_PARSE_NONET
                            | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC
                            | HTML_PARSE_NODEFDTD | XML_PARSE_HUGE);
  xmlSetStructuredErrorFunc(old_arg, old);
  htmlFreeParserCtxt(c.ctxt);
  if( c.over ){
    xmlFreeDoc(*doc);
    *doc = 0;
    return 1;
  }
  return *doc==0 && n>0 ? -1 : 0;
}

/* ---- Elements --------------------------------------------------------- */

/* What a tag is, for the text and for the scoring. */
#define T_DROP     0x0001   /* never text: script, style, form controls */
#define T_BLOCK    0x0002   /* starts a line */
#define T_BOILER   0x0004   /* nav, aside, footer, header: boilerplate */
#define T_PARA     0x0008   /* its text is a paragraph for the scoring */
#define T_PRE      0x0010   /* text kept verbatim */
#define T_CELL     0x0020   /* td, th */
#define T_TABLE    0x0040
#define T_LINK     0x0080   /* a */
#define T_H1       0x0100
#define T_HEADING  0x0200   /* h2..h6 */
#define T_BR       0x0400
#define T_LIST     0x0800   /* ul, ol, dl */
#define T_ITEM     0x1000   /* li, dd, dt */
#define T_IMG      0x2000
#define T_CONTAINER 0x4000  /* div, section, article, main: may score */
#define T_INPUT    0x8000   /* a form control */
#define T_ROW      0x10000  /* tr */

static const struct html_tag { const char *name; unsigned flags; } tags[] = {
  {"a", T_LINK}, {"address", T_BLOCK}, {"applet", T_DROP},
  {"article", T_BLOCK|T_CONTAINER}, {"aside", T_BLOCK|T_BOILER},
  {"audio", T_DROP}, {"blockquote", T_BLOCK|T_PARA}, {"body", T_BLOCK},
  {"br", T_BR}, {"button", T_DROP|T_INPUT}, {"canvas", T_DROP},
  {"caption", T_BLOCK}, {"center", T_BLOCK|T_CONTAINER},
  {"datalist", T_DROP}, {"dd", T_BLOCK|T_ITEM}, {"details", T_BLOCK},
  {"dialog", T_BLOCK|T_BOILER}, {"dir", T_BLOCK|T_LIST},
  {"div", T_BLOCK|T_CONTAINER}, {"dl", T_BLOCK|T_LIST},
  {"dt", T_BLOCK|T_ITEM}, {"embed", T_DROP}, {"fieldset", T_BLOCK},
  {"figcaption", T_BLOCK|T_BOILER}, {"figure", T_BLOCK}, {"footer", T_BLOCK|T_BOILER},
  {"form", T_BLOCK}, {"frame", T_DROP}, {"frameset", T_DROP},
  {"h1", T_BLOCK|T_H1}, {"h2", T_BLOCK|T_HEADING|T_PARA},
  {"h3", T_BLOCK|T_HEADING|T_PARA}, {"h4", T_BLOCK|T_HEADING|T_PARA},
  {"h5", T_BLOCK|T_HEADING|T_PARA}, {"h6", T_BLOCK|T_HEADING|T_PARA},
  {"head", T_DROP}, {"header", T_BLOCK|T_BOILER}, {"hgroup", T_BLOCK},
  {"hr", T_BLOCK}, {"html", T_BLOCK}, {"iframe", T_DROP},
  {"img", T_IMG}, {"input", T_DROP|T_INPUT}, {"legend", T_BLOCK},
  {"li", T_BLOCK|T_ITEM}, {"link", T_DROP}, {"main", T_BLOCK|T_CONTAINER},
  {"map", 0}, {"math", T_DROP}, {"menu", T_BLOCK|T_BOILER|T_LIST},
  {"meta", T_DROP}, {"meter", T_DROP}, {"nav", T_BLOCK|T_BOILER},
  {"noembed", T_DROP}, {"noframes", T_DROP}, {"noscript", T_DROP},
  {"object", T_DROP}, {"ol", T_BLOCK|T_LIST}, {"optgroup", T_DROP},
  {"option", T_DROP}, {"output", 0}, {"p", T_BLOCK|T_PARA},
  {"param", T_DROP}, {"picture", 0}, {"pre", T_BLOCK|T_PARA|T_PRE},
  {"progress", T_DROP}, {"script", T_DROP}, {"section", T_BLOCK|T_CONTAINER},
  {"select", T_DROP|T_INPUT}, {"source", T_DROP}, {"style", T_DROP},
  {"summary", T_BLOCK}, {"svg", T_DROP}, {"table", T_BLOCK|T_TABLE},
  {"tbody", 0}, {"td", T_BLOCK|T_CELL|T_PARA}, {"template", T_DROP},
  {"textarea", T_DROP|T_INPUT}, {"tfoot", 0}, {"th", T_BLOCK|T_CELL},
  {"thead", 0}, {"title", T_DROP}, {"tr", T_BLOCK|T_ROW}, {"track", T_DROP},
  {"ul", T_BLOCK|T_LIST}, {"video", T_DROP}, {"xmp", T_BLOCK|T_PRE},
};

static unsigned tag_flags(const xmlChar *name){
  size_t lo = 0, hi = CORPUS_COUNT(tags);
  while( lo<hi ){
    size_t mid = (lo+hi)/2;
    int c = strcmp((const char*)name, tags[mid].name);
    if( c==0 ) return tags[mid].flags;
    if( c<0 ) hi = mid; else lo = mid+1;
  }
  return 0;
}

/* ---- Class and id words ------------------------------------------------ */

/* Words in class and id attributes that name boilerplate whatever else
** they say (a "comment-body" is a comment), that name it unless the
** element also says it is the content ("article-footer" may be), and that
** say content (Readability's negative and positive patterns, trafilatura's
** pruned sections). */
static const char *const strong_words[] = {
  "advert", "breadcrumb", "caption", "consent", "cookie", "credit", "gdpr",
  "newsletter", "outbrain", "popup", "promo", "recommend", "related",
  "share", "sharing", "signup", "social", "sponsor", "subscribe", "taboola",
  "trending",
};
static const char *const weak_words[] = {
  "banner", "footer", "header", "masthead", "menu", "navigation", "sidebar",
  "widget", "toolbar", "pagination", "copyright", "skyscraper", "gallery",
  "carousel", "slideshow",
};
static const char *const weak_tokens[] = {
  "ad", "ads", "adv", "aside", "foot", "hidden", "login", "meta", "modal",
  "nav", "navbar", "pager", "print", "search", "skip", "tag", "tags",
};
static const char *const comment_words[] = {"comment", "disqus"};
static const char *const comment_tokens[] = {"replies", "respond"};
static const char *const good_words[] = {
  "article", "blog", "body", "content", "entry", "main", "post", "story",
  "text",
};

#define W_STRONG  1
#define W_WEAK    2
#define W_GOOD    4
#define W_COMMENT 8
#define W_WEAK_TOKEN 16   /* this token named boilerplate (class_words) */

/* The W_* words of one class or id value. */
static unsigned class_words(const char *v){
  char tok[64];
  unsigned w = 0;
  size_t i = 0;
  while( v[i] ){
    size_t k = 0, j;
    while( v[i] && !is_alnum(v[i]) ) i++;
    while( is_alnum(v[i]) ){
      if( k+1<sizeof(tok) ) tok[k++] = (char)lower((unsigned char)v[i]);
      i++;
    }
    tok[k] = 0;
    if( k==0 ) continue;
    for(j=0; j<CORPUS_COUNT(strong_words); j++){
      if( strstr(tok, strong_words[j]) ) w |= W_STRONG;
    }
    for(j=0; j<CORPUS_COUNT(weak_words); j++){
      if( strstr(tok, weak_words[j]) ) w |= W_WEAK|W_WEAK_TOKEN;
    }
    for(j=0; j<CORPUS_COUNT(weak_tokens); j++){
      if( strcmp(tok, weak_tokens[j])==0 ) w |= W_WEAK|W_WEAK_TOKEN;
    }
    for(j=0; j<CORPUS_COUNT(comment_words); j++){
      if( strstr(tok, comment_words[j]) ) w |= W_COMMENT;
    }
    for(j=0; j<CORPUS_COUNT(comment_tokens); j++){
      if( strcmp(tok, comment_tokens[j])==0 ) w |= W_COMMENT;
    }
    /* a word that names boilerplate is not content too: "mainmenu" */
    for(j=0; j<CORPUS_COUNT(good_words) && !(w & W_WEAK_TOKEN); j++){
      if( strstr(tok, good_words[j]) ) w |= W_GOOD;
    }
    w &= ~W_WEAK_TOKEN;
  }
  return w;
}

/* An attribute's value (libxml2's copy, freed with xmlFree), or NULL. */
static char *attr(xmlNodePtr n, const char *name){
  return (char*)xmlGetProp(n, (const xmlChar*)name);
}

/* Whether the element is hidden (hidden, aria-hidden, display:none,
** visibility:hidden: the tests of Readability's isProbablyVisible). */
static int is_hidden(xmlNodePtr n){
  xmlAttrPtr a;
  int hidden = 0;
  for(a=n->properties; a && !hidden; a=a->next){
    const char *name = (const char*)a->name;
    if( strcmp(name, "hidden")==0 ){
      hidden = 1;
    }else if( strcmp(name, "aria-hidden")==0 || strcmp(name, "style")==0 ){
      char *v = (char*)xmlNodeGetContent((xmlNodePtr)a), *p, *q;
      if( v==0 ) continue;
      for(p=q=v; *p; p++){
        if( !is_space((unsigned char)*p) ) *q++ = (char)lower((unsigned char)*p);
      }
      *q = 0;
      if( name[0]=='a' ) hidden = strcmp(v, "true")==0;
      else hidden = strstr(v, "display:none")!=0
                 || strstr(v, "visibility:hidden")!=0;
      xmlFree(v);
    }
  }
  return hidden;
}

/* ---- The analysis ------------------------------------------------------ */

/* Per element, in document order (node->_private holds index+1). */
#define S_DROP    0x01   /* not text at all */
#define S_BOILER  0x02   /* boilerplate (mode=main) */
#define S_COMMENT 0x04   /* a comment section */
#define S_SCORED  0x08   /* a candidate with a score */
#define S_KEEP    0x10   /* a root of the main content */
#define S_CLEAN   0x20   /* cut from inside the main content */
#define S_INLINK  0x40   /* inside an <a> */
#define S_INCOMMENT 0x80 /* inside a comment section */
#define S_INKEPT  0x100  /* below a root of the main content */
#define S_OUT     (S_DROP|S_BOILER|S_COMMENT|S_INCOMMENT)
typedef struct hnode {
  xmlNodePtr node;
  unsigned tag, st, words;
  int weight;             /* class and id weight: -25, 0, 25 or 50 */
  size_t blk;             /* index of the nearest block element (itself) */
  double score;
  size_t text, link;      /* code points of visible text below; in links */
  size_t own, commas;     /* its own paragraph's text and commas */
  size_t sub_commas, np, nimg, nli, ninput, nhead;  /* subtree counts */
  int shared;             /* near-best candidates below it */
} hnode;

typedef struct html_opts {
  int mode_all, links_drop, tables_drop, comments_keep, title_on;
} html_opts;

typedef struct html_doc {
  htmlDocPtr doc;
  hnode *a;
  size_t n;
  int use_classes, clean;   /* the rules of this attempt */
} html_doc;

static hnode *info(html_doc *d, xmlNodePtr n){
  size_t i = (size_t)(uintptr_t)n->_private;
  return n->type==XML_ELEMENT_NODE && i>0 && i<=d->n ? &d->a[i-1] : 0;
}

/* The next node of a walk of root's subtree in document order: n's first
** child when descend, else the next node after n's subtree.  leave(arg, x)
** runs for each node whose subtree is done. */
static xmlNodePtr walk_next(xmlNodePtr root, xmlNodePtr n, int descend,
                            void (*leave)(void*, xmlNodePtr), void *arg){
  if( descend && n->children ) return n->children;
  while( n!=root ){
    if( leave ) leave(arg, n);
    if( n->next ) return n->next;
    n = n->parent;
  }
  if( leave ) leave(arg, root);
  return 0;
}

/* Code points that are not white space, and commas, of UTF-8 text. */
static void count_text(const char *z, size_t *chars, size_t *commas){
  const unsigned char *u = (const unsigned char*)z;
  size_t c = 0, k = 0;
  for(; *u; u++){
    if( *u<=' ' ){
      continue;
    }else if( *u==',' ){
      k++;
    }else if( *u==0xC2 && u[1]==0xA0 ){     /* no-break space */
      u++;
      continue;
    }else if( *u==0xEF && u[1]==0xBC && u[2]==0x8C ){   /* U+FF0C */
      k++;
    }else if( *u==0xE3 && u[1]==0x80 && u[2]==0x81 ){   /* U+3001 */
      k++;
    }
    if( (*u & 0xC0)!=0x80 ) c++;
  }
  *chars += c;
  *commas += k;
}

static void leave_count(void *arg, xmlNodePtr n){
  html_doc *d = (html_doc*)arg;
  hnode *h = info(d, n), *p;
  if( h==0 || n->parent==0 || (p = info(d, n->parent))==0 ) return;
  if( h->st & (S_DROP|S_BOILER|S_COMMENT) ) return;
  p->text += h->text;
  p->link += h->link;
  p->sub_commas += h->sub_commas;
  p->np += h->np;
  p->nimg += h->nimg;
  p->nli += h->nli;
  p->ninput += h->ninput;
  p->nhead += h->nhead;
}

/* The class/id words and weight of an element. */
static void element_words(hnode *h){
  static const char *const names[] = {"class", "id"};
  int k;
  h->words = 0;
  h->weight = 0;
  for(k=0; k<2; k++){
    char *v = attr(h->node, names[k]);
    if( v ){
      unsigned w = class_words(v);
      h->words |= w;
      if( w & (W_STRONG|W_WEAK|W_COMMENT) ) h->weight -= 25;
      else if( w & W_GOOD ) h->weight += 25;
      xmlFree(v);
    }
  }
  {
    char *v = attr(h->node, "role");
    if( v ){
      static const char *const boiler_roles[] = {
        "alert", "alertdialog", "banner", "complementary", "contentinfo",
        "dialog", "menu", "menubar", "navigation", "search", "toolbar",
      };
      size_t j;
      for(j=0; j<CORPUS_COUNT(boiler_roles); j++){
        if( strcmp(v, boiler_roles[j])==0 ) h->words |= W_STRONG;
      }
      if( strcmp(v, "main")==0 || strcmp(v, "article")==0 ) h->weight += 25;
      xmlFree(v);
    }
  }
  {
    char *v = attr(h->node, "itemprop");
    if( v ){
      if( strstr(v, "articleBody") ) h->weight += 50;
      xmlFree(v);
    }
  }
}

/* The first pass: flags, then text counted bottom-up. */
static int analyse(html_doc *d, const html_opts *o){
  xmlNodePtr root = xmlDocGetRootElement(d->doc), n;
  size_t i = 0;
  if( root==0 ) return 0;
  for(n=root; n; ){
    int descend = 1;
    if( n->type==XML_ELEMENT_NODE ){
      hnode *h = &d->a[i], *p = n->parent ? info(d, n->parent) : 0;
      memset(h, 0, sizeof(*h));
      h->node = n;
      n->_private = (void*)(uintptr_t)(++i);
      h->tag = tag_flags(n->name);
      h->blk = (h->tag & T_BLOCK) || p==0 ? i-1 : p->blk;
      if( p && (p->st & S_INLINK) ) h->st |= S_INLINK;
      if( p && (p->st & (S_COMMENT|S_INCOMMENT)) ) h->st |= S_INCOMMENT;
      if( h->tag & T_LINK ) h->st |= S_INLINK;
      if( (h->tag & T_DROP) || is_hidden(n) ){
        h->st |= S_DROP;
        if( h->tag & T_INPUT ) h->ninput = 1;
      }else{
        if( !o->mode_all && p ){
          element_words(h);
          int top = strcmp((const char*)n->name, "body")==0
                 || strcmp((const char*)n->name, "article")==0
                 || strcmp((const char*)n->name, "main")==0;
          if( h->tag & T_BOILER ) h->st |= S_BOILER;
          if( !top && (h->words & W_COMMENT) ){
            h->st |= S_COMMENT;
          }else if( d->use_classes && !top ){
            if( (h->words & W_STRONG)
                  || ((h->words & W_WEAK) && !(h->words & W_GOOD)) ){
              h->st |= S_BOILER;
            }
          }
        }
        if( h->tag & T_PARA ) h->np = !(h->tag & T_HEADING);
        if( h->tag & (T_H1|T_HEADING) ) h->nhead = 1;
        if( h->tag & T_IMG ) h->nimg = 1;
        if( h->tag & T_ITEM ) h->nli = 1;
      }
      descend = !(h->st & (S_DROP|S_BOILER))
             && (o->comments_keep || !(h->st & S_COMMENT));
    }else if( n->type==XML_TEXT_NODE || n->type==XML_CDATA_SECTION_NODE ){
      hnode *p = n->parent ? info(d, n->parent) : 0;
      if( p && n->content ){
        size_t chars = 0, commas = 0;
        count_text((const char*)n->content, &chars, &commas);
        p->text += chars;
        p->sub_commas += commas;
        if( p->st & S_INLINK ) p->link += chars;
        d->a[p->blk].own += chars;
        d->a[p->blk].commas += commas;
      }
    }
    n = walk_next(root, n, descend, leave_count, d);
  }
  return 0;
}

/* Readability's starting score of a candidate, by tag and class weight. */
static void init_candidate(hnode *h){
  const char *t = (const char*)h->node->name;
  h->st |= S_SCORED;
  h->score = h->weight;
  if( strcmp(t, "div")==0 ) h->score += 5;
  else if( strcmp(t, "pre")==0 || strcmp(t, "td")==0
        || strcmp(t, "blockquote")==0 ) h->score += 3;
  else if( h->tag & (T_LIST|T_ITEM) || strcmp(t, "address")==0
        || strcmp(t, "form")==0 ) h->score -= 3;
  else if( h->tag & (T_H1|T_HEADING) || strcmp(t, "th")==0 ) h->score -= 5;
}

static double link_density(const hnode *h){
  return h->text ? (double)h->link/(double)h->text : 0.0;
}

/* Each paragraph of 25 code points or more scores 1, one per comma and one
** per 100 code points up to 3; its parent gets that, its grandparent half,
** and ancestors k levels up a 3k-th, to 5 levels (Readability.js).  Then
** a candidate's score is scaled by the share of its text not in links. */
static void score(html_doc *d){
  size_t i;
  for(i=0; i<d->n; i++){
    hnode *h = &d->a[i];
    xmlNodePtr p;
    double s;
    int level;
    if( h->node==0 || h->own<25 ) continue;
    if( !(h->tag & (T_PARA|T_CONTAINER|T_ITEM)) ) continue;
    if( h->st & S_OUT ) continue;
    s = 1.0 + (double)h->commas + (double)(h->own/100 < 3 ? h->own/100 : 3);
    for(p=h->node->parent, level=0; p && level<5; p=p->parent, level++){
      hnode *a = info(d, p);
      if( a==0 ) break;
      if( !(a->st & S_SCORED) ) init_candidate(a);
      a->score += s / (level==0 ? 1.0 : level==1 ? 2.0 : level*3.0);
    }
  }
  for(i=0; i<d->n; i++){
    hnode *h = &d->a[i];
    if( h->st & S_SCORED ) h->score *= 1.0 - link_density(h);
  }
}

/* The top candidate, moved up where Readability.js moves it: to a common
** ancestor of the near-best candidates, up through higher-scoring
** parents, and out of only children. */
static hnode *top_candidate(html_doc *d){
  hnode *top = 0, *best[5] = {0, 0, 0, 0, 0};
  size_t i;
  int k;
  for(i=0; i<d->n; i++){
    hnode *h = &d->a[i];
    if( !(h->st & S_SCORED) ) continue;
    for(k=0; k<5; k++){
      if( best[k]==0 || h->score>best[k]->score ){
        memmove(&best[k+1], &best[k], (size_t)(4-k)*sizeof(best[0]));
        best[k] = h;
        break;
      }
    }
  }
  top = best[0];
  if( top==0 ) return 0;
  {
    /* three or more near-best candidates under one ancestor: take it
    ** (each ancestor counts the near-best candidates below it, so that
    ** this is linear in the depth) */
    xmlNodePtr p;
    for(k=1; k<5; k++){
      if( best[k]==0 || best[k]->score < 0.75*top->score ) continue;
      for(p=best[k]->node->parent; p && info(d, p); p=p->parent){
        info(d, p)->shared++;
      }
    }
    for(p=top->node->parent; p && info(d, p); p=p->parent){
      if( info(d, p)->shared>=3 ){
        top = info(d, p);
        if( !(top->st & S_SCORED) ) init_candidate(top);
        break;
      }
      if( strcmp((const char*)p->name, "body")==0 ) break;
    }
  }
  {
    double last = top->score;
    xmlNodePtr p;
    for(p=top->node->parent; p && info(d, p); p=p->parent){
      hnode *a = info(d, p);
      if( strcmp((const char*)p->name, "body")==0 ) break;
      if( !(a->st & S_SCORED) ) continue;
      if( a->score < last/3 ) break;
      if( a->score > last ){ top = a; break; }
      last = a->score;
    }
  }
  while( top->node->parent && info(d, top->node->parent)
         && strcmp((const char*)top->node->parent->name, "body")!=0 ){
    xmlNodePtr c;
    int elements = 0;
    for(c=top->node->parent->children; c; c=c->next){
      if( c->type==XML_ELEMENT_NODE ) elements++;
    }
    if( elements!=1 ) break;
    top = info(d, top->node->parent);
  }
  return top;
}

/* Whether a paragraph's text ends a sentence or has one inside. */
static int has_sentence(xmlNodePtr n){
  xmlChar *t = xmlNodeGetContent(n);
  int yes = 0;
  if( t ){
    size_t k = strlen((const char*)t);
    while( k>0 && t[k-1]<=' ' ) k--;
    yes = (k>0 && t[k-1]=='.') || strstr((const char*)t, ". ")!=0;
    xmlFree(t);
  }
  return yes;
}

/* Marks the top candidate and the siblings Readability.js keeps with it:
** those scoring a fifth of it (10 at least; a sibling of the same class
** gets a bonus), and paragraphs long with few links, or short with none
** and a sentence. */
static void keep_siblings(html_doc *d, hnode *top){
  double threshold = top->score*0.2 > 10 ? top->score*0.2 : 10;
  xmlNodePtr s, parent = top->node->parent;
  char *tclass = attr(top->node, "class");
  if( parent==0 || info(d, parent)==0 ){
    top->st |= S_KEEP;
    if( tclass ) xmlFree(tclass);
    return;
  }
  for(s=parent->children; s; s=s->next){
    hnode *h = info(d, s);
    double bonus = 0;
    if( h==0 || (h->st & S_OUT) ) continue;
    if( h==top ){ h->st |= S_KEEP; continue; }
    if( tclass && tclass[0] ){
      char *c = attr(s, "class");
      if( c && strcmp(c, tclass)==0 ) bonus = top->score*0.2;
      if( c ) xmlFree(c);
    }
    if( (h->st & S_SCORED) && h->score+bonus >= threshold ){
      h->st |= S_KEEP;
    }else if( strcmp((const char*)s->name, "p")==0 ){
      double ld = link_density(h);
      if( (h->text>80 && ld<0.25)
       || (h->text>0 && h->text<=80 && ld==0 && has_sentence(s)) ){
        h->st |= S_KEEP;
      }
    }
  }
  if( tclass ) xmlFree(tclass);
}

/* Readability's conditional cleaning, inside the main content: a
** container with few commas goes when it is mostly links, mostly form
** controls, or nearly empty. */
static void clean(html_doc *d){
  size_t i;
  for(i=0; i<d->n; i++){
    hnode *h = &d->a[i];
    const char *t;
    int list;
    double ld;
    if( h->node==0 || (h->st & (S_OUT|S_KEEP)) ) continue;
    t = (const char*)h->node->name;
    list = (h->tag & T_LIST)!=0;
    if( (h->tag & T_PARA) && !(h->tag & (T_PRE|T_CELL)) ){
      /* a paragraph that is mostly a link: "Read more", related stories */
      if( link_density(h)>0.5 ) h->st |= S_CLEAN;
      continue;
    }
    if( !(list || (h->tag & (T_CONTAINER|T_TABLE)) || strcmp(t, "form")==0) ){
      continue;
    }
    if( h->sub_commas>=10 ) continue;
    ld = link_density(h);
    if( h->weight<0
     || (h->ninput>0 && h->ninput > h->np/3)
     || (!list && !(h->tag & T_TABLE) && h->text<25 && h->nimg==0
         && h->nhead==0)
     || (!list && h->weight<25 && ld>0.2)
     || (list && ld>0.5)
     || (h->weight>=25 && ld>0.5) ){
      h->st |= S_CLEAN;
    }
  }
}

/* ---- Text out ---------------------------------------------------------- */

typedef struct text_out {
  corpus_buf *b;
  int line_start, space, rc;
  size_t tabs;              /* cells' tabs owed before the next text */
  int row_line;             /* the line is a table row's, cells inline */
  int pre_start;            /* a <pre> began: its first line feed goes */
  size_t pre;               /* inside this many <pre> */
} text_out;

static void out_bytes(text_out *t, const char *z, size_t n){
  if( t->rc==0 && corpus_buf_append(t->b, z, n) ) t->rc = -1;
}
static void out_newline(text_out *t){
  t->tabs = 0;                        /* no white space at a line's end */
  if( !t->line_start ){
    out_bytes(t, "\n", 1);
    t->row_line = 0;
  }
  t->line_start = 1;
  t->space = 0;
}

/* The length of the Unicode white space character at u, or 0: ASCII white
** space, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F,
** U+3000. */
static size_t space_len(const unsigned char *u){
  if( *u<=' ' ) return *u ? 1 : 0;
  if( u[0]==0xC2 && u[1]==0xA0 ) return 2;
  if( u[0]==0xE1 && u[1]==0x9A && u[2]==0x80 ) return 3;
  if( u[0]==0xE2 && u[1]==0x80 && ((u[2]>=0x80 && u[2]<=0x8A)
      || u[2]==0xA8 || u[2]==0xA9 || u[2]==0xAF) ) return 3;
  if( u[0]==0xE2 && u[1]==0x81 && u[2]==0x9F ) return 3;
  if( u[0]==0xE3 && u[1]==0x80 && u[2]==0x80 ) return 3;
  return 0;
}

/* The tabs of the cells before this text on its row. */
static void out_tabs(text_out *t){
  for(; t->tabs>0; t->tabs--) out_bytes(t, "\t", 1);
}

/* Text with white space runs made one space, none at a line's ends. */
static void out_text(text_out *t, const char *z){
  const unsigned char *u = (const unsigned char*)z;
  if( t->pre ){
    size_t n;
    /* the line feed right after <pre> is not content (HTML's rule); line
    ** ends are line feeds already (append_utf8_html) */
    if( t->pre_start && z[0]=='\n' ) z++;
    t->pre_start = 0;
    n = strlen(z);
    if( n ){
      out_tabs(t);
      out_bytes(t, z, n);
      t->line_start = z[n-1]=='\n';
      t->space = 0;
    }
    return;
  }
  while( *u ){
    size_t k = space_len(u), run = 0;
    if( k ){
      u += k;
      t->space = 1;
      continue;
    }
    if( t->tabs ) out_tabs(t);
    else if( t->space && !t->line_start ) out_bytes(t, " ", 1);
    while( u[run] && space_len(u+run)==0 ) run++;
    out_bytes(t, (const char*)u, run);
    u += run;
    t->line_start = t->space = 0;
  }
}

typedef struct render {
  html_doc *d;
  const html_opts *o;
  text_out *t;
  xmlNodePtr title;         /* the h1 title=on wrote first, not again */
} render;

/* Whether the walk skips an element's subtree. */
static int skip(render *r, hnode *h){
  const html_opts *o = r->o;
  if( h==0 ) return 1;
  if( h->st & S_DROP ) return 1;
  if( h->node==r->title ) return 1;
  if( o->mode_all ) return (o->links_drop && (h->tag & T_LINK))
                        || (o->tables_drop && (h->tag & T_TABLE));
  if( h->st & (S_BOILER|S_CLEAN) ) return 1;
  if( (h->st & S_COMMENT) && !o->comments_keep ) return 1;
  if( h->tag & T_H1 ) return 1;      /* the title: title=on writes it */
  if( o->links_drop && (h->tag & T_LINK) ) return 1;
  if( o->tables_drop && (h->tag & T_TABLE) ) return 1;
  return 0;
}

static void leave_render(void *arg, xmlNodePtr n){
  render *r = (render*)arg;
  hnode *h = info(r->d, n);
  if( h==0 ) return;
  if( skip(r, h) ){
    /* a skipped block still ends a line (a cell, its row's) */
    if( (h->tag & T_BLOCK) && !(h->tag & T_CELL) ) out_newline(r->t);
    return;
  }
  if( (h->tag & T_PRE) && r->t->pre ) r->t->pre--;
  if( h->tag & T_CELL ){
    r->t->space = 1;
  }else if( h->tag & T_BLOCK ){
    out_newline(r->t);
  }
}

/* Whether an element has a table cell before it among its siblings (each
** sibling is looked at by the next cell only: linear in a row). */
static int after_cell(xmlNodePtr n){
  for(n=n->prev; n; n=n->prev){
    if( n->type==XML_ELEMENT_NODE && (tag_flags(n->name) & T_CELL) ) return 1;
  }
  return 0;
}

/* Writes the text of root's subtree. */
static void render_subtree(render *r, xmlNodePtr root){
  xmlNodePtr n;
  for(n=root; n; ){
    int descend = 1;
    if( n->type==XML_ELEMENT_NODE ){
      hnode *h = info(r->d, n);
      if( skip(r, h) ){
        descend = 0;
      }else if( h->tag & T_BR ){
        out_newline(r->t);
      }else if( h->tag & T_CELL ){
        /* a row of inline cells is one line, the cells separated by tabs,
        ** an empty cell's too (the columns stay in place); a cell whose
        ** blocks broke the row's line (a layout table) starts a line */
        if( r->t->row_line && after_cell(n) ){
          r->t->tabs++;
        }else{
          out_newline(r->t);
        }
        r->t->space = 0;
      }else if( h->tag & T_BLOCK ){
        out_newline(r->t);
        if( h->tag & T_ROW ) r->t->row_line = 1;
      }
      if( descend && (h->tag & T_PRE) ){
        r->t->pre++;
        r->t->pre_start = 1;
      }
    }else if( n->type==XML_TEXT_NODE || n->type==XML_CDATA_SECTION_NODE ){
      if( n->content ) out_text(r->t, (const char*)n->content);
    }
    n = walk_next(root, n, descend, leave_render, r);
  }
}

/* ---- Extraction ---------------------------------------------------------- */

/* The visible text of element n's subtree (no script, style, hidden
** element or any other that is never text) as one line into t. */
static void visible_text(xmlNodePtr root, text_out *t){
  xmlNodePtr n;
  for(n=root; n; ){
    int descend = 1;
    if( n->type==XML_ELEMENT_NODE ){
      /* the root is read whatever it is: a <title> is never text in the
      ** body, but is the text asked for here */
      descend = n==root || (!(tag_flags(n->name) & T_DROP) && !is_hidden(n));
    }else if( n->type==XML_TEXT_NODE || n->type==XML_CDATA_SECTION_NODE ){
      if( n->content ) out_text(t, (const char*)n->content);
    }
    n = walk_next(root, n, descend, 0, 0);
  }
}

/* The visible text of n into b (reset first), white space normalised: 0 or
** -1 (out of memory). */
static int element_text(xmlNodePtr n, corpus_buf *b){
  text_out t;
  memset(&t, 0, sizeof(t));
  t.b = b;
  t.line_start = 1;
  b->n = 0;
  visible_text(n, &t);
  if( t.rc==0 && b->z ) b->z[b->n] = 0;
  return t.rc;
}

/* The page's first h1 with visible text (an h1 without any is passed over
** with what is inside it), or NULL. */
static xmlNodePtr first_h1(htmlDocPtr doc, corpus_buf *text, int *rc){
  xmlNodePtr root = xmlDocGetRootElement(doc), n;
  *rc = 0;
  for(n=root; n && *rc==0; ){
    int descend = 1;
    if( n->type==XML_ELEMENT_NODE ){
      unsigned tag = tag_flags(n->name);
      if( (tag & T_DROP) || is_hidden(n) ){
        descend = 0;
      }else if( tag & T_H1 ){
        *rc = element_text(n, text);
        if( *rc==0 && text->n>0 ) return n;
        descend = 0;
      }
    }
    n = walk_next(root, n, descend, 0, 0);
  }
  return 0;
}

/* The page's <title> element (not one of an <svg> or <math>), or NULL. */
static xmlNodePtr title_element(htmlDocPtr doc){
  xmlNodePtr root = xmlDocGetRootElement(doc), n;
  for(n=root; n; ){
    int descend = 1;
    if( n->type==XML_ELEMENT_NODE ){
      if( strcmp((const char*)n->name, "title")==0 ) return n;
      descend = strcmp((const char*)n->name, "svg")!=0
             && strcmp((const char*)n->name, "math")!=0;
    }
    n = walk_next(root, n, descend, 0, 0);
  }
  return 0;
}

/* title=on: the page's first h1 with visible text, else its <title>, as
** the first line; *h1 gets the h1 (mode=all does not write it again). */
static void render_title(html_doc *d, text_out *t, xmlNodePtr *h1){
  corpus_buf b = {0, 0, 0};
  int rc;
  *h1 = first_h1(d->doc, &b, &rc);
  if( rc==0 && *h1==0 ){
    xmlNodePtr title = title_element(d->doc);
    if( title ) rc = element_text(title, &b);
  }
  if( rc ){
    t->rc = -1;
  }else if( b.n>0 ){
    out_bytes(t, b.z, b.n);
    t->line_start = 0;
    out_newline(t);
  }
  corpus_free(b.z);
}

/* Marks the elements below a root of the main content (a[] is in
** document order: a parent before its children). */
static void mark_in_kept(html_doc *d){
  size_t i;
  for(i=0; i<d->n; i++){
    hnode *h = &d->a[i], *p;
    if( h->node==0 || h->node->parent==0 ) continue;
    p = info(d, h->node->parent);
    if( p && (p->st & (S_KEEP|S_INKEPT)) ) h->st |= S_INKEPT;
  }
}

/* One attempt at the text, with the rules of d->use_classes and d->clean. */
static int extract_once(html_doc *d, const html_opts *o, corpus_buf *out){
  text_out t;
  render r;
  size_t i;
  xmlNodePtr root = xmlDocGetRootElement(d->doc);
  memset(&t, 0, sizeof(t));
  t.b = out;
  t.line_start = 1;
  r.d = d;
  r.o = o;
  r.t = &t;
  out->n = 0;
  if( root==0 ) return 0;
  analyse(d, o);
  r.title = 0;
  if( o->title_on ) render_title(d, &t, &r.title);
  if( o->mode_all ){
    render_subtree(&r, root);
  }else{
    hnode *top;
    score(d);
    top = top_candidate(d);
    /* a weak best candidate that holds little of the page (a tagline
    ** above a table of links) is no article: the page less its
    ** boilerplate is */
    if( top==0 || (top->score<20 && info(d, root)
                   && top->text*5 < info(d, root)->text) ){
      top = info(d, root);
    }
    keep_siblings(d, top);
    if( d->clean ) clean(d);
    if( o->comments_keep ) mark_in_kept(d);
    /* the content, then the comment sections outside it */
    for(i=0; i<d->n; i++){
      if( d->a[i].node && (d->a[i].st & S_KEEP) ){
        render_subtree(&r, d->a[i].node);
        out_newline(&t);
      }
    }
    for(i=0; i<d->n && o->comments_keep; i++){
      hnode *h = &d->a[i];
      if( h->node && (h->st & S_COMMENT)
       && !(h->st & (S_INCOMMENT|S_INKEPT)) ){
        render_subtree(&r, h->node);
        out_newline(&t);
      }
    }
  }
  /* no line break at the end */
  if( t.rc==0 && out->n>0 && out->z[out->n-1]=='\n' ) out->n--;
  if( t.rc==0 && out->z ) out->z[out->n] = 0;
  return t.rc;
}

/* The main content of a parsed page as text into out (reset first): 0 or
** -1 (out of memory).  Readability's retries: when the text has fewer
** than 500 code points, again without the class and id rules, then
** without the cleaning.  A retry's text replaces the one before only when
** it is more than twice as long: the retries are for content the rules
** took away, not for the few words of a share bar they put back. */
static int corpus_html_text(htmlDocPtr doc, const html_opts *o, corpus_buf *out){
  html_doc d;
  xmlNodePtr root = xmlDocGetRootElement(doc), n;
  corpus_buf best = {0, 0, 0};
  size_t count = 0, best_chars = 0;
  int attempt, rc = 0;
  memset(&d, 0, sizeof(d));
  d.doc = doc;
  for(n=root; n; n=walk_next(root, n, 1, 0, 0)){
    if( n->type==XML_ELEMENT_NODE ){
      count++;
      n->_private = 0;
    }
  }
  out->n = 0;
  if( count==0 ) return corpus_buf_reserve(out, 0);
  d.a = corpus_realloc(0, count*sizeof(hnode));
  if( d.a==0 ) return -1;
  d.n = count;
  for(attempt=0; attempt<3 && rc==0; attempt++){
    corpus_buf cur = {0, 0, 0};
    size_t chars;
    memset(d.a, 0, count*sizeof(hnode));
    d.use_classes = attempt==0;
    d.clean = attempt<2;
    rc = extract_once(&d, o, &cur);
    chars = corpus_utf8_count(cur.z ? cur.z : "", cur.n);
    if( rc==0 && (best.z==0 || chars>2*best_chars) ){
      corpus_free(best.z);
      best = cur;
      best_chars = chars;
    }else{
      corpus_free(cur.z);
    }
    if( o->mode_all || best_chars>=500 ) break;
  }
  corpus_free(d.a);
  if( rc ){
    corpus_free(best.z);
    return -1;
  }
  corpus_free(out->z);
  *out = best;
  return corpus_buf_reserve(out, 0);
}

/* ---- Metadata ------------------------------------------------------------ */

/* The fields of html_metadata(), each the value of the best source seen
** so far (the lowest prio), as trafilatura's metadata extraction reads
** them: <meta> names and Open Graph properties, JSON-LD, then the page's
** own elements. */
enum { M_TITLE, M_DESCRIPTION, M_AUTHOR, M_DATE, M_URL, M_SITENAME,
       M_LANGUAGE, M_COUNT };
static const char *const meta_keys[M_COUNT] = {
  "title", "description", "author", "date", "url", "sitename", "language"
};
typedef struct html_meta {
  corpus_buf v[M_COUNT];
  int prio[M_COUNT];       /* 0: none yet */
  xmlNodePtr empty[M_COUNT];  /* an element whose text was tried, empty */
  int rc;
} html_meta;

static int two(const char *z){
  return (z[0]>='0' && z[0]<='9' && z[1]>='0' && z[1]<='9')
         ? (z[0]-'0')*10 + z[1]-'0' : -1;
}
static int days_in(int y, int m){
  static const int d[12] = {31,28,31,30,31,30,31,31,30,31,30,31};
  return m==2 && ((y%4==0 && y%100!=0) || y%400==0) ? 29 : d[m-1];
}
/* The month (1..12) an English month's name or its three-letter
** abbreviation ("Sept" too) at z names, its length in *len; 0 if none. */
static int month_name(const char *z, size_t n, size_t *len){
  static const char *const names[12] = {"january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october",
    "november", "december"};
  int m;
  size_t k = 0, j;
  while( k<n && ((z[k]|32)>='a' && (z[k]|32)<='z') ) k++;
  for(m=0; m<12; m++){
    size_t full = strlen(names[m]);
    for(j=0; j<k && j<full && (z[j]|32)==names[m][j]; j++){}
    if( j==k && (k==3 || k==full || (m==8 && k==4)) ){
      *len = k;
      return m+1;
    }
  }
  return 0;
}

#define ISO_DATE_MAX 96   /* room for the longest date iso_date() writes */

/* A date as ISO 8601 into out ("2019-11-18", or with its time
** "2019-11-18T16:07:00" and its offset "Z" or "+01:00" when given), from
** ISO 8601 (also with '/' or '.'), RFC 2822 ("Mon, 18 Nov 2019 16:07:00
** GMT"), "November 18, 2019" and "18 November 2019".  0, or 1 when the
** text is no date this reads (or not a real day). */
static int iso_date(const char *z, size_t n, char *out){
  int y = -1, m = 0, d = 0, hh = -1, mi = 0, ss = 0;
  size_t i = 0, k;
  char tz[16] = "";
  while( i<n && is_space((unsigned char)z[i]) ) i++;
  z += i; n -= i; i = 0;
  if( n>=10 && two(z)>=0 && two(z+2)>=0 && (z[4]=='-' || z[4]=='/'
      || z[4]=='.') && z[7]==z[4] ){
    y = two(z)*100 + two(z+2);
    m = two(z+5);
    d = two(z+8);
    i = 10;
    if( i+5<=n && (z[i]=='T' || z[i]==' ') && two(z+i+1)>=0 && z[i+3]==':' ){
      hh = two(z+i+1);
      mi = two(z+i+4);
      i += 6;
      if( i+3<=n && z[i]==':' ){ ss = two(z+i+1); i += 3; }
      while( i<n && (z[i]=='.' || (z[i]>='0' && z[i]<='9')) ) i++;
      while( i<n && z[i]==' ' ) i++;
      if( i<n && z[i]=='Z' ){
        strcpy(tz, "Z");
        i++;
      }else if( i+3<=n && (z[i]=='+' || z[i]=='-') && two(z+i+1)>=0 ){
        int th = two(z+i+1), tm = 0;
        size_t k = 3;
        if( i+6<=n && z[i+3]==':' ){ tm = two(z+i+4); k = 6; }
        else if( i+5<=n && two(z+i+3)>=0 ){ tm = two(z+i+3); k = 5; }
        if( th>23 || tm<0 || tm>59 ) return 1;
        snprintf(tz, sizeof(tz), "%c%02d:%02d", z[i], th, tm);
        i += k;
      }
    }
    /* what follows must not be more of a word: "2019-11-18xyz" */
    while( i<n && is_space((unsigned char)z[i]) ) i++;
    if( i<n && is_alnum(z[i]) ) return 1;
  }else{
    /* RFC 2822 and written dates: [weekday,] D Month YYYY | Month D, YYYY */
    size_t len = 0;
    int a = -1;
    for(k=0; k<n && k<12 && z[k]!=','; k++){}
    if( k<n && k<12 && z[k]==',' && month_name(z, n, &len)==0 ){
      i = k+1;                                  /* a weekday */
    }
    while( i<n && is_space((unsigned char)z[i]) ) i++;
    if( i<n && z[i]>='0' && z[i]<='9' ){
      a = z[i++]-'0';
      if( i<n && z[i]>='0' && z[i]<='9' ) a = a*10 + z[i++]-'0';
      while( i<n && (is_space((unsigned char)z[i]) || z[i]=='.') ) i++;
      if( (m = month_name(z+i, n-i, &len))==0 ) return 1;
      d = a;
      i += len;
    }else{
      if( (m = month_name(z+i, n-i, &len))==0 ) return 1;
      i += len;
      while( i<n && (is_space((unsigned char)z[i]) || z[i]=='.') ) i++;
      if( i>=n || z[i]<'0' || z[i]>'9' ) return 1;
      d = z[i++]-'0';
      if( i<n && z[i]>='0' && z[i]<='9' ) d = d*10 + z[i++]-'0';
      while( i<n && ((z[i]|32)=='s' || (z[i]|32)=='t' || (z[i]|32)=='n'
                     || (z[i]|32)=='d' || (z[i]|32)=='r' || (z[i]|32)=='h') ){
        i++;                                    /* 1st, 2nd, 3rd, 4th */
      }
      if( i<n && z[i]==',' ) i++;
    }
    while( i<n && is_space((unsigned char)z[i]) ) i++;
    if( i+4>n || two(z+i)<0 || two(z+i+2)<0 ) return 1;
    y = two(z+i)*100 + two(z+i+2);
    i += 4;
    while( i<n && is_space((unsigned char)z[i]) ) i++;
    if( i+5<=n && two(z+i)>=0 && z[i+2]==':' && two(z+i+3)>=0 ){
      hh = two(z+i);
      mi = two(z+i+3);
      i += 5;
      if( i+3<=n && z[i]==':' && two(z+i+1)>=0 ){ ss = two(z+i+1); i += 3; }
      while( i<n && is_space((unsigned char)z[i]) ) i++;
      if( i+3<=n && (starts_with(z+i, n-i, "gmt") || starts_with(z+i, n-i, "utc")) ){
        strcpy(tz, "Z");
      }else if( i+5<=n && (z[i]=='+' || z[i]=='-') && two(z+i+1)>=0
                && two(z+i+3)>=0 && two(z+i+1)<24 && two(z+i+3)<60 ){
        snprintf(tz, sizeof(tz), "%c%02d:%02d", z[i], two(z+i+1), two(z+i+3));
      }
    }
  }
  if( y<1000 || m<1 || m>12 || d<1 || d>days_in(y, m) ) return 1;
  if( hh<0 ){
    snprintf(out, ISO_DATE_MAX, "%04d-%02d-%02d", y, m, d);
  }else{
    if( hh>23 || mi<0 || mi>59 || ss<0 || ss>60 ) return 1;
    snprintf(out, ISO_DATE_MAX, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, m, d, hh, mi, ss,
             tz);
  }
  return 0;
}

/* Sets field f from z[0..n) (white space runs made one space, cut at the
** ends) when prio is better than what it has and the value is not empty;
** a date must read as one. */
static void meta_set(html_meta *m, int f, int prio, const char *z, size_t n){
  corpus_buf *b = &m->v[f];
  char date[ISO_DATE_MAX];
  size_t i = 0;
  int space = 0;
  if( z==0 || m->rc || (m->prio[f] && m->prio[f]<=prio) ) return;
  if( f==M_DATE ){
    if( iso_date(z, n, date) ) return;
    z = date;
    n = strlen(date);
  }else if( f==M_AUTHOR ){
    /* a byline's "By " */
    while( i<n && space_len((const unsigned char*)z+i) ){
      i += space_len((const unsigned char*)z+i);
    }
    if( n-i>3 && starts_with(z+i, n-i, "by") && is_space((unsigned char)z[i+2]) ){
      z += i+3;
      n -= i+3;
    }
    i = 0;
  }
  while( i<n && space_len((const unsigned char*)z+i) ) i += space_len((const unsigned char*)z+i);
  if( i>=n ) return;
  b->n = 0;
  while( i<n && m->rc==0 ){
    size_t k = space_len((const unsigned char*)z+i);
    if( k ){ space = 1; i += k; continue; }
    if( space && corpus_buf_append(b, " ", 1) ) m->rc = -1;
    space = 0;
    if( corpus_buf_append(b, z+i, 1) ) m->rc = -1;
    i++;
  }
  m->prio[f] = prio;
}

static void meta_set_str(html_meta *m, int f, int prio, const char *z){
  if( z ) meta_set(m, f, prio, z, strlen(z));
}

/* The visible text of element n (or of the element below it that names
** it, else of n) into field f, when it would be taken.  An element inside
** one whose text was empty has none either and is not read again: each
** subtree is read once per field, whatever the nesting. */
static void meta_set_text(html_meta *m, int f, int prio, xmlNodePtr n,
                          xmlNodePtr (*pick)(xmlNodePtr)){
  corpus_buf b = {0, 0, 0};
  if( (m->prio[f] && m->prio[f]<=prio) || m->empty[f] || m->rc ) return;
  m->rc = element_text(pick ? pick(n) : n, &b);
  if( m->rc==0 && b.n==0 && pick ) m->rc = element_text(n, &b);
  if( m->rc==0 && b.n>0 ) meta_set(m, f, prio, b.z, b.n);
  corpus_free(b.z);
  if( m->prio[f]!=prio ) m->empty[f] = n;
}

/* The walk's leave: out of an empty element, its fields are read again. */
static void meta_leave(void *arg, xmlNodePtr n){
  html_meta *m = (html_meta*)arg;
  int f;
  for(f=0; f<M_COUNT; f++){
    if( m->empty[f]==n ) m->empty[f] = 0;
  }
}

/* A JSON-LD value as text: a string, or an object's "name", or for an
** array the names of its elements joined with "; " (trafilatura's way with
** several authors). */
static int jsonld_names(corpus_json v, corpus_buf *b){
  int t = corpus_json_type(v);
  corpus_json x;
  if( t==CORPUS_JSON_STRING ) return corpus_json_append_text(v, b);
  if( t==CORPUS_JSON_OBJECT ){
    int r = corpus_json_member(v, "name", 4, &x);
    if( r<0 ) return -1;
    return r && corpus_json_type(x)==CORPUS_JSON_STRING
           ? corpus_json_append_text(x, b) : 0;
  }
  if( t==CORPUS_JSON_ARRAY ){
    corpus_json_iter it;
    corpus_json key, e;
    corpus_json_iter_init(v, &it);
    while( corpus_json_iter_next(&it, &key, &e) ){
      size_t before = b->n, sep = b->n ? 2 : 0;
      if( sep && corpus_buf_append(b, "; ", 2) ) return -1;
      if( jsonld_names(e, b) ) return -1;
      if( b->n==before+sep ) b->n = before;     /* no name: no separator */
    }
  }
  return 0;
}

/* A JSON-LD member (a text or names) into field f. */
static void jsonld_field(html_meta *m, corpus_json obj, const char *key,
                         int f, int prio){
  corpus_json v;
  corpus_buf b = {0, 0, 0};
  int r = corpus_json_member(obj, key, strlen(key), &v);
  if( r<0 ){ m->rc = -1; return; }
  if( r==0 || (m->prio[f] && m->prio[f]<=prio) ) return;
  if( jsonld_names(v, &b) ) m->rc = -1;
  else if( b.z ) meta_set(m, f, prio, b.z, b.n);
  corpus_free(b.z);
}

static int jsonld_is_one(corpus_json t, const char *const *types, size_t n){
  size_t i;
  if( corpus_json_type(t)!=CORPUS_JSON_STRING ) return 0;
  for(i=0; i<n; i++){
    size_t k = strlen(types[i]);
    if( t.n==k+2 && memcmp(t.z+1, types[i], k)==0 ) return 1;
  }
  return 0;
}

/* Whether a JSON-LD object's @type names one of the types (a string or an
** array of strings). */
static int jsonld_is(corpus_json obj, const char *const *types, size_t n){
  corpus_json t, e, key;
  corpus_json_iter it;
  if( corpus_json_member(obj, "@type", 5, &t)!=1 ) return 0;
  if( corpus_json_type(t)==CORPUS_JSON_ARRAY ){
    corpus_json_iter_init(t, &it);
    while( corpus_json_iter_next(&it, &key, &e) ){
      if( jsonld_is_one(e, types, n) ) return 1;
    }
    return 0;
  }
  return jsonld_is_one(t, types, n);
}

/* The ranks of the sources, best first: the rows of the table in
** docs/web.md ("html_metadata"), whose order is the order there. */
enum { P1 = 1, P2, P3, P4, P5, P6, P7 };

/* One JSON-LD object: an article's headline, description, author, date
** and publisher; a web site's or organisation's name. */
static void jsonld_object(html_meta *m, corpus_json obj){
  static const char *const articles[] = {
    "Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle",
    "TechArticle", "SocialMediaPosting", "LiveBlogPosting",
    "AnalysisNewsArticle", "OpinionNewsArticle", "ReportageNewsArticle",
    "ReviewNewsArticle", "BackgroundNewsArticle",
  };
  static const char *const sites[] = {"WebSite", "Organization",
                                      "NewsMediaOrganization"};
  corpus_json pub;
  if( corpus_json_type(obj)!=CORPUS_JSON_OBJECT ) return;
  if( jsonld_is(obj, articles, CORPUS_COUNT(articles)) ){
    jsonld_field(m, obj, "headline", M_TITLE, P2);
    jsonld_field(m, obj, "description", M_DESCRIPTION, P5);
    jsonld_field(m, obj, "author", M_AUTHOR, P2);
    jsonld_field(m, obj, "datePublished", M_DATE, P2);
    if( corpus_json_member(obj, "publisher", 9, &pub)==1 ){
      jsonld_field(m, pub, "name", M_SITENAME, P2);
    }
  }else if( jsonld_is(obj, sites, CORPUS_COUNT(sites)) ){
    jsonld_field(m, obj, "name", M_SITENAME, P3);
  }
}

/* A <script type="application/ld+json">: one object, an array of them, or
** an object with a "@graph" array.  Text that is not JSON is passed over. */
static void jsonld(html_meta *m, const char *z){
  size_t n = strlen(z), err;
  corpus_json root, graph, key, e;
  corpus_json_iter it;
  if( corpus_json_check(z, n, &err) ) return;
  root = corpus_json_root(z, n);
  if( corpus_json_type(root)==CORPUS_JSON_OBJECT
   && corpus_json_member(root, "@graph", 6, &graph)==1
   && corpus_json_type(graph)==CORPUS_JSON_ARRAY ){
    root = graph;
  }
  if( corpus_json_type(root)==CORPUS_JSON_ARRAY ){
    corpus_json_iter_init(root, &it);
    while( corpus_json_iter_next(&it, &key, &e) ) jsonld_object(m, e);
  }else{
    jsonld_object(m, root);
  }
}

/* A <meta>: by its property (Open Graph, article:), name or itemprop. */
static void meta_tag(html_meta *m, xmlNodePtr n){
  static const struct { const char *name; int f, prio; } map[] = {
    {"og:title", M_TITLE, P1}, {"twitter:title", M_TITLE, P3},
    {"title", M_TITLE, P4}, {"dc.title", M_TITLE, P4},
    {"og:description", M_DESCRIPTION, P1},
    {"description", M_DESCRIPTION, P2},
    {"twitter:description", M_DESCRIPTION, P3},
    {"dc.description", M_DESCRIPTION, P4},
    {"author", M_AUTHOR, P1}, {"article:author", M_AUTHOR, P3},
    {"dc.creator", M_AUTHOR, P4}, {"byl", M_AUTHOR, P5},
    {"parsely-author", M_AUTHOR, P5},
    {"article:published_time", M_DATE, P1},
    {"og:published_time", M_DATE, P1},
    {"datepublished", M_DATE, P3},
    {"pubdate", M_DATE, P4}, {"publishdate", M_DATE, P4},
    {"publish-date", M_DATE, P4}, {"publish_date", M_DATE, P4},
    {"date", M_DATE, P4}, {"dc.date", M_DATE, P4},
    {"dc.date.issued", M_DATE, P4}, {"dcterms.created", M_DATE, P4},
    {"dcterms.date", M_DATE, P4}, {"sailthru.date", M_DATE, P5},
    {"parsely-pub-date", M_DATE, P5},
    {"og:url", M_URL, P2},
    {"og:site_name", M_SITENAME, P1},
    {"application-name", M_SITENAME, P4},
    {"language", M_LANGUAGE, P3}, {"dc.language", M_LANGUAGE, P3},
    {"og:locale", M_LANGUAGE, P4},
  };
  static const char *const keys[] = {"property", "name", "itemprop",
                                     "http-equiv"};
  char *content = attr(n, "content");
  size_t k, j;
  if( content==0 ) return;
  for(k=0; k<CORPUS_COUNT(keys); k++){
    char *v = attr(n, keys[k]);
    char low[32];
    if( v==0 ) continue;
    for(j=0; v[j] && j+1<sizeof(low); j++) low[j] = (char)lower((unsigned char)v[j]);
    low[j] = 0;
    if( v[j]==0 ){
      if( k==3 ){
        if( strcmp(low, "content-language")==0 ){
          meta_set_str(m, M_LANGUAGE, P2, content);
        }
      }else if( k==2 ){
        /* microdata: ranked as the elements that carry it */
        if( strcmp(low, "datepublished")==0 ){
          meta_set_str(m, M_DATE, P3, content);
        }else if( strcmp(low, "author")==0 ){
          meta_set_str(m, M_AUTHOR, P6, content);
        }
      }else{
        for(j=0; j<CORPUS_COUNT(map); j++){
          if( strcmp(low, map[j].name)==0 ){
            /* article:author is often a profile's URL: not a name */
            if( strcmp(low, "article:author")==0 && strstr(content, "://") ){
              continue;
            }
            meta_set_str(m, map[j].f, map[j].prio, content);
          }
        }
      }
    }
    xmlFree(v);
  }
  xmlFree(content);
}

/* Whether an attribute's space-separated words include w. */
static int attr_has_word(xmlNodePtr n, const char *name, const char *w){
  char *v = attr(n, name);
  int yes = 0;
  if( v ){
    size_t k = strlen(w);
    const char *p = v;
    while( (p = strstr(p, w))!=0 && !yes ){
      yes = (p==v || is_space((unsigned char)p[-1]))
            && (p[k]==0 || is_space((unsigned char)p[k]));
      p++;
    }
    xmlFree(v);
  }
  return yes;
}

/* An itemprop=author element's itemprop=name below it, else itself (its
** whole text may be a byline with a date). */
static xmlNodePtr author_name(xmlNodePtr a){
  xmlNodePtr n;
  for(n=a; n; n=walk_next(a, n, 1, 0, 0)){
    if( n->type==XML_ELEMENT_NODE && n->properties
     && attr_has_word(n, "itemprop", "name") ) return n;
  }
  return a;
}

/* Every source in one walk over the page. */
static void meta_collect(htmlDocPtr doc, html_meta *m){
  xmlNodePtr root = xmlDocGetRootElement(doc), n;
  for(n=root; n && m->rc==0; ){
    const char *t;
    if( n->type!=XML_ELEMENT_NODE ){
      n = walk_next(root, n, 1, meta_leave, m);
      continue;
    }
    t = (const char*)n->name;
    if( strcmp(t, "svg")==0 || strcmp(t, "math")==0 ){
      /* their <title> is an icon's */
      n = walk_next(root, n, 0, meta_leave, m);
      continue;
    }
    if( strcmp(t, "meta")==0 ){
      meta_tag(m, n);
    }else if( strcmp(t, "html")==0 ){
      char *v = attr(n, "lang");
      meta_set_str(m, M_LANGUAGE, P1, v);
      if( v ) xmlFree(v);
    }else if( strcmp(t, "link")==0 ){
      if( attr_has_word(n, "rel", "canonical") ){
        char *v = attr(n, "href");
        meta_set_str(m, M_URL, P1, v);
        if( v ) xmlFree(v);
      }
    }else if( strcmp(t, "title")==0 ){
      meta_set_text(m, M_TITLE, P5, n, 0);
    }else if( strcmp(t, "h1")==0 ){
      if( !is_hidden(n) ) meta_set_text(m, M_TITLE, P6, n, 0);
    }else if( strcmp(t, "script")==0 ){
      char *type = attr(n, "type");
      if( type && sqlite3_stricmp(type, "application/ld+json")==0 ){
        xmlChar *c = xmlNodeGetContent(n);
        if( c ){
          jsonld(m, (const char*)c);
          xmlFree(c);
        }
      }
      if( type ) xmlFree(type);
    }else if( strcmp(t, "time")==0 ){
      char *v = attr(n, "datetime");
      int pub = attr_has_word(n, "itemprop", "datePublished")
             || xmlHasProp(n, (const xmlChar*)"pubdate")!=0;
      meta_set_str(m, M_DATE, pub ? P3 : P6, v);
      if( v ) xmlFree(v);
    }
    if( n->properties && strcmp(t, "meta")!=0 ){
      if( attr_has_word(n, "itemprop", "author") ){
        meta_set_text(m, M_AUTHOR, P6, n, author_name);
      }else if( attr_has_word(n, "rel", "author") ){
        meta_set_text(m, M_AUTHOR, P7, n, 0);
      }else if( attr_has_word(n, "itemprop", "datePublished") ){
        char *v = attr(n, "content");
        meta_set_str(m, M_DATE, P3, v);
        if( v ) xmlFree(v);
      }
    }
    n = walk_next(root, n, 1, meta_leave, m);
  }
  /* a language tag in BCP 47's case: "en-US" for "EN-us" and og:locale's
  ** "en_US": lowercase, and a two-letter subtag after the first (a
  ** region) uppercase */
  if( m->prio[M_LANGUAGE] ){
    corpus_buf *l = &m->v[M_LANGUAGE];
    size_t i, start = 0;
    for(i=0; i<l->n; i++){
      l->z[i] = l->z[i]=='_' ? '-' : (char)lower((unsigned char)l->z[i]);
    }
    for(i=0; i<=l->n; i++){
      if( i<l->n && l->z[i]!='-' ) continue;
      if( start>0 && i-start==2 ){
        l->z[start] = (char)upper(l->z[start]);
        l->z[start+1] = (char)upper(l->z[start+1]);
      }
      start = i+1;
    }
  }

}

/* The metadata as a JSON object into out: 0 or -1 (out of memory). */
static int html_metadata_json(htmlDocPtr doc, corpus_buf *out){
  html_meta m;
  int f, rc = 0;
  memset(&m, 0, sizeof(m));
  if( doc ) meta_collect(doc, &m);
  rc = m.rc;
  if( rc==0 ) rc = corpus_buf_append(out, "{", 1);
  for(f=0; f<M_COUNT && rc==0; f++){
    rc = corpus_buf_append(out, f ? ",\"" : "\"", f ? 2 : 1)
      || corpus_buf_append(out, meta_keys[f], strlen(meta_keys[f]))
      || corpus_buf_append(out, "\":", 2)
      || (m.prio[f] ? corpus_buf_append_json_string(out, m.v[f].z, m.v[f].n)
                    : corpus_buf_append(out, "null", 4));
  }
  if( rc==0 ) rc = corpus_buf_append(out, "}", 1);
  for(f=0; f<M_COUNT; f++) corpus_free(m.v[f].z);
  return rc ? -1 : 0;
}
/* ---- SQL ----------------------------------------------------------------- */

static int html_option(void *ctx, const char *key, const char *value,
                       char *err){
  html_opts *o = (html_opts*)ctx;
  static const struct { const char *key, *choices; size_t off; } keys[] = {
    {"mode", "main|all", offsetof(html_opts, mode_all)},
    {"links", "keep|drop", offsetof(html_opts, links_drop)},
    {"tables", "keep|drop", offsetof(html_opts, tables_drop)},
    {"comments", "drop|keep", offsetof(html_opts, comments_keep)},
    {"title", "off|on", offsetof(html_opts, title_on)},
  };
  size_t i;
  for(i=0; i<CORPUS_COUNT(keys); i++){
    if( strcmp(key, keys[i].key)==0 ){
      int k = corpus_option_choice(key, value, keys[i].choices, err);
      if( k<0 ) return -1;
      *(int*)((char*)o + keys[i].off) = k;
      return 0;
    }
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: mode, links, "
           "tables, comments, title)", key);
  return -1;
}

/* Reads html and content_type: SQLITE_OK with the page decoded and parsed
** in *doc (NULL for a NULL html: the result is NULL), or an error set. */
static int html_args(sqlite3_context *ctx, const char *func, int argc,
                     sqlite3_value **argv, htmlDocPtr *doc){
  int t = sqlite3_value_type(argv[0]);
  const char *z, *ctype = 0;
  size_t n, nctype = 0;
  corpus_buf dec = {0, 0, 0};
  int rc;
  *doc = 0;
  if( argc>1 && sqlite3_value_type(argv[1])!=SQLITE_NULL ){
    const char *c;
    if( corpus_check_text(ctx, func, "content_type", argv[1]) ){
      return SQLITE_ERROR;
    }
    /* options given where the Content-Type goes would be passed over as
    ** a Content-Type without a charset: say so */
    c = (const char*)sqlite3_value_text(argv[1]);
    if( c && strchr(c, '/')==0 && strchr(c, '=')!=0 ){
      corpus_result_error(ctx, func, "content_type must be a Content-Type "
                          "such as 'text/html; charset=utf-8', got '%.40s' "
                          "(options are the third argument)", c);
      return SQLITE_ERROR;
    }
  }
  if( t==SQLITE_NULL ) return SQLITE_OK;
  if( t!=SQLITE_TEXT && t!=SQLITE_BLOB ){
    corpus_result_error(ctx, func, "html must be TEXT or BLOB, got %s",
                        corpus_type_name(t));
    return SQLITE_ERROR;
  }
  if( argc>1 && sqlite3_value_type(argv[1])!=SQLITE_NULL ){
    ctype = (const char*)sqlite3_value_text(argv[1]);
    nctype = (size_t)sqlite3_value_bytes(argv[1]);
    if( ctype==0 ) goto nomem;
  }
  z = t==SQLITE_BLOB ? (const char*)sqlite3_value_blob(argv[0])
                     : (const char*)sqlite3_value_text(argv[0]);
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if( z==0 && n>0 ) goto nomem;
  if( corpus_html_decode(z ? z : "", n, t==SQLITE_TEXT, ctype, nctype, &dec) ){
    corpus_free(dec.z);
    goto nomem;
  }
  rc = corpus_html_parse(dec.z ? dec.z : "", dec.n, doc);
  corpus_free(dec.z);
  if( rc<0 ) goto nomem;
  if( rc>0 ){
    corpus_result_error(ctx, func, "the page has more end tags that close "
                        "no element, under more open elements, than its "
                        "size allows (its parse would take quadratic time)");
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
nomem:
  sqlite3_result_error_nomem(ctx);
  return SQLITE_NOMEM;
}

/* html_to_text(html [, content_type [, options]]) */
static void html_to_text_func(sqlite3_context *ctx, int argc,
                              sqlite3_value **argv){
  html_opts o;
  htmlDocPtr doc;
  corpus_buf out = {0, 0, 0};
  memset(&o, 0, sizeof(o));
  if( argc>2 && corpus_apply_options(ctx, "html_to_text", argv[2],
                                     html_option, &o) ){
    return;
  }
  if( html_args(ctx, "html_to_text", argc, argv, &doc) ) return;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( doc && corpus_html_text(doc, &o, &out) ){
    xmlFreeDoc(doc);
    corpus_free(out.z);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if( doc ) xmlFreeDoc(doc);
  if( out.z==0 ){
    sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
  }else{
    sqlite3_result_text64(ctx, out.z, out.n, corpus_free, SQLITE_UTF8);
  }
}

/* html_metadata(html [, content_type]) */
static void html_metadata_func(sqlite3_context *ctx, int argc,
                               sqlite3_value **argv){
  htmlDocPtr doc;
  corpus_buf out = {0, 0, 0};
  if( html_args(ctx, "html_metadata", argc, argv, &doc) ) return;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( html_metadata_json(doc, &out) ){
    sqlite3_result_error_nomem(ctx);
  }else{
    sqlite3_result_text64(ctx, out.z, out.n, corpus_free, SQLITE_UTF8);
    sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
    out.z = 0;
  }
  if( doc ) xmlFreeDoc(doc);
  corpus_free(out.z);
}

static const corpus_sql html_sql[] = {
  CORPUS_SCALAR("html_metadata", 1, CORPUS_PURE | CORPUS_JSON_RESULT,
                html_metadata_func),
  CORPUS_SCALAR("html_metadata", 2, CORPUS_PURE | CORPUS_JSON_RESULT,
                html_metadata_func),
  CORPUS_SCALAR("html_to_text", 1, CORPUS_PURE, html_to_text_func),
  CORPUS_SCALAR("html_to_text", 2, CORPUS_PURE, html_to_text_func),
  CORPUS_SCALAR("html_to_text", 3, CORPUS_PURE, html_to_text_func),
};

int corpus_html_register(sqlite3 *db, char **pzErr){
  xmlInitParser();
  return corpus_sql_register(db, html_sql, CORPUS_COUNT(html_sql), pzErr);
}
