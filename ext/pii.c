/*
** Personal data in text: pii_redact() and pii_spans().  One hand-written
** left-to-right scan finds e-mail addresses, IP addresses, phone numbers,
** payment card numbers and IBANs; each candidate is validated (IPv4 and
** IPv6 parsed as Python's ipaddress parses them, with its is_global
** ranges; Luhn and the card prefixes; mod-97 and the IBAN registry's
** lengths) before it counts.  docs/pii.md states every rule.
**
** The scan stops only at bytes that can start or anchor a kind (digits,
** '@', ':'); every other byte is passed over by a table lookup.  Work per
** candidate is bounded (a back-scan of at most 65 bytes for an e-mail's
** local part and 46 for an IPv6 address; forward reads of at most 13
** number groups), and the scan never moves back past a position it has
** left, so the whole is linear in the text.
*/
#include <stdio.h>
#include "corpus_sql.h"

enum { PII_EMAIL, PII_IP, PII_PHONE, PII_CARD, PII_IBAN, PII_NKIND };
static const char *const pii_kind_name[PII_NKIND] = {
  "email", "ip", "phone", "card", "iban"
};
static const char *const pii_default_repl[PII_NKIND] = {
  "<EMAIL>", "<IP>", "<PHONE>", "<CARD>", "<IBAN>"
};
#define PII_REPL_MAX 255

typedef struct pii_opts {
  unsigned kinds;                       /* bit k: kind k is reported */
  int all_ips;                          /* ips=all */
  int has_repl[PII_NKIND];
  char repl[PII_NKIND][PII_REPL_MAX+1];
} pii_opts;

static void pii_opts_init(pii_opts *o){
  int k;
  memset(o, 0, sizeof(*o));
  o->kinds = (1u<<PII_NKIND) - 1;
  for(k=0; k<PII_NKIND; k++){
    strcpy(o->repl[k], pii_default_repl[k]);
  }
}

static int pii_kind_find(const char *z, size_t n){
  int k;
  for(k=0; k<PII_NKIND; k++){
    if( strlen(pii_kind_name[k])==n && memcmp(pii_kind_name[k], z, n)==0 ){
      return k;
    }
  }
  return -1;
}

/* A corpus_option_fn: kinds=, ips=, and one replacement per kind. */
static int pii_option(void *ctx, const char *key, const char *value,
                      char *err){
  pii_opts *o = (pii_opts*)ctx;
  int k = pii_kind_find(key, strlen(key));
  if( k>=0 ){
    size_t n = strlen(value);
    if( n>PII_REPL_MAX ){
      snprintf(err, CORPUS_ERRMAX, "%s must be at most %d bytes, got %zu",
               key, PII_REPL_MAX, n);
      return -1;
    }
    memcpy(o->repl[k], value, n+1);
    return 0;
  }
  if( strcmp(key, "kinds")==0 ){
    const char *p = value;
    unsigned kinds = 0;
    for(;;){
      const char *e = strchr(p, ',');
      size_t n = e ? (size_t)(e-p) : strlen(p);
      k = pii_kind_find(p, n);
      if( k<0 ){
        snprintf(err, CORPUS_ERRMAX, "kinds must be a list of email, ip, "
                 "phone, card, iban, got '%.40s'", value);
        return -1;
      }
      kinds |= 1u<<k;
      if( e==0 ) break;
      p = e+1;
    }
    o->kinds = kinds;
    return 0;
  }
  if( strcmp(key, "ips")==0 ){
    int v = corpus_option_choice(key, value, "global|all", err);
    if( v<0 ) return -1;
    o->all_ips = v;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: kinds, ips, "
           "email, ip, phone, card, iban)", key);
  return -1;
}

/* ---- Character classes ------------------------------------------------------ */

static int is_digit(int c){ return c>='0' && c<='9'; }
static int is_upper(int c){ return c>='A' && c<='Z'; }
static int is_alpha(int c){ return (c|0x20)>='a' && (c|0x20)<='z'; }
static int is_alnum(int c){ return is_digit(c) || is_alpha(c); }
static int is_hex(int c){
  return is_digit(c) || ((c|0x20)>='a' && (c|0x20)<='f');
}
static int hex_val(int c){ return is_digit(c) ? c-'0' : (c|0x20)-'a'+10; }
/* The characters of an e-mail address's local part (RFC 5322's atext and
** the dot), ASCII only. */
static int is_local(int c){
  return is_alnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~.-", c)!=0);
}
static int is_domain(int c){ return is_alnum(c) || c=='-' || c=='.'; }
static int is_v6(int c){ return is_hex(c) || c==':' || c=='.'; }

/* Whether the byte before a number's first character (or the text's
** start, c<0) lets the number start there: not inside a word, an
** identifier, a decimal, a dotted or dashed series, or a signed value.
** A comma separates ("8.8.8.8,8.8.4.4", "alice,8.8.8.8,US"). */
static int num_left_ok(int c){
  return c<0 || !(is_alnum(c) || (c && strchr("._-+@$", c)!=0));
}
/* Whether the byte at z[e] (e<=n) lets a match end there: not before a
** decimal or a dotted part; a comma separates, as on the left. */
static int num_right_ok(const char *z, size_t n, size_t e){
  int c;
  if( e>=n ) return 1;
  c = (unsigned char)z[e];
  if( is_alnum(c) || c=='_' || c=='@' ) return 0;
  if( c=='.' && e+1<n && is_digit((unsigned char)z[e+1]) ){
    return 0;
  }
  return 1;
}

/* Whether a phone number may end at z[e]: as any match, or before an
** extension "x123" (1 to 6 digits), which is not part of it. */
static int phone_right_ok(const char *z, size_t n, size_t e){
  size_t j = e+1;
  if( num_right_ok(z, n, e) ) return 1;
  if( z[e]!='x' ) return 0;
  while( j<n && j-e<=7 && is_digit((unsigned char)z[j]) ) j++;
  return j>e+1 && j-e<=7 && num_right_ok(z, n, j);
}

/* ---- IP addresses: Python's ipaddress rules --------------------------------- */

typedef struct ip_net { unsigned char a[16]; int bits; } ip_net;

static int in_net(const unsigned char *a, const ip_net *net){
  int full = net->bits/8, rest = net->bits%8;
  if( memcmp(a, net->a, (size_t)full) ) return 0;
  if( rest==0 ) return 1;
  return ((a[full] ^ net->a[full]) & (0xFF00>>rest) & 0xFF)==0;
}
static int in_any(const unsigned char *a, const ip_net *nets, size_t count){
  size_t i;
  for(i=0; i<count; i++) if( in_net(a, &nets[i]) ) return 1;
  return 0;
}

