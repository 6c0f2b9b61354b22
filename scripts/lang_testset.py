#!/usr/bin/python3
"""Builds the multilingual test set of lang_id (bench/lang.tcl, test/lang01).

The texts are the translations in the machine's gettext catalogs
(/usr/share/locale/LANG/LC_MESSAGES/*.mo, read directly: the .mo format is
a table of (msgid, msgstr) pairs), whose language is known from the
catalog's directory, and English from their msgids.  A msgstr equal to its
msgid (left untranslated) is dropped, and so are strings that are mostly
not letters (format strings, paths, option lists).  Each language's strings
are shuffled with a fixed seed and cut into samples of three sizes (up
to N of each; a language with fewer than N/2 of a size is left out):

  short   one string of 20 to 60 characters (a line)
  medium  strings joined with spaces up to ~200 characters, cut at a space
  long    strings joined with spaces up to ~1,000 characters, cut at a space

Every string is used once, so no two samples share text.  Output: TSV
lines LANG<TAB>BAND<TAB>TEXT<TAB>SOURCES (white space in texts made single
spaces; SOURCES the gettext domains the text came from, comma-separated).

  /usr/bin/python3 scripts/lang_testset.py [-per N] [-seed S] [-bands B,B]

-per N (default 100) samples of each size and language, -seed S (default
14), -bands short,medium,long (the default: all three) the sizes written.

The texts are those of the Debian packages installed (their translations
are under each package's licence, GPL or LGPL mostly); the set changes
with the installed packages, so figures name the machine they came from.
"""
import glob, random, re, struct, sys, unicodedata

# directory name -> ISO 639-1 (the catalogs' regional variants merged)
LANGS = {
    'ar': 'ar', 'be': 'be', 'bg': 'bg', 'ca': 'ca', 'cs': 'cs', 'da': 'da',
    'de': 'de', 'el': 'el', 'eo': 'eo', 'es': 'es', 'et': 'et', 'eu': 'eu',
    'fa': 'fa', 'fi': 'fi', 'fr': 'fr', 'ga': 'ga', 'gl': 'gl', 'he': 'he',
    'hi': 'hi', 'hr': 'hr', 'hu': 'hu', 'id': 'id', 'it': 'it', 'ja': 'ja',
    'ka': 'ka', 'ko': 'ko', 'lt': 'lt', 'lv': 'lv', 'ms': 'ms', 'nb': 'no',
    'nl': 'nl', 'pl': 'pl', 'pt': 'pt', 'pt_BR': 'pt', 'ro': 'ro',
    'ru': 'ru', 'sk': 'sk', 'sl': 'sl', 'sr': 'sr', 'sv': 'sv', 'ta': 'ta',
    'th': 'th', 'tr': 'tr', 'uk': 'uk', 'vi': 'vi', 'zh_CN': 'zh',
    'zh_TW': 'zh',
}
BANDS = (('short', 20, 60), ('medium', 200, 200), ('long', 1000, 1000))

FORMAT = re.compile(r'%(\([^)]*\))?[-+ #0\'I]*(\*|\d+)?(\.(\*|\d+))?'
                    r'(hh|h|ll|l|L|q|j|z|t|I64|\$)?[diouxXeEfFgGaAcsSpnm%]'
                    r'|\{[^{}]*\}|<[^<>]*>|\$\w+|\\[nt]')


def mo_pairs(path):
    """(msgid, msgstr) of a .mo file, as text; nothing for a bad file."""
    try:
        data = open(path, 'rb').read()
    except OSError:
        return
    if len(data) < 28:
        return
    for order in '<>':
        magic, _, n, oo, to = struct.unpack(order + '5I', data[:20])
        if magic == 0x950412de:
            break
    else:
        return
    for i in range(n):
        try:
            ln, lo = struct.unpack(order + '2I', data[oo + 8*i:oo + 8*i + 8])
            tn, to_ = struct.unpack(order + '2I', data[to + 8*i:to + 8*i + 8])
            mid = data[lo:lo + ln].split(b'\0')[0].decode('utf-8')
            mstr = data[to_:to_ + tn].split(b'\0')[0].decode('utf-8')
        except (struct.error, UnicodeDecodeError):
            continue
        if mid:
            yield mid, mstr


def clean(s):
    s = FORMAT.sub(' ', s)
    s = s.replace('_', '').replace('&', '')
    s = ' '.join(s.split())
    letters = sum(c.isalpha() or unicodedata.category(c)[0] == "M" for c in s)
    if len(s) < 20 or letters < 0.75 * len(s) - s.count(' '):
        return None
    return s


def strings(dirs, english=False):
    seen, out = set(), []
    for d in dirs:
        for mo in sorted(glob.glob('/usr/share/locale/%s/LC_MESSAGES/*.mo' % d)):
            for mid, mstr in mo_pairs(mo):
                if mstr == mid or not mstr:
                    continue
                t = clean(mid if english else mstr)
                if t and t not in seen:
                    seen.add(t)
                    out.append((t, mo.split('/')[-1][:-3]))
    return out


def cut(parts, size):
    """Joins parts until size characters, cut at the last space before it;
    with the catalogs they came from."""
    s, src = '', []
    while parts and len(s) < size:
        t, d = parts.pop()
        s = (s + ' ' + t).strip()
        if d not in src:
            src.append(d)
    if len(s) < size:
        return None
    k = s.rfind(' ', 0, size + 1)
    return (s[:k] if k > size // 2 else s[:size]), ','.join(src)


def main():
    per, seed, keep = 100, 14, [b[0] for b in BANDS]
    args = sys.argv[1:]
    while len(args) >= 2:
        if args[0] == '-per':
            per = int(args[1])
        elif args[0] == '-seed':
            seed = int(args[1])
        elif args[0] == '-bands':
            keep = args[1].split(',')
        else:
            break
        args = args[2:]
    if args:
        sys.exit('usage: lang_testset.py [-per N] [-seed S] [-bands B,B]')
    by_lang = {}
    for d, code in LANGS.items():
        by_lang.setdefault(code, []).append(d)
    out = sys.stdout
    for code in sorted(list(by_lang) + ['en']):
        pool = strings(['de'], english=True) if code == 'en' \
            else strings(by_lang[code])
        rnd = random.Random('%s-%d' % (code, seed))
        rnd.shuffle(pool)
        short = [s for s in pool if len(s[0]) <= 60]
        rest = [s for s in pool if len(s[0]) > 60]
        rows = []
        for band, lo, hi in BANDS:
            for _ in range(per):
                if band == 'short':
                    t = short.pop() if short else None
                else:
                    t = cut(rest, lo)
                if t is None:
                    break
                rows.append((band, t))
        least = min(sum(1 for r in rows if r[0] == b) for b, _, _ in BANDS)
        if least < per // 2:
            print('lang_testset: %s: only %d samples of a size, left out' %
                  (code, least), file=sys.stderr)
            continue
        for band, (t, src) in rows:
            if band in keep:
                out.write('%s\t%s\t%s\t%s\n' % (code, band, t, src))


if __name__ == '__main__':
    main()
