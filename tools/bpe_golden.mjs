// bpe_golden.mjs: golden token ids for the BPE parity tests, made by the
// reference implementation, the npm package `tiktoken` (OpenAI's Rust core
// compiled to WASM).
//
//   node tools/bpe_golden.mjs [--modules DIR] [--corpora DIR] [--out DIR]
//
// DIR defaults: --modules /tmp/tk/node_modules (where `npm install tiktoken`
// ran), --corpora /tmp/corpora (scripts/corpora.sh's output, CORPORA_DIR),
// --out test/data/bpe.  Writes golden-<encoding>.tsv for r50k_base,
// p50k_base, cl100k_base and o200k_base.  One line per case:
//
//   JSON string TAB JSON array of ids                 encode_ordinary(text)
//   JSON string TAB JSON array of ids TAB all         encode(text, 'all')
//
// In the JSON strings, characters above U+FFFF are escaped as surrogate
// pairs (see jsonString below); everything else is as JSON.stringify writes
// it (control characters escaped, so a line never holds a raw TAB or newline).
//
// Every input is valid UTF-8 (no lone surrogates) and has no NUL.  The
// output is deterministic: the same inputs (fixed seed, corpus lines picked
// by position) give the same files.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
function opt(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}
const MODULES = opt('--modules', '/tmp/tk/node_modules');
const CORPORA = opt('--corpora', '/tmp/corpora');
const OUT = opt('--out', 'test/data/bpe');
const require = createRequire(path.join(path.resolve(MODULES), '..', 'x.js'));
const { get_encoding } = require('tiktoken');
const TIKTOKEN_VERSION = JSON.parse(fs.readFileSync(
  path.join(path.dirname(require.resolve('tiktoken')), 'package.json'), 'utf8')).version;

// ---- deterministic PRNG (mulberry32) ---------------------------------------
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, a) => a[Math.floor(r() * a.length)];

// ---- the cases --------------------------------------------------------------
const cases = [];      // [text, specials?]
const seen = new Set();
function add(s, specials = false) {
  if (typeof s !== 'string' || s.length === 0) return;
  if (s.includes('\0')) return;
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)) return;
  const key = (specials ? 'S' : 'O') + s;
  if (seen.has(key)) return;
  seen.add(key);
  cases.push([s, specials]);
}

// English prose
[
  'hello world',
  'Hello, world!',
  'The quick brown fox jumps over the lazy dog.',
  'It was the best of times, it was the worst of times.',
  'SQLite is a C-language library that implements a small, fast, self-contained, high-reliability, full-featured, SQL database engine.',
  'In 1492, Columbus sailed the ocean blue.',
  'She sells sea shells by the sea shore; the shells she sells are surely seashells.',
  'A tokenizer splits text into pieces, then merges byte pairs by rank.',
  'Mr. and Mrs. Dursley, of number four, Privet Drive, were proud to say that they were perfectly normal, thank you very much.',
  'To be, or not to be, that is the question:\nWhether \'tis nobler in the mind to suffer\nThe slings and arrows of outrageous fortune,',
  'E-mail me at john.doe@example.com or call +1 (555) 123-4567.',
  'The price rose 3.5% to $1,234.56 on 2024-01-15 at 09:30:00 UTC.',
  'Dr. Smith\'s patients — all 42 of them — waited.',
  '“Smart quotes” and ‘single ones’ and «guillemets» and „German“ ones.',
  'Don\'t stop believin\'! Hold on to that feelin\'.',
  'ALL CAPS SENTENCE WITH SOME WORDS IN IT.',
  'lowercase sentence with no punctuation at all',
  'Title Case Sentence For Headlines',
  ' leading space',
  'trailing space ',
  '  two leading spaces and two trailing  ',
].forEach((s) => add(s));