/* IPv4Address._constants._private_networks and its exceptions (Python
** 3.11's ipaddress; IANA's special-purpose registry). */
static const ip_net v4_private[] = {
  {{0}, 8}, {{10}, 8}, {{127}, 8}, {{169, 254}, 16}, {{172, 16}, 12},
  {{192, 0, 0}, 24}, {{192, 0, 0, 170}, 31}, {{192, 0, 2}, 24},
  {{192, 168}, 16}, {{198, 18}, 15}, {{198, 51, 100}, 24},
  {{203, 0, 113}, 24}, {{240}, 4}, {{255, 255, 255, 255}, 32},
};
static const ip_net v4_private_except[] = {
  {{192, 0, 0, 9}, 32}, {{192, 0, 0, 10}, 32},
};
static const ip_net v4_shared = {{100, 64}, 10};     /* _public_network */

static int v4_private_p(const unsigned char *a){
  return in_any(a, v4_private, CORPUS_COUNT(v4_private))
      && !in_any(a, v4_private_except, CORPUS_COUNT(v4_private_except));
}
/* IPv4Address.is_global. */
static int v4_global(const unsigned char *a){
  return !in_net(a, &v4_shared) && !v4_private_p(a);
}

static const ip_net v6_private[] = {
  {{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1}, 128}, {{0}, 128},
  {{0,0,0,0,0,0,0,0,0,0,0xff,0xff}, 96}, {{0,0x64,0xff,0x9b,0,1}, 48},
  {{1,0}, 64}, {{0x20,0x01}, 23}, {{0x20,0x01,0x0d,0xb8}, 32},
  {{0x20,0x02}, 16}, {{0xfc}, 7}, {{0xfe,0x80}, 10},
};
static const ip_net v6_private_except[] = {
  {{0x20,0x01,0,1,0,0,0,0,0,0,0,0,0,0,0,1}, 128},
  {{0x20,0x01,0,1,0,0,0,0,0,0,0,0,0,0,0,2}, 128},
  {{0x20,0x01,0,3}, 32}, {{0x20,0x01,0,4,0x01,0x12}, 48},
  {{0x20,0x01,0,0x20}, 28}, {{0x20,0x01,0,0x30}, 28},
};

/* IPv6Address.is_global (Python 3.11: not is_private, and an IPv4-mapped
** address is private when its IPv4 address is). */
static int v6_global(const unsigned char *a){
  static const unsigned char mapped[12] = {0,0,0,0,0,0,0,0,0,0,0xff,0xff};
  if( memcmp(a, mapped, 12)==0 ) return !v4_private_p(a+12);
  return !(in_any(a, v6_private, CORPUS_COUNT(v6_private))
           && !in_any(a, v6_private_except, CORPUS_COUNT(v6_private_except)));
}

/* Parses z[0..n) as a dotted quad as Python does (four decimal parts of 1
** to 3 digits, no leading zero, each <= 255): 0 with out[4], or -1. */
static int v4_parse(const char *z, size_t n, unsigned char *out){
  size_t i = 0;
  int part;
  for(part=0; part<4; part++){
    size_t s = i;
    int v = 0;
    if( part>0 ){
      if( i>=n || z[i]!='.' ) return -1;
      s = ++i;
    }
    while( i<n && is_digit((unsigned char)z[i]) && i-s<4 ){
      v = v*10 + (z[i]-'0');
      i++;
    }
    if( i==s || i-s>3 || v>255 || (i-s>1 && z[s]=='0') ) return -1;
    out[part] = (unsigned char)v;
  }
  return i==n ? 0 : -1;
}

/* Parses z[0..n) as an IPv6 address as Python does (hextets of 1 to 4
** hex digits, one "::" standing for at least one zero hextet, an IPv4
** address as the last 32 bits): 0 with out[16] and *written the hextets
** written out (an IPv4 part counts two), or -1. */
static int v6_parse(const char *z, size_t n, unsigned char *out,
                    int *written){
  unsigned short h[8];
  int nh = 0, gap = -1, k;
  size_t i = 0;
  if( n>=2 && z[0]==':' && z[1]==':' ){
    gap = 0;
    i = 2;
  }else if( n>0 && z[0]==':' ){
    return -1;
  }
  while( i<n ){
    size_t s = i;
    unsigned v = 0;
    while( i<n && is_hex((unsigned char)z[i]) && i-s<5 ){
      v = v*16 + (unsigned)hex_val((unsigned char)z[i]);
      i++;
    }
    if( i<n && z[i]=='.' ){                 /* an IPv4 tail */
      unsigned char q[4];
      if( nh>6 || v4_parse(z+s, n-s, q) ) return -1;
      h[nh++] = (unsigned short)(q[0]<<8 | q[1]);
      h[nh++] = (unsigned short)(q[2]<<8 | q[3]);
      i = n;
      break;
    }
    if( i==s || i-s>4 || nh>=8 ) return -1;
    h[nh++] = (unsigned short)v;
    if( i==n ) break;
    if( z[i]!=':' ) return -1;
    i++;
    if( i<n && z[i]==':' ){
      if( gap>=0 ) return -1;
      gap = nh;
      i++;
    }else if( i==n ){
      return -1;                            /* a single trailing ':' */
    }
  }
  if( gap>=0 ? nh>7 : nh!=8 ) return -1;
  memset(out, 0, 16);
  for(k=0; k<nh; k++){
    int slot = (gap>=0 && k>=gap) ? 8-(nh-k) : k;
    out[2*slot] = (unsigned char)(h[k]>>8);
    out[2*slot+1] = (unsigned char)(h[k]&0xFF);
  }
  *written = nh;
  return 0;
}

/* ---- Numbers: a run of digit groups ------------------------------------------ */

/*
** A run is digit groups joined by one separator each: a space, '-' or '.'
** (then a digit), or a group in parentheses (one per run: "(415) 555",
** "+44 (0)20").  Groups past PII_MAXG are not read: no rule needs them,
** only to know that there are more.
*/
#define PII_MAXG 12
typedef struct num_run {
  int ng, more;                 /* groups read; 1: the run goes on */
  size_t gs[PII_MAXG], ge[PII_MAXG];  /* each group's digits */
  char sep[PII_MAXG];           /* before group k>0: ' ', '-', '.' or 0 */
  unsigned char paren[PII_MAXG];/* group k is in parentheses */
  size_t end[PII_MAXG];         /* the run's end if it stopped at group k */
} num_run;

/* Reads the run from the digit at z[i]; open: a '(' before z[i] may
** close after the first group. */
static void num_read(const char *z, size_t n, size_t i, int open,
                     num_run *r){
  int used = 0;
  r->ng = 0;
  r->more = 0;
  r->sep[0] = 0;
  for(;;){
    size_t s = i, q;
    int k = r->ng, inparen = open, sepc = 0;
    while( i<n && is_digit((unsigned char)z[i]) ) i++;
    if( k==PII_MAXG ){ r->more = 1; return; }
    r->gs[k] = s;
    r->ge[k] = i;
    r->paren[k] = 0;
    if( inparen ){
      if( i<n && z[i]==')' ){
        r->paren[k] = 1;
        i++;
        used = 1;
      }else if( k>0 ){
        return;                     /* "( 12" unclosed: the run ends before */
      }
    }
    r->end[k] = i;
    r->ng++;
    open = 0;
    q = i;
    if( q<n && (z[q]==' ' || z[q]=='-' || z[q]=='.') ){
      sepc = z[q];
      q++;
    }
    if( !used && q<n && z[q]=='(' && sepc!='-' && sepc!='.' && q+1<n
     && is_digit((unsigned char)z[q+1]) ){
      open = 1;
      q++;
    }else if( q<n && is_digit((unsigned char)z[q]) && (sepc || r->paren[k]) ){
      /* a separator, or none after a closing parenthesis */
    }else{
      return;
    }
    if( r->ng<PII_MAXG ) r->sep[r->ng] = (char)sepc;
    i = q;
  }
}

