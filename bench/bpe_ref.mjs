// bpe_ref.mjs: the node side of the BPE benchmark and parity check.
// The reference is the npm package `tiktoken` (OpenAI's Rust core compiled
// to WASM); `js-tiktoken` (pure JS) and `gpt-tokenizer` (pure JS) are the
// other JS implementations timed next to it.  Always encode_ordinary: no
// special tokens (text "<|endoftext|>" is ordinary text).
//
//   node bench/bpe_ref.mjs ids   [--ref R] --enc E FILE
//       For every non-empty line of FILE (JSONL, {"text": ...}), in order,
//       one binary record on stdout (all integers uint32 little-endian):
//         status                 0 ok; 1 no "text" string; 2 text has a
//                                lone surrogate; 3 line not valid UTF-8;
//                                4 line not JSON; 5 the reference threw
//         if status is 0: n, n ids, m, m bytes of JSON text "[id,id,...]"
//       bench/bpe_parity.tcl reads them and compares with the extension.
//   node bench/bpe_ref.mjs serve [--ref R]
//       Reads lines "ENC<TAB>HEX" (HEX: UTF-8 bytes of a text) from stdin,
//       answers each with one line: the JSON array of ids (or "error ...").
//       Used to minimize a mismatching input.
//   node bench/bpe_ref.mjs speed [--refs R,R] [--encs E,E] [--runs N] FILE
//       Times encode over every document of FILE, per encoding and
//       reference, best of N (default 3).  Only the encode loop is timed;
//       the texts are decoded into JS strings before.  Prints lines
//         speed REF ENC DOCS BYTES TOKENS SECONDS
//       (BYTES: UTF-8 bytes of the texts; TOKENS: the sum of the counts).
//   node bench/bpe_ref.mjs patho [--refs R,R] [--encs E,E] --n N [--kinds K,K]
//       Times one encode of a run of N copies of one character, kinds
//       a (letter), cjk (U+4E2D), space; prints lines
//         patho REF ENC KIND N SECONDS TOKENS JSON
//   node bench/bpe_ref.mjs synth --out FILE
//       Writes a JSONL corpus of synthetic long pieces (runs, random long
//       words in several scripts, long digit and punctuation runs, long
//       white space) that send the extension down its heap merge path
//       (pieces > 128 bytes), which real text rarely takes.  Deterministic.
//
//   --modules DIR   where `npm install tiktoken js-tiktoken gpt-tokenizer`
//                   ran (default /tmp/tk/node_modules)
//   R: tiktoken (default), js-tiktoken, gpt-tokenizer; tiktoken-fault is
//      tiktoken with a deliberate fault (never the token " the"), to test
//      bpe_parity.tcl's mismatch report and minimizer
//   E: r50k_base, p50k_base, cl100k_base, o200k_base (default all four)
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { once } from 'node:events';

const argv = process.argv.slice(2);
const mode = argv.shift();
const opts = { modules: '/tmp/tk/node_modules', ref: 'tiktoken', runs: '3',
  refs: 'tiktoken,js-tiktoken,gpt-tokenizer',
  encs: 'r50k_base,p50k_base,cl100k_base,o200k_base',
  kinds: 'a,cjk,space', n: '100000' };
const files = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i].startsWith('--')) opts[argv[i].slice(2)] = argv[++i];
  else files.push(argv[i]);
}
function die(msg) { process.stderr.write(`bpe_ref.mjs: ${msg}\n`); process.exit(2); }