// code
[
  'int main(void){ return 0; }',
  '#include <stdio.h>\n\nint main(int argc, char **argv) {\n    printf("hello, %s\\n", argv[0]);\n    return 0;\n}\n',
  'def f(x):\n    """Docstring."""\n    if x > 0:\n        return x ** 2\n    return -x\n',
  'SELECT id, count(*) AS n FROM docs WHERE lang = \'en\' GROUP BY id HAVING n > 1 ORDER BY n DESC LIMIT 10;',
  '{"key": [1, 2.5, -3e10, true, null], "nested": {"a": "b"}}',
  '<html><head><title>Test</title></head><body class="main">\n  <p>Hi &amp; bye</p>\n</body></html>',
  'for (let i = 0; i < arr.length; i++) { sum += arr[i] * 2; }',
  'const getHTTPResponseCode = async (url) => await fetch(url).then(r => r.status);',
  'fn main() -> Result<(), Box<dyn Error>> { let v: Vec<u8> = vec![0; 16]; Ok(()) }',
  '$ ls -la /usr/local/bin | grep -v "^d" | wc -l\n',
  'x=1;y=2;z=x+y;echo $((z*3))',
  'if (a != b && c >= d || !e) { a <<= 2; b >>= 1; c ^= d; }',
  '// comment\n/* block\n   comment */\n',
  'path/to/some/file_name-v2.tar.gz',
  'https://www.example.com/search?q=byte+pair+encoding&lang=en#results',
  'C:\\Users\\Admin\\Documents\\file.txt',
  '\tindented with a tab\n\t\tand two tabs\n',
  'snake_case_identifier and kebab-case-identifier and SCREAMING_SNAKE_CASE',
  '0x1F 0xDEADBEEF 0b1010 0o777 1e-9 6.02214076e23',
  'a+b-c*d/e%f=g<h>i!j?k@l#m$n^o&p|q~r`s',
].forEach((s) => add(s));

// numbers of many lengths (digit grouping: cl100k/o200k split into groups of 3)
{
  const digits = '31415926535897932384626433832795028841971693993751';
  for (let n = 1; n <= 24; n++) add(digits.slice(0, n));
  for (let n = 1; n <= 12; n++) add(' ' + digits.slice(0, n));
  for (const n of [30, 40, 50]) add(digits.slice(0, n));
  [
    '0', '00', '000', '0000', '007', '1000', '10000', '100000', '1000000',
    '1,000,000', '1.000.000', '1 000 000', '3.14159', '-42', '+42', '42nd',
    '1st 2nd 3rd 4th', 'v1.2.3', '2024-01-15', '12:34:56', '192.168.0.1',
    '$9.99', '50%', '1/2', '3x4', 'abc123def', 'x123456y', '123abc', 'a1b2c3',
    'room 101', 'in 1999 and 2000', '12345 67890', '1234567890123',
    '١٢٣٤٥', '१२३४५', '１２３４５', '²³¹', 'Ⅻ', '½ ¾', '๑๒๓', '一二三',
    '𝟙𝟚𝟛',
  ].forEach((s) => add(s));
}

// contractions, upper and lower case
[
  "I'm", "I'M", "i'm", "they'll", "they'LL", "THEY'LL", "We've", "WE'VE",
  "we'Ve", "you're", "YOU'RE", "You'Re", "she's", "SHE'S", "she'S", "it'd",
  "IT'D", "don't", "DON'T", "Don'T", "can't", "won't", "'s", "'S", "'t", "'ll",
  "'LL", "''s", "'''", "it's'", "O'Neil's", "rock 'n' roll", "the dogs' bones",
  "John's", "JOHN'S", "JoHn'S", "y'all", "ma'am", "'tis", "’s", "I’M",
  "l'homme", "L'HOMME", "aujourd'hui", "d'accord", "x'sy", "5's", "'90s",
  " 's", " 'S", "'re'", "'ve'll", "'m 'd",
].forEach((s) => add(s));

// whitespace runs of every kind
{
  const ws = [' ', '\t', '\n', '\r', '\r\n', '\v', '\f', '\u00a0', '\u2003',
    '\u3000', '\u2028', '\u0085', '\u200b'];
  for (const w of ws) {
    for (const k of [1, 2, 3]) {
      const run = w.repeat(k);
      add(run);
      add('a' + run + 'b');
      if (k !== 2) { add('a' + run); add(run + 'b'); }
    }
  }
  [
    '\n\n\n', '\n\n\n\n\n\n', ' \n', '  \n', ' \n ', '\n ', '\n  x',
    'x \nx', 'x  \n  x', 'x\t\n\tx', 'a \r\n b', '\r\n\r\n', 'line1\r\nline2\r\n',
    'a\n\nb', 'a\n\n\nb', 'end of line  \n', 'word   ', 'word    word',
    '   word', ' \t \t ', '\t\t\tx', ' \u00a0 x', 'x\u00a0\u00a0', ' \n\n ',
    '.\n', '. \n', '!\n\n', '?\r\n', ':\n  ', ')\n\n\n', ' )\n', '}\n}\n',
    'a  b   c    d     e', '  \r\n  x', '\n\r', '\r\r\n', 'x\r', ' \r',
  ].forEach((s) => add(s));
  for (let n = 4; n <= 40; n += 3) add(' '.repeat(n));
  for (let n = 2; n <= 30; n += 4) add('x' + ' '.repeat(n) + 'y');
  for (let n = 2; n <= 20; n += 6) add('\t'.repeat(n) + 'y');
}