static int glen(const num_run *r, int k){ return (int)(r->ge[k]-r->gs[k]); }

/* Whether a number of groups 0..k-1 joined by spaces is one of a sequence
** of numbers: the run goes on one space after it with a group of 3 or
** more digits, or one as long as its last ("256 512 1024 2048", "01 02
** 03 04 05 06"). */
static int num_sequence(const num_run *r, int k){
  if( k>=r->ng ) return r->more;
  return r->sep[k]==' ' && (glen(r, k)>=3 || glen(r, k)==glen(r, k-1));
}

/* The digits of groups 0..ng-1 into d (at most max), or -1 if more. */
static int run_digits(const char *z, const num_run *r, int ng, char *d,
                      int max){
  int k, m = 0;
  for(k=0; k<ng; k++){
    size_t j;
    if( glen(r, k)>max-m ) return -1;
    for(j=r->gs[k]; j<r->ge[k]; j++) d[m++] = z[j];
  }
  return m;
}

/* A dotted quad at the run's start (not a fifth dotted part after it):
** its end, or 0. */
static size_t match_ipv4(const char *z, size_t n, const num_run *r,
                         unsigned char *a){
  int k;
  if( r->ng<4 || r->paren[0] ) return 0;
  for(k=1; k<4; k++) if( r->sep[k]!='.' || r->paren[k] ) return 0;
  if( r->ng>4 && r->sep[4]=='.' ) return 0;
  if( v4_parse(z+r->gs[0], r->ge[3]-r->gs[0], a) ) return 0;
  if( !num_right_ok(z, n, r->ge[3]) ) return 0;
  return r->ge[3];
}

/* Whether a card number of len digits may start with d: the IIN ranges of
** Visa, Mastercard, American Express, Diners Club, JCB, Discover,
** UnionPay and Maestro. */
static int card_prefix_ok(const char *d, int len){
  int p2 = (d[0]-'0')*10 + (d[1]-'0');
  int p3 = p2*10 + (d[2]-'0');
  int p4 = p3*10 + (d[3]-'0');
  switch( d[0] ){
    case '4': return len==13 || len==16 || len==19;
    case '2': return len==16 && p4>=2221 && p4<=2720;
    case '5':
      if( p2>=51 && p2<=55 ) return len==16;
      return p2==50 || (p2>=56 && p2<=58);          /* Maestro, 13..19 */
    case '3':
      if( p2==34 || p2==37 ) return len==15;
      if( (p3>=300 && p3<=305) || p2==36 || p2==38 || p2==39 ) return len>=14;
      if( p4>=3528 && p4<=3589 ) return len>=16;
      return 0;
    case '6':
      /* RuPay 60, Discover 6011 644-649 65, UnionPay 62, InstaPayment
      ** 637-639, Maestro 6304 67: not 61, 63x, 64x, 66, 68, 69 (a long
      ** number of a float, 6683623321994527, passed Luhn as a card) */
      return p2==60 || p2==62 || p2==65 || p2==67 || p4==6304
          || (p3>=637 && p3<=639) || (p3>=644 && p3<=649);
  }
  return 0;
}

static int luhn_ok(const char *d, int len){
  int sum = 0, i, dbl = 0;
  for(i=len-1; i>=0; i--){
    int v = d[i]-'0';
    if( dbl ){ v *= 2; if( v>9 ) v -= 9; }
    sum += v;
    dbl = !dbl;
  }
  return sum%10==0;
}

/* A card number at the run's start: one group of 13 to 19 digits, or
** groups of 4, then 3 to 6, the last 1 to 6 (19 digits as 4-4-4-4-3, 18
** as 4-4-4-4-2), joined by one kind of separator (space or '-'): all the
** groups so joined, up to the end of the run or another separator. */
static size_t match_card(const char *z, size_t n, const num_run *r){
  char d[19];
  int k, len, ng = r->ng;
  if( r->paren[0] ) return 0;
  if( ng>1 && glen(r, 0)>=13 && r->sep[1]==' ' ){
    ng = 1;                   /* one group, then a number one space away */
  }else if( ng>1 ){
    if( glen(r, 0)!=4 || (r->sep[1]!=' ' && r->sep[1]!='-') ) return 0;
    /* the groups joined by the first separator ("4111-1111-1111-1111
    ** 12": a number after it, one space away) */
    for(ng=2; ng<r->ng && r->sep[ng]==r->sep[1]; ng++){}
    for(k=1; k<ng; k++){
      if( r->paren[k] ) return 0;
      if( glen(r, k)<(k==ng-1 ? 1 : 3) || glen(r, k)>6 ) return 0;
    }
  }
  if( ng==r->ng && r->more ) return 0;
  len = run_digits(z, r, ng, d, 19);
  if( len<13 ) return 0;
  if( !card_prefix_ok(d, len) || !luhn_ok(d, len) ) return 0;
  if( !num_right_ok(z, n, r->ge[ng-1]) ) return 0;
  return r->ge[ng-1];
}

/* A North American number at the run's start: [1 sep] NXX sep NXX sep
** XXXX (N 2..9), the area code perhaps in parentheses; a space-joined
** group may follow.  Its end, or 0. */
static size_t match_nanp(const char *z, size_t n, const num_run *r){
  int k = 0, j;
  if( r->ng>=4 && glen(r, 0)==1 && z[r->gs[0]]=='1' && !r->paren[0]
   && r->sep[1] ){
    k = 1;
  }
  if( r->ng<k+3 ) return 0;
  if( glen(r, k)!=3 || glen(r, k+1)!=3 || glen(r, k+2)!=4 ) return 0;
  if( z[r->gs[k]]<'2' || z[r->gs[k+1]]<'2' ) return 0;
  if( r->paren[k+1] || r->paren[k+2] ) return 0;
  for(j=k+1; j<=k+2; j++){
    if( r->sep[j]==0 && !(j==k+1 && r->paren[k]) ) return 0;
  }
  if( r->ng>k+3 ? r->sep[k+3]!=' ' : r->more ) return 0;
  if( !r->paren[k] && r->sep[k+1]==' ' && r->sep[k+2]==' '
   && num_sequence(r, k+3) ){
    return 0;                           /* "sizes 256 512 1024 2048" */
  }
  if( !phone_right_ok(z, n, r->ge[k+2]) ) return 0;
  return r->ge[k+2];
}