const require = createRequire(path.join(path.resolve(opts.modules), '..', 'x.js'));
function version(pkg) {
  try {
    const dir = path.join(path.resolve(opts.modules), pkg);
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch { return 'missing'; }
}

// An encoder: {encode(text) -> array-like of ids, free()}.
const GPT_TOKENIZER_NAME = { r50k_base: 'r50k_base', p50k_base: 'p50k_base',
  cl100k_base: 'cl100k_base', o200k_base: 'o200k_base' };
function encoder(ref, enc) {
  if (ref === 'tiktoken') {
    const { get_encoding } = require('tiktoken');
    const e = get_encoding(enc);
    return { encode: (s) => e.encode_ordinary(s), free: () => e.free() };
  }
  if (ref === 'js-tiktoken') {
    const { getEncoding } = require('js-tiktoken');
    const e = getEncoding(enc);
    // allowed [] and disallowed []: special-token text is ordinary text
    return { encode: (s) => e.encode(s, [], []), free: () => {} };
  }
  if (ref === 'gpt-tokenizer') {
    const m = require(`gpt-tokenizer/encoding/${GPT_TOKENIZER_NAME[enc]}`);
    const o = { disallowedSpecial: new Set() };
    return { encode: (s) => m.encode(s, o), free: () => {} };
  }
  if (ref === 'tiktoken-fault') {
    // tiktoken with one deliberate fault, to exercise the mismatch report
    // and the minimizer of bpe_parity.tcl: the token " the" is never made
    // (it comes out as " " and "the").
    const { get_encoding } = require('tiktoken');
    const e = get_encoding(enc);
    const the = e.encode_ordinary(' the');
    const split = [...e.encode_ordinary(' '), ...e.encode_ordinary('the')];
    return {
      encode: (s) => {
        const ids = e.encode_ordinary(s);
        if (the.length !== 1 || !ids.includes(the[0])) return ids;
        return Uint32Array.from(Array.from(ids).flatMap((x) => (x === the[0] ? split : [x])));
      },
      free: () => e.free(),
    };
  }
  die(`unknown reference ${ref}`);
}

// ---- JSONL reading: the same documents, in the same order, as the Tcl side
// (every non-empty line; bytes split on \n, no other translation).
const STRICT = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function* documents(file) {
  const buf = fs.readFileSync(file);
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    if (end > start) {
      const line = buf.subarray(start, end);
      let s, obj;
      try { s = STRICT.decode(line); } catch { yield { status: 3 }; start = end + 1; continue; }
      try { obj = JSON.parse(s); } catch { yield { status: 4 }; start = end + 1; continue; }
      const t = obj === null || typeof obj !== 'object' ? undefined : obj.text;
      if (typeof t !== 'string') yield { status: 1 };
      else if (LONE_SURROGATE.test(t)) yield { status: 2 };
      else yield { status: 0, text: t };
    }
    start = end + 1;
  }
}

// ---- ids: binary records on stdout ----------------------------------------
async function modeIds() {
  if (files.length !== 1 || !opts.enc) die('usage: ids [--ref R] --enc E FILE');
  const e = encoder(opts.ref, opts.enc);
  const chunks = [];
  let pending = 0;
  // stdout is a pipe, and node writes to pipes synchronously on Linux: the
  // encoding would stop at every write until the reader has taken it all.
  // An fs stream on fd 1 writes from libuv's thread pool instead, so that
  // encoding goes on while the reader checks; up to 32 MB may queue.
  const out = fs.createWriteStream(null, { fd: 1, highWaterMark: 1 << 20 });
  out.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });
  const flush = async () => {
    if (!chunks.length) return;
    const b = Buffer.concat(chunks);
    chunks.length = 0;
    pending = 0;
    out.write(b);
    if (out.writableLength > 32 << 20) await once(out, 'drain');
  };
  const u32 = (v) => { const b = Buffer.allocUnsafe(4); b.writeUInt32LE(v >>> 0); return b; };
  for (const d of documents(files[0])) {
    let ids = null;
    let status = d.status;
    if (status === 0) {
      try { ids = e.encode(d.text); } catch { status = 5; }
    }
    chunks.push(u32(status));
    pending += 4;
    if (status === 0) {
      const a = ids instanceof Uint32Array ? ids : Uint32Array.from(ids);
      const json = Buffer.from('[' + a.join(',') + ']', 'latin1');
      chunks.push(u32(a.length), Buffer.from(a.buffer, a.byteOffset, a.byteLength),
        u32(json.length), json);
      pending += 8 + a.byteLength + json.length;
    }
    if (pending >= 1 << 20) await flush();
  }
  await flush();
  e.free();
  await new Promise((resolve) => out.end(resolve));
}