// punctuation runs
[
  '!!!', '...', '……', '?!?!', '---', '—', '–', '->', '=>', '<=>', '::', ':::',
  '/* */', '//', '///', '////', ' //\n', 'a//b', ' ...\n', '...\r\n', '!!!\n\n',
  '***', '###', '"""', "'''", '(((', ')))', '[[]]', '{{}}', '<<>>', '~~~',
  '@@@', '$$$', '%%%', '^^^', '&&&', '|||', '\\\\', '__init__', '__', '_',
  '.,;:!?', '¡¿', '«»', '«Hello»', '・・・', '。。。', '、', '!?"\'#$%&',
  'a.b.c', 'end.', 'end...', '"quoted"', "('x')", '[1]', 'f(x)', '=== ===',
  '* * *', '- - -', '. . .', ' / ', ' /\n', 'x /\ny', 'http://', '://',
].forEach((s) => add(s));

// emoji, ZWJ sequences, symbols
[
  '😀', '😀😀😀', 'hi 😀', '😀 hi', '👍🏽', '👍🏽👍🏿', '👨‍👩‍👧‍👦', '👩‍💻',
  '🏳️‍🌈', '🏴‍☠️', '🇫🇷🇩🇪🇯🇵', '1️⃣2️⃣', '❤️', '❤', '☃', '★☆', '✓✗',
  '🤖 bot', 'emoji🙂inside', '🧑🏾‍🤝‍🧑🏻', '©®™', '€£¥₹₽', '∀x∈ℝ: x²≥0',
  '♠♣♥♦', '→←↑↓', '░▒▓█', '⌘⌥⇧', '🎉🎊', '🫠',
].forEach((s) => add(s));

// other scripts
[
  '你好，世界！', '我爱北京天安门。', '中文分词是一个难题，因为没有空格。',
  '日本語のテキストです。', 'ひらがなとカタカナとカンジ', '東京都渋谷区',
  '안녕하세요, 세계!', '한국어 문장입니다.',
  'مرحبا بالعالم', 'اللغة العربية جميلة.', 'كتب الطالب الدرس في ١٢ يوماً',
  'שלום עולם', 'नमस्ते दुनिया', 'हिन्दी एक भाषा है।', 'क्षत्रिय',
  'สวัสดีชาวโลก', 'ภาษาไทยไม่มีช่องว่างระหว่างคำ',
  'Привет, мир!', 'Съешь же ещё этих мягких французских булок.',
  'ПРИВЕТ МИР', 'Україна', 'Ελληνικά γράμματα', 'ΣΊΣΥΦΟΣ', 'Σίσυφος',
  'ქართული ენა', 'Հայերեն', 'বাংলা ভাষা', 'தமிழ் மொழி', 'ಕನ್ನಡ', 'ગુજરાતી',
  'Tiếng Việt có dấu', 'Türkçe ığüşöç İI', 'Polski: zażółć gęślą jaźń',
  'Čeština: příliš žluťoučký kůň', 'Ærø Ørsted Åse', 'straße STRASSE ẞ',
  'ﬁﬂ ligatures', 'Ｆｕｌｌｗｉｄｔｈ', 'ｶﾀｶﾅ', 'ᚠᛇᚻ', 'ꦗꦮ', 'ⴰⵣⵓⵍ',
  'English 中文 mixed 日本語 text', 'Hello мир 世界 عالم',
].forEach((s) => add(s));

// accented Latin in NFC and NFD
[
  'café', 'naïve', 'Ångström', 'Zürich', 'façade', 'résumé', 'crème brûlée',
  'São Paulo', 'Ñandú', 'Åland', 'Ōsaka', 'ĉapelo', 'Dvořák', 'Łódź',
  'ÉCOLE', 'Élan', 'ÀÉÎÕÜ', 'ǅemal', 'ǈ', 'ǋ',
].forEach((s) => {
  add(s.normalize('NFC'));
  add(s.normalize('NFD'));
});
add('e\u0301\u0301\u0301');
add('a\u0308\u0323');
add('\u0301start');
add('Z\u0351\u0352\u0357\u0358a\u0360\u0361l\u0362g\u0363o');