/* A national number with a trunk 0 at the run's start: a first group of
** 2 to 5 digits 0[1-9]... (perhaps in parentheses), then groups of 2 to 8
** joined by one kind of separator, 10 or 11 digits in all, the groups
** that share the separator.  Its end, or 0. */
static size_t match_trunk(const char *z, size_t n, const num_run *r){
  int k, digits, sep;
  if( r->ng<2 || glen(r, 0)<2 || glen(r, 0)>5 ) return 0;
  if( z[r->gs[0]]!='0' || z[r->gs[0]+1]=='0' ) return 0;
  sep = r->sep[1];
  if( sep==0 ){
    if( !r->paren[0] ) return 0;
    sep = ' ';
  }
  digits = glen(r, 0);
  for(k=1; k<r->ng; k++){
    if( r->paren[k] ) return 0;
    if( r->sep[k]!=sep && !(k==1 && r->paren[0] && r->sep[k]==0) ) break;
    /* a national plan's groups after the first: all of 2 digits ("01 23
    ** 45 67 89") or all of 3 or more ("020 7946 0958"), not "02 11 2019" */
    if( k>=2 && digits<10 && (glen(r, k)==2)!=(glen(r, 1)==2) ) return 0;
    if( glen(r, k)<2 || glen(r, k)>8 || digits+glen(r, k)>11 ){
      /* a whole number, then another one space away ("07444 295646 4") */
      if( digits>=10 && r->sep[k]==' ' ) break;
      return 0;
    }
    digits += glen(r, k);
  }
  if( k==r->ng && r->more ) return 0;
  if( digits<10 ) return 0;
  if( sep==' ' && num_sequence(r, k) ) return 0;     /* "01 02 ... 07" */
  if( !phone_right_ok(z, n, r->ge[k-1]) ) return 0;
  return r->ge[k-1];
}

/* The country calling codes with the shortest and longest national
** number each has (libphonenumber-js 1.13.16's metadata: the union of
** its regions' possible lengths; +1 is NANP's 10 digits).  ITU codes are
** prefix-free, so an unseparated "+4420..." has one reading. */
static const struct { short cc; unsigned char lo, hi; } pii_cc[] = {
  {1,10,10},{7,10,14},{20,8,10},{27,5,10},{30,10,12},{31,5,11},{32,8,9},
  {33,9,9},{34,9,9},{36,8,9},{39,6,12},{40,6,9},{41,9,12},{43,4,13},{44,7,10},
  {45,8,8},{46,6,12},{47,5,8},{48,6,10},{49,4,15},{51,8,9},{52,10,10},
  {53,6,10},{54,10,11},{55,8,11},{56,9,11},{57,8,11},{58,10,10},{60,8,10},
  {61,5,12},{62,7,17},{63,6,13},{64,5,10},{65,8,11},{66,8,13},{81,8,17},
  {82,5,14},{84,7,10},{86,7,12},{90,7,13},{91,8,13},{92,8,12},{93,9,9},
  {94,9,9},{95,6,10},{98,4,10},{211,9,9},{212,9,9},{213,8,9},{216,8,8},
  {218,9,9},{220,7,9},{221,9,9},{222,8,8},{223,8,8},{224,8,9},{225,10,10},
  {226,8,8},{227,8,8},{228,8,8},{229,10,10},{230,7,10},{231,7,9},{232,8,8},
  {233,8,9},{234,10,14},{235,8,8},{236,8,8},{237,8,9},{238,7,7},{239,7,7},
  {240,9,9},{241,7,8},{242,9,9},{243,7,10},{244,9,9},{245,7,9},{246,7,7},
  {247,5,6},{248,7,7},{249,9,9},{250,8,9},{251,9,9},{252,6,9},{253,8,8},
  {254,7,10},{255,9,9},{256,9,9},{257,8,8},{258,8,9},{260,9,9},{261,9,9},
  {262,9,9},{263,7,10},{264,8,9},{265,7,9},{266,8,8},{267,7,10},{268,8,9},
  {269,7,7},{290,4,5},{291,7,7},{297,7,7},{298,6,6},{299,6,6},{350,8,8},
  {351,9,9},{352,4,11},{353,7,10},{354,7,9},{355,6,9},{356,8,8},{357,8,8},
  {358,5,12},{359,6,12},{370,8,8},{371,8,8},{372,7,10},{373,8,8},{374,8,8},
  {375,6,11},{376,6,9},{377,8,9},{378,8,10},{380,9,10},{381,6,12},{382,8,9},
  {383,8,12},{385,7,9},{386,5,8},{387,8,9},{389,8,8},{420,9,12},{421,6,9},
  {423,7,9},{500,5,5},{501,7,11},{502,8,11},{503,7,11},{504,8,11},{505,8,8},
  {506,8,10},{507,7,11},{508,6,9},{509,8,8},{590,9,9},{591,8,9},{592,7,7},
  {593,8,11},{594,9,9},{595,6,11},{596,9,9},{597,6,7},{598,4,13},{599,7,8},
  {670,7,8},{672,6,6},{673,7,7},{674,7,7},{675,7,8},{676,5,7},{677,5,7},
  {678,5,7},{679,7,11},{680,7,7},{681,6,9},{682,5,5},{683,4,7},{685,5,10},
  {686,5,8},{687,6,6},{688,5,7},{689,6,9},{690,4,7},{691,7,7},{692,7,7},
  {850,8,10},{852,5,11},{853,7,8},{855,8,10},{856,8,10},{880,6,10},{886,7,11},
  {960,7,10},{961,7,8},{962,8,9},{963,8,9},{964,8,10},{965,7,8},{966,9,10},
  {967,7,9},{968,7,9},{970,8,10},{971,5,12},{972,7,12},{973,8,8},{974,7,11},
  {975,7,8},{976,8,10},{977,8,11},{992,9,9},{993,8,8},{994,9,9},{995,9,9},
  {996,9,10},{998,9,9},
};

/* The country code at the start of d[0..m): its length, with *lo and *hi
** the national number's lengths, or 0. */
static int cc_find(const char *d, int m, int *lo, int *hi){
  int len, v = 0;
  size_t k;
  for(len=1; len<=3 && len<=m; len++){
    v = v*10 + (d[len-1]-'0');
    for(k=0; k<CORPUS_COUNT(pii_cc); k++){
      if( pii_cc[k].cc==v ){
        *lo = pii_cc[k].lo;
        *hi = pii_cc[k].hi;
        return len;
      }
    }
  }
  return 0;
}

/* Whether a currency follows z[e], one space away at most ("+12 345 678
** EUR", "+1 234 567 890 $"): the number is an amount. */
static int currency_after(const char *z, size_t n, size_t e){
  static const char *const codes[] = {
    "EUR", "USD", "GBP", "CHF", "JPY", "CNY", "RUB", "INR", "AUD", "CAD",
    "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "BRL", "MXN", "ZAR", "TRY",
    "KRW", "HKD", "SGD", "NZD", "\xe2\x82\xac", "\xc2\xa3", "\xc2\xa5", "$",
  };
  size_t k;
  if( e<n && z[e]==' ' ) e++;
  for(k=0; k<CORPUS_COUNT(codes); k++){
    size_t m = strlen(codes[k]);
    if( e+m<=n && memcmp(z+e, codes[k], m)==0
     && (m<3 || e+m==n || !is_alnum((unsigned char)z[e+m])) ){
      return 1;
    }
  }
  return 0;
}