// ---- serve: ids for texts sent as hex -----------------------------------------
async function modeServe() {
  const encs = new Map();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    const [enc, hex] = line.split('\t');
    let out;
    try {
      if (!encs.has(enc)) encs.set(enc, encoder(opts.ref, enc));
      const text = STRICT.decode(Buffer.from(hex || '', 'hex'));
      out = '[' + Array.from(encs.get(enc).encode(text)).join(',') + ']';
    } catch (err) {
      out = 'error ' + String(err && err.message || err).replace(/\s+/g, ' ');
    }
    fs.writeSync(1, out + '\n');
  }
}

// ---- speed ----------------------------------------------------------------------
function modeSpeed() {
  if (files.length !== 1) die('usage: speed [--refs R,R] [--encs E,E] [--runs N] FILE');
  const texts = [];
  let bytes = 0;
  for (const d of documents(files[0])) {
    if (d.status !== 0) continue;
    texts.push(d.text);
    bytes += Buffer.byteLength(d.text, 'utf8');
  }
  const runs = Math.max(1, parseInt(opts.runs, 10) || 1);
  for (const ref of opts.refs.split(',').filter(Boolean)) {
    for (const enc of opts.encs.split(',').filter(Boolean)) {
      let e;
      try { e = encoder(ref, enc); } catch (err) {
        console.log(`speed ${ref} ${enc} ${texts.length} ${bytes} error ${String(err.message).replace(/\s+/g, ' ')}`);
        continue;
      }
      let best = Infinity, tokens = 0, failed = null;
      for (let r = 0; r < runs && !failed; r++) {
        let n = 0;
        const t0 = process.hrtime.bigint();
        try {
          for (let i = 0; i < texts.length; i++) n += e.encode(texts[i]).length;
        } catch (err) { failed = err; break; }
        const dt = Number(process.hrtime.bigint() - t0) / 1e9;
        if (dt < best) best = dt;
        tokens = n;
      }
      e.free();
      if (failed) console.log(`speed ${ref} ${enc} ${texts.length} ${bytes} error ${String(failed.message).replace(/\s+/g, ' ')}`);
      else console.log(`speed ${ref} ${enc} ${texts.length} ${bytes} ${tokens} ${best.toFixed(6)}`);
    }
  }
}

// ---- pathological runs -------------------------------------------------------------
const KIND_CHAR = { a: 'a', cjk: '\u4e2d', space: ' ' };
function modePatho() {
  const n = parseInt(opts.n, 10);
  if (!(n > 0)) die('usage: patho [--refs R,R] [--encs E,E] --n N [--kinds K,K]');
  for (const ref of opts.refs.split(',').filter(Boolean)) {
    for (const enc of opts.encs.split(',').filter(Boolean)) {
      const e = encoder(ref, enc);
      for (const kind of opts.kinds.split(',').filter(Boolean)) {
        const s = KIND_CHAR[kind].repeat(n);
        const t0 = process.hrtime.bigint();
        const ids = e.encode(s);
        const dt = Number(process.hrtime.bigint() - t0) / 1e9;
        console.log(`patho ${ref} ${enc} ${kind} ${n} ${dt.toFixed(6)} ${ids.length} [${Array.from(ids).join(',')}]`);
      }
      e.free();
    }
  }
}