// mixed case, CamelCase (o200k's case rules)
[
  'CamelCase', 'camelCase', 'XMLHttpRequest', 'getHTTPResponseCode',
  'iPhone', 'iPHONE', 'McDonald', 'MacBookPro', 'ABCdef', 'abcDEF', 'HelloWORLD',
  'HELLOworld', 'aBcDeF', 'AbCdEf', 'PDFFile', 'IOError', 'NaN', 'JSONParser',
  'toString', 'ToString', 'TOSTRING', 'userID', 'UserId', 'parseURLString',
  'OAuth2Token', 'Base64Encode', 'ÉcoleNormale', 'ПриветМир', 'ΑλφαΒήτα',
  'DON\'T', 'Don\'t', 'JOHN\'S', 'John\'S', 'McDONALD\'S', 'CamelCase\'s',
  'HTTPServer\'ll', 'aÉb', 'ÀÀàà', 'ǅǅ', 'ǲa', 'Aʰb', 'ʰʰ', 'Aªb',
].forEach((s) => add(s));

// pre-tokeniser edge cases: an optional non-letter before letters, a
// contraction versus a word starting with an apostrophe, symbols followed by
// newlines or slashes (o200k), numbers against letters
[
  "'sup", "'start", "'llama", "'District", "'T'", "'Sup", "'s'", "x'sup",
  '$var', '@user', '#tag', '(word', '\tword', '\nword', '.NET', '-flag',
  '--long-option', '"quoted', '«mot', '¿Qué?', '¡Hola!', '_private',
  '...//', 'x.//\n', ' ://\n\n', '!/\n', ' )/\r\n', '*/\n', ' ;\n\n\n',
  '1abc', 'abc1', 'a1', 'A1B2', '12ab34', '1.5x', 'x²', 'H₂O', 'CO2',
  '\u00a0word', '\u3000単語', '\u200bword', 'word\u200b', '\u2028x',
  'a\u0301', 'Á', '\u0301', '\u0301\u0301a', 'ß', 'ǅ', 'Ǆǆ', 'ꜳ',
  '\n \nx', ' \n x', '\t\n\t', '\r\n ', ' \r\n', 'x\r\n\r\ny',
].forEach((s) => add(s));

// special-token text: ordinary encoding treats it as text
const specialsText = [
  '<|endoftext|>', 'hello <|endoftext|>', 'a<|endoftext|>b',
  '<|endoftext|><|endoftext|>', '<|endoftext|>\n\nNew document.',
  '<|fim_prefix|>def f(<|fim_suffix|>):\n    pass<|fim_middle|>',
  '<|endofprompt|>', 'prompt<|endofprompt|>answer', '<|endoftext',
  '<|endoftext|', 'endoftext|>', '<| endoftext |>', '<|ENDOFTEXT|>',
  '<|im_start|>user\nhi<|im_end|>', ' <|endoftext|> ',
  '<|<|endoftext|>|>', 'x <|fim_middle|> y <|endoftext|> z',
];
specialsText.forEach((s) => add(s));