/* An international number after a '+': a country code that exists (in
** parentheses with its '+' when ccparen), then a national number of a
** length the code has, 8 to 15 digits in all (E.164), at least 10 when
** written without a separator, '.' joining all its groups or none (and
** not as thousands: "+33.500.000.000").  A group one space after a whole
** number that would make it too long is not part of it ("+1 415 555 2671
** 10:30").  Its end, or 0. */
static size_t match_intl(const char *z, size_t n, const num_run *r,
                         int ccparen){
  char d[PII_MAXG*8];
  int k, ng = r->ng, dots = 0, thousands = 1, m, ccl, lo, hi, nat, total;
  if( z[r->gs[0]]=='0' || r->paren[0]!=ccparen ) return 0;
  /* '.' joins all the groups or none: "+44 20 8385 4105 3.1" ends
  ** before the decimal after it */
  for(k=1; k<ng; k++){
    dots += r->sep[k]=='.';
    thousands &= glen(r, k)==3;
  }
  if( dots>0 && dots<ng-1 ){
    for(k=1; r->sep[k]!='.'; k++){}
    ng = k-1;
    if( ng<1 || r->sep[ng]=='.' ) return 0;
  }else if( r->more ){
    return 0;
  }else if( dots>0 && ng>2 && thousands ){
    return 0;                               /* "+33.500.000.000" */
  }
  /* the country code: the first group when it has 1 to 3 digits ("+12
  ** 345" is no number), else the start of its digits ("+4420 7946") */
  m = run_digits(z, r, 1, d, (int)sizeof(d));
  if( m<0 ) return 0;
  ccl = cc_find(d, m, &lo, &hi);
  if( ccl==0 || (m<=3 && ccl!=m) ) return 0;
  nat = m - ccl;
  total = m;
  if( nat>hi ) return 0;
  for(k=1; k<ng; k++){
    int g = glen(r, k);
    /* "+44 (0)20": the trunk 0 in parentheses is not dialled */
    if( k==1 && r->paren[1] && g==1 && z[r->gs[1]]=='0' ) continue;
    if( nat+g>hi ){
      if( r->sep[k]==' ' && nat>=lo && !r->paren[k] ) break;
      return 0;
    }
    nat += g;
    total += g;
  }
  ng = k;
  /* no number ends in a lone digit after a space: "+12354014553 6 of" */
  if( ng>1 && glen(r, ng-1)==1 && r->sep[ng-1]==' ' && !r->paren[ng-1]
   && nat-1>=lo ){
    nat -= 1;
    total -= 1;
    ng--;
  }
  if( nat<lo || total<8 || total>15 || (ng==1 && total<10) ) return 0;
  if( !phone_right_ok(z, n, r->ge[ng-1]) ) return 0;
  if( currency_after(z, n, r->end[ng-1]) ) return 0;
  return r->end[ng-1];
}

/* ---- Context words ------------------------------------------------------------ */

/* The word (ASCII letters, lowercased, at most 15) that ends before z[s],
** past at most 3 bytes of " \t:=#(." and perhaps "no."; 0 if none. */
static int word_before(const char *z, size_t s, size_t lo, char *w){
  size_t e = s, b;
  int k = 0, m;
  while( e>lo && k<3 && strchr(" \t:=#(.", z[e-1]) && z[e-1] ){
    e--;
    k++;
  }
  b = e;
  while( b>lo && e-b<16 && is_alpha((unsigned char)z[b-1]) ) b--;
  if( b==e || e-b>15 || (b>lo && is_alnum((unsigned char)z[b-1])) ) return 0;
  for(m=0; m<(int)(e-b); m++) w[m] = (char)(z[b+m]|0x20);
  w[m] = 0;
  return m;
}

/* Words after which a dotted quad is a version or a section number. */
static int version_cue(const char *z, size_t s, size_t lo){
  static const char *const cues[] = {
    "version", "versions", "ver", "v", "release", "rel", "build", "firmware",
    "fw", "revision", "rev", "update", "patch", "section", "sec", "chapter",
    "ch", "figure", "fig", "table", "tab", "step", "rule", "article", "art",
    "clause", "paragraph", "para", "item", "no", "page", "vol",
    "edition", "oid",
  };
  char w[16];
  size_t k;
  if( !word_before(z, s, lo, w) ) return 0;
  for(k=0; k<CORPUS_COUNT(cues); k++) if( strcmp(w, cues[k])==0 ) return 1;
  return 0;
}

/* Whether "ISBN" or "ISSN" stands in the 12 bytes before z[s]. */
static int isbn_cue(const char *z, size_t s, size_t lo){
  size_t b = s>lo+12 ? s-12 : lo, i;
  for(i=b; i+4<=s; i++){
    if( (z[i]|0x20)=='i' && (z[i+1]|0x20)=='s' && (z[i+3]|0x20)=='n'
     && ((z[i+2]|0x20)=='b' || (z[i+2]|0x20)=='s') ){
      return 1;
    }
  }
  return 0;
}

/* ---- IBANs ------------------------------------------------------------------- */

/* The lengths of SWIFT's IBAN registry by country code, sorted.  Checked
** against npm ibantools 4.5.4's table: the same lengths; it also lists
** Aaland and the French territories (FR's 27) under codes of their own,
** and has Burundi, Djibouti, the Falklands and Honduras, newer in the
** registry, without its registry flag. */
static const struct { char cc[3]; unsigned char len; } iban_lengths[] = {
  {"AD",24},{"AE",23},{"AL",28},{"AT",20},{"AX",18},{"AZ",28},{"BA",20},
  {"BE",16},
  {"BG",22},{"BH",22},{"BI",27},{"BR",29},{"BY",28},{"CH",21},{"CR",22},
  {"CY",28},{"CZ",24},{"DE",22},{"DJ",27},{"DK",18},{"DO",28},{"EE",20},
  {"EG",29},{"ES",24},{"FI",18},{"FK",18},{"FO",18},{"FR",27},{"GB",22},
  {"GE",22},{"GF",27},{"GI",23},{"GL",18},{"GP",27},{"GR",27},{"GT",28},
  {"HN",28},{"HR",21},
  {"HU",28},{"IE",22},{"IL",23},{"IQ",23},{"IS",26},{"IT",27},{"JO",30},
  {"KW",30},{"KZ",20},{"LB",28},{"LC",32},{"LI",21},{"LT",20},{"LU",20},
  {"LV",21},{"LY",25},{"MC",27},{"MD",24},{"ME",22},{"MF",27},{"MK",19},
  {"MN",20},{"MQ",27},{"MR",27},{"MT",31},{"MU",30},{"NC",27},{"NI",28},
  {"NL",18},{"NO",15},{"OM",23},{"PF",27},{"PK",24},{"PL",28},{"PM",27},
  {"PS",29},{"PT",25},{"QA",29},{"RE",27},{"RO",24},{"RS",22},{"RU",33},
  {"SA",24},{"SC",31},{"SD",18},{"SE",24},{"SI",19},{"SK",24},{"SM",27},
  {"SO",23},{"ST",25},{"SV",28},{"TF",27},{"TL",23},{"TN",24},{"TR",26},
  {"UA",29},{"VA",22},{"VG",24},{"WF",27},{"XK",20},{"YE",30},{"YT",27},
};