// ---- synthetic long pieces ----------------------------------------------------------
function rng(seed) {                         // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function modeSynth() {
  if (!opts.out) die('usage: synth --out FILE');
  const r = rng(0xb9e5);
  const docs = [];
  const pickFrom = (alphabet, len) => {
    const a = Array.from(alphabet);
    let s = '';
    for (let i = 0; i < len; i++) s += a[Math.floor(r() * a.length)];
    return s;
  };
  const lower = 'abcdefghijklmnopqrstuvwxyz';
  const scripts = {
    latin: lower, latinmix: lower + lower.toUpperCase(), vowelish: 'aeioust',
    accents: 'éèêëàâäôöûüçñßœæ', greek: 'αβγδεζηθικλμνξοπρστυφχψω',
    cyrillic: 'абвгдеёжзийклмнопрстуфхцчшщъыьэюя', hangul: '가나다라마바사아자차카타파하한국어',
    cjk: '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年',
    kana: 'あいうえおかきくけこさしすせそアイウエオカキクケコ', arabic: 'ابتثجحخدذرزسشصضطظعغفقكلمنهوي',
    devanagari: 'कखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह्ािीुूेैोौं',
    thai: 'กขคงจฉชซญดตถทนบปผพฟภมยรลวศสหอฮะาิีึืุู', combining: 'e\u0301a\u0300o\u0308u\u0302',
  };
  const add = (s) => docs.push(s);
  // runs of one character, lengths around the short/long threshold and up
  for (const ch of ['a', 'Z', 'é', '\u4e2d', ' ', '\n', '\t', '0', '.', '!', '-', '=', '\u3000', '😀', 'ab', 'abc', 'the ', '\u0e01\u0e32']) {
    for (const n of [60, 64, 65, 127, 128, 129, 200, 1000, 5000]) add(ch.repeat(n));
  }
  // long random words of every script, at many lengths
  for (const [name, alphabet] of Object.entries(scripts)) {
    for (const n of [50, 100, 130, 300, 1000, 3000]) {
      add(pickFrom(alphabet, n));
      add(' ' + pickFrom(alphabet, n) + ' ' + pickFrom(alphabet, Math.ceil(n / 3)));
    }
    void name;
  }
  // words from a small vocabulary glued together (frequent merges, many ties)
  {
    const words = ['token', 'ization', 'the', 'and', 'ing', 'tion', 'pre', 'un', 'able', 'ment', 'er', 'est', 'ly', 'ness'];
    for (const n of [20, 50, 200, 1000]) {
      let s = '';
      for (let i = 0; i < n; i++) s += words[Math.floor(r() * words.length)];
      add(s);
      add(s.toUpperCase());
      add(s[0].toUpperCase() + s.slice(1));
    }
  }
  // digits, punctuation, mixed white space, base64-like and hex blobs
  for (const n of [100, 500, 3000]) {
    add(pickFrom('0123456789', n));
    add(pickFrom('!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~', n));
    add(pickFrom(' \t\n\r\u00a0\u2003', n) + 'x');
    add(pickFrom(' \t', n) + '\n' + pickFrom(' \t', n));
    add(pickFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', n));
    add(pickFrom('0123456789abcdef', n));
    add(pickFrom('😀😃😄😁😆🙂🤖👍🏽❤️', n));
    add(pickFrom('a\'sdtmlvre ', n));
    add(pickFrom('aA\'sSdDtTmMlLvVrReE', n));
  }
  const out = docs.map((t, i) => JSON.stringify({ id: `synth-${i}`, text: t })).join('\n') + '\n';
  fs.writeFileSync(opts.out, out);
  console.log(`synth ${docs.length} documents, ${Buffer.byteLength(out)} bytes -> ${opts.out}`);
}

if (mode === 'versions') {
  for (const p of ['tiktoken', 'js-tiktoken', 'gpt-tokenizer']) console.log(`version ${p} ${version(p)}`);
  console.log(`version node ${process.versions.node}`);
} else if (mode === 'ids') await modeIds();
else if (mode === 'serve') await modeServe();
else if (mode === 'speed') modeSpeed();
else if (mode === 'patho') modePatho();
else if (mode === 'synth') modeSynth();
else die('usage: node bench/bpe_ref.mjs versions|ids|serve|speed|patho|synth ...');