// very long runs
add('a'.repeat(5000));
add(' '.repeat(300));
add('\n'.repeat(200));
add('!'.repeat(500));
add('ab'.repeat(700));
add('9'.repeat(1000));
add('あ'.repeat(300));
add('😀'.repeat(100));
add('Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20));

// random Unicode, fixed seed.  Code points come from old, stable blocks
// (assigned long before Unicode 13), skipping anything node calls
// unassigned, so that the reference and utf8proc 2.8 (Unicode 15) agree on
// every character's category.
{
  const r = rng(0x5eed);
  const ranges = [
    [0x20, 0x7e, 8], [0x09, 0x0d, 1], [0xa0, 0x24f, 3], [0x300, 0x36f, 1],
    [0x370, 0x3ff, 1], [0x400, 0x4ff, 2], [0x590, 0x5ff, 1], [0x600, 0x6ff, 1],
    [0x900, 0x97f, 1], [0xe00, 0xe7f, 1], [0x1e00, 0x1eff, 1],
    [0x2000, 0x206f, 1], [0x2070, 0x209f, 1], [0x20a0, 0x20bf, 1],
    [0x2100, 0x214f, 1], [0x2150, 0x218f, 1], [0x2190, 0x23ff, 1],
    [0x2460, 0x24ff, 1], [0x2500, 0x27bf, 1], [0x3000, 0x303f, 1],
    [0x3040, 0x30ff, 2], [0x4e00, 0x9fa5, 3], [0xac00, 0xd7a3, 2],
    [0xff00, 0xffef, 1], [0x1d400, 0x1d7ff, 1], [0x1f300, 0x1f64f, 2],
    [0x10000, 0x1007f, 1], [0xe000, 0xe0ff, 1],
  ];
  const weights = ranges.reduce((s, x) => s + x[2], 0);
  const assigned = /\P{Cn}/u;
  function cp() {
    for (;;) {
      let w = r() * weights, k = 0;
      while (w >= ranges[k][2]) { w -= ranges[k][2]; k++; }
      const [lo, hi] = ranges[k];
      const c = lo + Math.floor(r() * (hi - lo + 1));
      const s = String.fromCodePoint(c);
      if (assigned.test(s)) return s;
    }
  }
  for (let i = 0; i < 70; i++) {
    const n = 1 + Math.floor(r() * 40);
    let s = '';
    for (let j = 0; j < n; j++) s += cp();
    add(s);
  }
}

// real text from the corpora, picked by position with a fixed seed
function readJsonl(file) {
  const p = path.join(CORPORA, file);
  if (!fs.existsSync(p)) {
    console.error(`bpe_golden: ${p} not found (run scripts/corpora.sh)`);
    process.exit(1);
  }
  return fs.readFileSync(p, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
}
{
  const r = rng(20240615);
  function fromDocs(docs, nLines, nChunks) {
    if (docs.length === 0) return;
    let tries = 0, got = 0;
    while (got < nLines && tries++ < 1000) {
      const lines = pick(r, docs).text.split('\n');
      const l = pick(r, lines);
      if (l.trim().length < 3 || l.length > 300) continue;
      const before = cases.length;
      add(l);
      if (cases.length > before) got++;
    }
    tries = 0; got = 0;
    while (got < nChunks && tries++ < 1000) {
      const lines = pick(r, docs).text.split('\n');
      const i = Math.floor(r() * lines.length);
      const s = lines.slice(i, i + 2 + Math.floor(r() * 4)).join('\n') + (r() < 0.5 ? '\n' : '');
      if (s.trim().length < 10 || s.length > 600) continue;
      const before = cases.length;
      add(s);
      if (cases.length > before) got++;
    }
  }
  fromDocs(readJsonl('sqlite-doc.jsonl'), 20, 8);
  fromDocs(readJsonl('spamassassin.jsonl'), 30, 10);
  const man = readJsonl('man.jsonl');
  const byLang = new Map();
  for (const d of man) {
    const parts = d.id.split('/');
    const lang = parts[1].startsWith('man') ? 'en' : parts[1];
    if (!byLang.has(lang)) byLang.set(lang, []);
    byLang.get(lang).push(d);
  }
  for (const lang of ['en', 'de', 'fr', 'es', 'it', 'pl', 'ru', 'uk', 'ja',
    'zh_CN', 'zh_TW', 'ko', 'pt_BR', 'nl', 'sv', 'cs', 'tr']) {
    fromDocs(byLang.get(lang) || [], 5, 2);
  }
}

// specials variant: every special-token string, plus a few without any
for (const s of specialsText) add(s, true);
['hello world', "I'M", '\n\n\n', '<|', '|>', 'plain text, no specials',
  '😀 <|endoftext|> 😀', '<|fim_prefix|><|fim_suffix|><|fim_middle|>'].forEach((s) => add(s, true));

// ---- encode and write ------------------------------------------------------
// JSON, with characters outside the BMP written as surrogate-pair escapes
// ("\ud83d\ude00"): Tcl 8.6 keeps them as surrogate pairs and its sqlite3
// binding would hand SQLite CESU-8, so the tests decode the string inside
// SQLite (json_extract(line, '$') joins the pair into 4-byte UTF-8).
function jsonString(s) {
  return JSON.stringify(s).replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, (p) =>
    '\\u' + p.charCodeAt(0).toString(16) + '\\u' + p.charCodeAt(1).toString(16));
}
const encNames = ['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'];
fs.mkdirSync(OUT, { recursive: true });
const utf8 = new TextEncoder();
for (const name of encNames) {
  const enc = get_encoding(name);
  const out = [];
  for (const [s, specials] of cases) {
    const ids = Array.from(specials ? enc.encode(s, 'all') : enc.encode_ordinary(s));
    // the reference must round-trip its own output
    const back = Buffer.from(enc.decode(Uint32Array.from(ids)));
    if (!back.equals(Buffer.from(utf8.encode(s)))) {
      console.error(`bpe_golden: ${name}: round trip failed for ${JSON.stringify(s)}`);
      process.exit(1);
    }
    out.push(jsonString(s) + '\t' + JSON.stringify(ids) + (specials ? '\tall' : ''));
  }
  enc.free();
  const file = path.join(OUT, `golden-${name}.tsv`);
  fs.writeFileSync(file, out.join('\n') + '\n');
  const nSpecial = cases.filter((c) => c[1]).length;
  console.error(`bpe_golden: ${file}: ${cases.length} cases (${nSpecial} with specials=all), ` +
    `${fs.statSync(file).size} bytes, tiktoken ${TIKTOKEN_VERSION}`);
}