static int iban_length(const char *cc){
  size_t k;
  for(k=0; k<CORPUS_COUNT(iban_lengths); k++){
    if( iban_lengths[k].cc[0]==cc[0] && iban_lengths[k].cc[1]==cc[1] ){
      return iban_lengths[k].len;
    }
  }
  return 0;
}

/* An IBAN from z[s] (two letters, two digits): its registry length of
** capitals and digits, written whole or in groups of four joined by one
** space, with check digits 02..98 and the ISO 7064 mod-97 remainder 1.
** Its end, or 0 with *scanned its end when it has the shape: letters are
** read in either case and groups joined by up to three spaces, so that
** the whole of an IBAN-shaped run that is no IBAN ("de89 3704 ...",
** "DE89  3704 ...") is known and read as nothing else. */
static size_t match_iban(const char *z, size_t n, size_t s, size_t *scanned){
  char c[34], cc[2];
  int len, m = 0, spaced = -1, i, rem = 0, exact = 1;
  size_t p = s;
  *scanned = s;
  cc[0] = (char)(z[s]&~0x20);
  cc[1] = (char)(z[s+1]&~0x20);
  len = iban_length(cc);
  if( len==0 ) return 0;
  while( m<len ){
    if( m>0 && m%4==0 && spaced!=0 ){
      int sp = 0;
      while( p<n && z[p]==' ' && sp<3 ){ p++; sp++; }
      if( sp>0 ){
        spaced = 1;
        if( sp>1 ) exact = 0;
      }else if( spaced==1 ){
        return 0;
      }else{
        spaced = 0;
      }
    }
    if( p>=n || !is_alnum((unsigned char)z[p]) ){
      return 0;
    }
    if( !is_upper((unsigned char)z[p]) && !is_digit((unsigned char)z[p]) ){
      exact = 0;
    }
    c[m++] = (char)(is_alpha((unsigned char)z[p]) ? z[p]&~0x20 : z[p]);
    p++;
  }
  *scanned = p;
  if( p<n && (is_alnum((unsigned char)z[p]) || z[p]=='_') ) return 0;
  if( !exact ) return 0;
  if( (c[2]=='0' && c[3]<'2') || (c[2]=='9' && c[3]=='9') ) return 0;
  for(i=0; i<len; i++){
    char ch = c[(i+4)%len];
    if( is_digit((unsigned char)ch) ) rem = (rem*10 + (ch-'0'))%97;
    else rem = (rem*100 + (ch-'A'+10))%97;
  }
  return rem==1 ? p : 0;
}

/* ---- E-mail addresses -------------------------------------------------------- */

/* Top-level domains that are file extensions of images ("icon@2x.png"). */
static int tld_is_file(const char *z, size_t n){
  static const char *const ext[] = {
    "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff",
  };
  size_t k, i;
  for(k=0; k<CORPUS_COUNT(ext); k++){
    if( strlen(ext[k])!=n ) continue;
    for(i=0; i<n && (z[i]|0x20)==ext[k][i]; i++){}
    if( i==n ) return 1;
  }
  return 0;
}

/* The domain from z[a]: labels of letters, digits and '-' (not at either
** end), at least two, joined by dots, at most 253 bytes, the last 2+
** letters (or an "xn--" label).  Its end, or 0. */
static size_t email_domain(const char *z, size_t n, size_t a){
  size_t e = a, s, l, labels = 0, tld = a;
  while( e<n && is_domain((unsigned char)z[e]) ) e++;
  /* a dot ends a sentence, a hyphen a dash ("a@example.com- or"): the
  ** last label ends before them */
  while( e>a && (z[e-1]=='.' || z[e-1]=='-') ) e--;
  if( e-a>253 ) return 0;
  for(s=a; s<e; s=l+1){
    for(l=s; l<e && z[l]!='.'; l++){}
    if( l==s || l-s>63 || z[s]=='-' || z[l-1]=='-' ) return 0;
    labels++;
    tld = s;
  }
  if( labels<2 ) return 0;
  if( e-tld>4 && memcmp(z+tld, "xn--", 4)==0 ) return e;
  for(l=tld; l<e; l++) if( !is_alpha((unsigned char)z[l]) ) return 0;
  if( e-tld<2 || tld_is_file(z+tld, e-tld) ) return 0;
  return e;
}

/* An address around the '@' at z[at], its local part not before lo:
** *start and its end, or 0.  *next: where the scan goes on (past the '@'
** only when there is no address: the digits and colons of a domain that
** is not one are read again; no byte is read by two domain scans, as '@'
** ends a domain). */
static size_t match_email(const char *z, size_t n, size_t at, size_t lo,
                          size_t *start, size_t *next){
  size_t s = at, e, i;
  *next = at+1;
  while( s>lo && at-s<=64 && is_local((unsigned char)z[s-1]) ) s--;
  if( at-s>64 ) return 0;
  while( s<at && !is_alnum((unsigned char)z[s]) ) s++;  /* quotes, brackets */
  /* the local part ends as addresses do, not as "x.com/@user" */
  if( s==at || !(is_alnum((unsigned char)z[at-1]) || z[at-1]=='_'
                 || z[at-1]=='-' || z[at-1]=='+') ){
    return 0;
  }
  for(i=s; i+1<at; i++) if( z[i]=='.' && z[i+1]=='.' ) return 0;
  e = email_domain(z, n, at+1);
  if( e==0 || (e<n && z[e]=='_') ) return 0;    /* "a@example.com_x" */
  *start = s;
  *next = e;
  return e;
}

/* ---- The scan ---------------------------------------------------------------- */

/* The bytes the scan stops at. */
static const unsigned char pii_stop[256] = {
  ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
  ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, [':'] = 1, ['@'] = 1,
};

typedef struct pii_scan {
  const char *z;
  size_t n;
  const pii_opts *o;
  size_t pos;          /* where the scan goes on */
  size_t last;         /* end of the last span found (no span starts before) */
  size_t run_end;      /* inside a number run that matched nothing */
  size_t dead_end;     /* inside an ISBN, a version or a near-miss IBAN */
  size_t v6_dead;      /* inside a run of IPv6 characters too long for one */
} pii_scan;

typedef struct pii_span { int kind; size_t start, end; } pii_span;

static void pii_scan_init(pii_scan *sc, const char *z, size_t n,
                          const pii_opts *o){
  memset(sc, 0, sizeof(*sc));
  sc->z = z;
  sc->n = n;
  sc->o = o;
}

/* An IPv6 address around the ':' at z[c], with at least two hextets and
** five hex digits written (not "a::b", "ab::cd", "::1"): its start and
** end, or 0.  The run of address characters is read at most 46 bytes
** past c (no address is longer), so that a scan that tries each ':' of a
** run again stays linear; *dead: the run's end when it reaches more than
** 45 bytes before c (no ':' up to there has an address around it). */
static size_t match_ipv6(const char *z, size_t n, size_t c, size_t lo,
                         size_t *start, size_t *dead, unsigned char *a){
  size_t s = c, e = c, k;
  int written, digits = 0, decimal = 0;
  while( s>lo && c-s<=45 && is_v6((unsigned char)z[s-1]) ) s--;
  while( e<n && e-c<=46 && is_v6((unsigned char)z[e]) ) e++;
  if( c-s>45 ){
    while( e<n && is_v6((unsigned char)z[e]) ) e++;
    *dead = e;
    return 0;
  }
  if( s>0 && (is_alnum((unsigned char)z[s-1]) || z[s-1]=='_'
              || (s==lo && is_v6((unsigned char)z[s-1]))) ){
    return 0;
  }
  while( e>s && z[e-1]=='.' ) e--;
  if( e-s>=2 && z[e-1]==':' && z[e-2]!=':' ) e--;    /* "at 2001:db8::1:" */
  if( e-s>45 || e-s<3 ) return 0;
  if( e<n && (is_alnum((unsigned char)z[e]) || z[e]=='_') ) return 0;
  if( v6_parse(z+s, e-s, a, &written) || written<2 ) return 0;
  for(k=s; k<e; k++){
    digits += is_hex((unsigned char)z[k]);
    decimal += is_digit((unsigned char)z[k]);
  }
  if( digits<5 ) return 0;               /* "a::b", "ab::cd": code */
  /* two hextets of hex letters only are scope names ("Face::Add") */
  if( decimal==0 && written<3 ) return 0;
  *start = s;
  return e;
}

/* At the digit z[i]: a match among the number kinds, or 0. */
static size_t match_number(pii_scan *sc, size_t i, size_t *start, int *kind){
  const char *z = sc->z;
  size_t n = sc->n, e;
  /* the left context is the text's, not cut at the last span's end: a
  ** span may not start before that end, but the bytes before it count */
  int prev = i>0 ? (unsigned char)z[i-1] : -1;
  int retry = i<sc->run_end;
  num_run r;
  unsigned char a[4];
  *start = i;
  if( i<sc->dead_end ) return 0;
  /* an IBAN: two letters before, as a word's start */
  if( i>=sc->last+2 && is_alpha((unsigned char)z[i-2]) && is_alpha(prev)
   && i+1<n && is_digit((unsigned char)z[i+1])
   && (i==2 || !is_alnum((unsigned char)z[i-3])) ){
    size_t scanned;
    e = match_iban(z, n, i-2, &scanned);
    if( e ){
      *start = i-2;
      *kind = PII_IBAN;
      return e;
    }
    /* all of an IBAN's length but not valid: its groups are no number */
    if( scanned>i-2 ){
      sc->dead_end = scanned;
      return 0;
    }
  }
  if( prev=='+' && i>=sc->last+1 ){
    int pp = i>1 ? (unsigned char)z[i-2] : -1;
    /* "(+44) 20 7946 0958": the country code in parentheses */
    int ccparen = pp=='(' && i>=sc->last+2;
    if( !num_left_ok(pp) ) return 0;
    num_read(z, n, i, ccparen, &r);
    if( ccparen && !r.paren[0] ){
      ccparen = 0;                  /* "(+44 20 7946 0958)": from the '+' */
    }else if( ccparen && !num_left_ok(i>2 ? (unsigned char)z[i-3] : -1) ){
      return 0;
    }
    e = match_intl(z, n, &r, ccparen);
    if( e ){
      *start = i-1-ccparen;
      *kind = PII_PHONE;
      return e;
    }
    /* a signed number, or too long for E.164: no phone number inside */
    sc->dead_end = r.end[r.ng-1];
    return 0;
  }
  if( prev=='(' && i>=sc->last+1 ){
    int pp = i>1 ? (unsigned char)z[i-2] : -1;
    num_read(z, n, i, 1, &r);
    if( r.paren[0] ){
      if( num_left_ok(pp) && ((e = match_nanp(z, n, &r))!=0
                              || (e = match_trunk(z, n, &r))!=0) ){
        *start = i-1;
        *kind = PII_PHONE;
        return e;
      }
      sc->run_end = r.end[r.ng-1];
      return 0;
    }
  }else{
    if( !num_left_ok(prev) ) return 0;
    num_read(z, n, i, 0, &r);
  }
  if( !retry && isbn_cue(z, i, 0) ){
    sc->dead_end = r.end[r.ng-1];
    return 0;
  }
  if( (e = match_ipv4(z, n, &r, a))!=0 ){
    if( !version_cue(z, i, 0) && (sc->o->all_ips || v4_global(a)) ){
      *kind = PII_IP;
      return e;
    }
    /* a version, or an address left alone: not a number of another kind */
    sc->dead_end = e;
    return 0;
  }
  if( !retry && (e = match_card(z, n, &r))!=0 ){
    *kind = PII_CARD;
    return e;
  }
  /* not inside a longer run of numbers one space apart: "sizes 128 256
  ** 512 1024" has no phone from its 256 ("5.2 287-949-5783" has one) */
  if( !(retry && prev==' ' && is_digit((unsigned char)z[i-2])
        && r.ng>1 && r.sep[1]==' ')
   && ((e = match_nanp(z, n, &r))!=0 || (e = match_trunk(z, n, &r))!=0) ){
    *kind = PII_PHONE;
    return e;
  }
  if( !retry ) sc->run_end = r.end[r.ng-1];
  return 0;
}

/* The next span of any kind (before kinds= filters it): 1 with *sp, or 0
** at the end of the text. */
static int pii_next_any(pii_scan *sc, pii_span *sp){
  const char *z = sc->z;
  size_t n = sc->n, i = sc->pos;
  while( i<n ){
    size_t s, e, next;
    unsigned char c;
    while( i<n && !pii_stop[(unsigned char)z[i]] ) i++;
    if( i>=n ) break;
    c = (unsigned char)z[i];
    if( c=='@' ){
      e = match_email(z, n, i, sc->last, &s, &next);
      if( e ){
        sp->kind = PII_EMAIL;
        goto found;
      }
      i = next;
    }else if( c==':' ){
      unsigned char a[16];
      e = i<sc->v6_dead ? 0
            : match_ipv6(z, n, i, sc->last, &s, &sc->v6_dead, a);
      if( e && (sc->o->all_ips || v6_global(a)) ){
        sp->kind = PII_IP;
        goto found;
      }
      /* past an address left alone (no IPv4 address inside it is read);
      ** after no address, on at the next byte: "IP:8.8.8.8" */
      i = e ? e : i+1;
    }else{
      int kind;
      e = match_number(sc, i, &s, &kind);
      if( e ){
        sp->kind = kind;
        goto found;
      }
      /* past this group of digits (and letters: a word, a hash) */
      while( i<n && is_alnum((unsigned char)z[i]) ) i++;
    }
    continue;
  found:
    sp->start = s;
    sp->end = e;
    sc->pos = sc->last = e;
    return 1;
  }
  sc->pos = n;
  return 0;
}

/* The next span of a kind kinds= asks for. */
static int pii_next(pii_scan *sc, pii_span *sp){
  while( pii_next_any(sc, sp) ){
    if( sc->o->kinds & (1u<<sp->kind) ) return 1;
  }
  return 0;
}

/* ---- SQL: pii_redact() ------------------------------------------------------- */

/* pii_redact(text [, options]) -> the text with each span replaced. */
static void pii_redact_func(sqlite3_context *ctx, int argc,
                            sqlite3_value **argv){
  pii_opts o;
  pii_scan sc;
  pii_span sp;
  corpus_buf b = {0, 0, 0};
  const char *z;
  size_t n, done = 0;
  int valid, found;
  int (*append)(corpus_buf*, const char*, size_t);
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "pii_redact", "text", argv[0]) ) return;
  pii_opts_init(&o);
  /* the options are read as a C string: a NUL would cut a replacement */
  if( argc>1 && sqlite3_value_type(argv[1])==SQLITE_TEXT
   && corpus_text_has_nul(argv[1]) ){
    corpus_result_error(ctx, "pii_redact", "options must not hold a NUL byte");
    return;
  }
  if( argc>1 && corpus_apply_options(ctx, "pii_redact", argv[1],
                                     pii_option, &o) ){
    return;
  }
  z = (const char*)sqlite3_value_text(argv[0]);
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if( z==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  pii_scan_init(&sc, z, n, &o);
  valid = corpus_utf8_valid(z, n);
  found = pii_next(&sc, &sp);
  if( !found && valid ){
    sqlite3_result_value(ctx, argv[0]);       /* the text as it is */
    return;
  }
  /* a valid text is copied as it is between the spans; an invalid one
  ** with U+FFFD for each invalid part (no sequence crosses a span's
  ** edge: spans are ASCII) */
  append = valid ? corpus_buf_append : corpus_buf_append_utf8;
  for(; found; found = pii_next(&sc, &sp)){
    const char *r = o.repl[sp.kind];
    if( append(&b, z+done, sp.start-done)
     || corpus_buf_append_utf8(&b, r, strlen(r)) ){
      goto nomem;
    }
    done = sp.end;
  }
  if( append(&b, z+done, n-done) ) goto nomem;
  if( b.z==0 ){
    sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
  }else{
    sqlite3_result_text64(ctx, b.z, b.n, corpus_free, SQLITE_UTF8);
  }
  return;
nomem:
  corpus_free(b.z);
  sqlite3_result_error_nomem(ctx);
}

/* ---- SQL: pii_spans() -------------------------------------------------------- */

typedef struct pii_cursor {
  corpus_tvf_cursor base;
  char *z;                 /* copy of the text */
  pii_opts o;
  pii_scan sc;
  pii_span sp;             /* the current row */
} pii_cursor;

static void pii_cursor_reset(corpus_tvf_cursor *cur){
  pii_cursor *c = (pii_cursor*)cur;
  corpus_free(c->z);
  c->z = 0;
}

static int pii_step(pii_cursor *c){
  if( pii_next(&c->sc, &c->sp) ) c->base.nrow = c->base.row+1;
  else c->base.nrow = c->base.row;
  return SQLITE_OK;
}

static int pii_spans_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  pii_cursor *c = (pii_cursor*)cur;
  const char *z;
  size_t n;
  int rc, t;
  cur->row = cur->nrow = 0;
  if( args[0]==0 || (t = sqlite3_value_type(args[0]))==SQLITE_NULL ){
    return SQLITE_OK;
  }
  if( t!=SQLITE_TEXT ){
    return corpus_tvf_error(cur, "text must be TEXT, got %s",
                            corpus_type_name(t));
  }
  pii_opts_init(&c->o);
  if( args[1] ){
    if( sqlite3_value_type(args[1])==SQLITE_TEXT
     && corpus_text_has_nul(args[1]) ){
      return corpus_tvf_error(cur, "options must not hold a NUL byte");
    }
    rc = corpus_tvf_options(cur, args[1], pii_option, &c->o);
    if( rc ) return rc;
  }
  z = (const char*)sqlite3_value_text(args[0]);
  if( z==0 ) return SQLITE_NOMEM;
  n = (size_t)sqlite3_value_bytes(args[0]);
  c->z = corpus_realloc(0, n+1);
  if( c->z==0 ) return SQLITE_NOMEM;
  memcpy(c->z, z, n);
  c->z[n] = 0;
  pii_scan_init(&c->sc, c->z, n, &c->o);
  return pii_step(c);
}

static int pii_spans_next(corpus_tvf_cursor *cur){
  cur->row++;
  return pii_step((pii_cursor*)cur);
}

static int pii_spans_column(corpus_tvf_cursor *cur, sqlite3_context *ctx,
                            int col){
  pii_cursor *c = (pii_cursor*)cur;
  const pii_span *sp = &c->sp;
  switch( col ){
    case 0: sqlite3_result_text(ctx, pii_kind_name[sp->kind], -1,
                                SQLITE_STATIC); break;
    case 1: sqlite3_result_int64(ctx, (sqlite3_int64)sp->start); break;
    case 2: sqlite3_result_int64(ctx, (sqlite3_int64)sp->end); break;
    default:
      /* every kind matches ASCII only: the span is valid UTF-8 */
      sqlite3_result_text64(ctx, c->z+sp->start, sp->end-sp->start,
                            SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  return SQLITE_OK;
}

static const char *const pii_spans_args[] = {"text", "options"};
static const corpus_tvf pii_spans_tvf = {
  "pii_spans",
  "CREATE TABLE x(kind TEXT, start INTEGER, end INTEGER, text TEXT, "
  "input HIDDEN, options HIDDEN)",
  4, 2, 1, pii_spans_args, SQLITE_VTAB_INNOCUOUS, sizeof(pii_cursor),
  pii_spans_filter, pii_spans_column, pii_cursor_reset, pii_spans_next, 0
};

static const corpus_sql pii_sql[] = {
  CORPUS_SCALAR("pii_redact", 1, CORPUS_PURE, pii_redact_func),
  CORPUS_SCALAR("pii_redact", 2, CORPUS_PURE, pii_redact_func),
  CORPUS_TABLE_FUNCTION("pii_spans", &pii_spans_tvf),
};

int corpus_pii_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, pii_sql, CORPUS_COUNT(pii_sql), pzErr);
}
