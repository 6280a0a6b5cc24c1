// Writes golden.jsonl: reference ids from Hugging Face tokenizers (npm @anush008/tokenizers) for text from
// ../shared/data (SciFact, SQuAD, NQ) and adversarial strings. One JSON object per line:
//   {"group", "variant"?, "a", "b"?, "max_length"?, "truncation"?, "ids" | "error", "type_ids"? (pairs)}
// No max_length means truncation off. Padding is always off. A variant names an entry of variants.json: the
// shared tokenizer.json with those normalizer fields replaced and those added tokens appended.
// Run: npm install && node generate-golden.mjs [path/to/shared]
import tk from '@anush008/tokenizers';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(process.argv[2] ?? path.join(here, '../../../../shared'));
const baseJson = JSON.parse(fs.readFileSync(path.join(shared, 'models/bert-base-uncased-tokenizer/tokenizer.json'), 'utf8'));
const variants = JSON.parse(fs.readFileSync(path.join(here, 'variants.json'), 'utf8'));
const tokenizers = new Map();
const tokenizerFor = name => {
  if (!tokenizers.has(name)) {
    const json = structuredClone(baseJson);
    const variant = name === undefined ? {} : variants[name];
    if ('normalizer' in variant) json.normalizer = variant.normalizer === null ? null : { ...json.normalizer, ...variant.normalizer };
    if (variant.added_tokens) json.added_tokens = [...json.added_tokens, ...variant.added_tokens];
    const tokenizer = tk.Tokenizer.fromString(JSON.stringify(json));
    // The shared tokenizer.json pads and truncates to 128; golden cases decide both themselves.
    tokenizer.disablePadding();
    tokenizers.set(name, tokenizer);
  }
  return tokenizers.get(name);
};

// mulberry32: a seeded generator so that the file is reproducible.
let seed = 20261121;
const random = () => {
  seed = (seed + 0x6D2B79F5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list, count) => {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
};
const readJsonl = file => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line));

const cases = [];
const single = (group, a, maxLength, truncation) => cases.push({ group, a, maxLength, truncation });
const pair = (group, a, b, maxLength, truncation) => cases.push({ group, a, b, maxLength, truncation });

// --- Real text -------------------------------------------------------------------------------------------
const corpus = readJsonl(path.join(shared, 'data/scifact/corpus.jsonl'));
const queries = readJsonl(path.join(shared, 'data/scifact/queries.jsonl'));
const squad = JSON.parse(fs.readFileSync(path.join(shared, 'data/squad-v1.1-dev/dev-v1.1.json'), 'utf8'));
const nq = readJsonl(path.join(shared, 'data/nq-open/NQ-open.dev.jsonl'));
const paragraphs = squad.data.flatMap(article => article.paragraphs);
const questions = paragraphs.flatMap(p => p.qas.map(q => ({ question: q.question, context: p.context })));

for (const q of pick(queries, 250)) single('scifact-query', q.text);
for (const d of pick(corpus, 80)) single('scifact-text', d.text);
for (const d of pick(corpus, 60)) pair('scifact-title-text-256', d.title, d.text.slice(0, 1600), 256, 'longest_first');
for (const d of pick(corpus, 50)) pair('scifact-title-text-only-second', d.title, d.text.slice(0, 1000), 128, 'only_second');
for (const q of pick(questions, 300)) single('squad-question', q.question);
for (const p of pick(paragraphs, 60)) single('squad-context', p.context);
for (const q of pick(questions, 40)) pair('squad-question-context', q.question, q.context, 96, 'longest_first');
for (const q of pick(questions, 30)) pair('squad-question-context-only-first', q.context, q.question, 64, 'only_first');
for (const q of pick(nq, 350)) single('nq-question', q.question);
for (const q of pick(nq, 120)) single('nq-answer', q.answer.join(' | '));

// --- Adversarial strings ---------------------------------------------------------------------------------
const handwritten = [
  '', ' ', '   ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2028\u2029', '.', '...', '!?', '"\'`',
  'Hello, world!', 'HELLO WORLD', 'hello   world', ' leading and trailing ', 'tab\tseparated\tvalues', 'line\nbreaks\r\nand\rreturns',
  'Café crème brûlée', 'Cafe\u0301 cre\u0300me bru\u0302le\u0301e', 'naïve façade Zoë Ångström', 'Ærøskøbing', 'Straße STRASSE',
  'İstanbul ıstanbul', 'ΟΔΥΣΣΕΥΣ Οδυσσεύς σοφός', 'Ⅻ ⅻ ① ² ½', 'ﬁnance ﬂow ﬀ', 'ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ １２３', 'K Ω Å ℃',
  'Ǆemal ǅ ǆ', 'résumé RÉSUMÉ', 'São Paulo, Kraków, Reykjavík, Düsseldorf', 'ñandú pingüino', 'Ελληνικά Русский Українська',
  'Ἀθῆναι ᾯ ῼ', 'Tiếng Việt có dấu', 'Dž ǲ Ǳ', 'a\u0301\u0316 a\u0316\u0301', 'e\u0301\u0302\u0303\u0304\u0305\u0306',
  'x\u1D16D\u1D165y', '\u{1D16D}\u{1D165}\u{1D15F}', '\u302E\u302F한\u302F\u302E', 'ᄀ\u1161\u11A8 각', 'o\u0308\u0332',
  '中文分词测试', '我爱北京天安门。', '日本語のテキスト、カタカナとひらがな', '한국어 텍스트입니다', '漢字かな交じり文',
  '𠀀𠀁𪜀 𫝀 𬺰', '豈 更 車', 'CJK中mixed文text', '中文 English 混合 mixed', '「引用」『二重』【括弧】',
  '😀 😃 😄', '👍🏽 👩‍👩‍👧‍👦 🏳️‍🌈', '🇩🇪🇫🇷🇯🇵', '❤️ ♥ ✓ ✔️', 'I ❤️ NY 🗽!', '🥰🥳🤯', 'emoji😀inside', '☃ ★ ☆ ♠',
  'zero\u200Bwidth', 'zero\u200Cwidth\u200Djoiner', 'word\u2060joiner', '\uFEFFbom at start', 'soft\u00ADhyphen',
  'left\u200Eright\u200Fmarks', 'a\u202Aembedded\u202C', '\u2066isolate\u2069',
  'ctrl\u0000nul', 'bell\u0007char', 'esc\u001B[31mred\u001B[0m', 'del\u007Fchar', 'next\u0085line', 'c1\u0080\u009Fcodes',
  'vertical\u000Btab', 'form\u000Cfeed', 'unit\u001Fsep', 'replacement\uFFFDchar', 'private\uE000use\uF8FF',
  'plane15\u{F0000}x', 'tag\u{E0041}chars', 'nonchar\uFFFEhere', 'var\uFE0Fsel', 'interlinear\uFFF9ann\uFFFB',
  'en\u2002space em\u2003space thin\u2009space', 'hair\u200Aspace', 'ogham\u1680space', 'narrow\u202Fnbsp', 'math\u205Fspace',
  'ideographic\u3000space', 'mongolian\u180Evowel',
  '[CLS]', '[SEP]', '[PAD]', '[UNK]', '[MASK]', '[cls]', '[Sep]', 'x[SEP]y', '[CLS][SEP]', '[[SEP]]', '[SEP', 'SEP]',
  'a [MASK] b', '[MASK][MASK]', '[UNK]nown', ' [SEP] ', 'question? [SEP] answer.', '[unused0]', '[unused1] [unused99]',
  '##', '##ing', 'un##able', '#hashtag ##double', '@user_name', 'e-mail@example.com', 'https://example.com/a?b=c&d=e#f',
  'C++ C# F# .NET', '$100 €50 £20 ¥1000 ₹5', '3.14159 2,718 1e-10 -42 +7', 'x^2+y^2=z^2', 'a|b~c<d>e', '50% 100‰',
  '<html><body>Hi</body></html>', '{"json": [1, 2, 3]}', 'snake_case camelCase PascalCase kebab-case',
  'don\'t won\'t it\'s', '“smart” ‘quotes’', '— – - ‐ ‑ ‒ ―', '… ‥ ⋯', '§ ¶ † ‡ •', '¿Qué? ¡Sí!', '«guillemets» ‹single›',
  'العربية نص مكتوب', 'שָׁלוֹם עולם', 'हिन्दी पाठ', 'ภาษาไทย', 'ქართული', 'Հայերեն', 'አማርኛ', 'ᏣᎳᎩ', 'ᚠᛇᚻ᛫ᛒᛦᚦ',
  'antidisestablishmentarianism', 'pneumonoultramicroscopicsilicovolcanoconiosis', 'supercalifragilisticexpialidocious',
  'COVID-19 SARS-CoV-2 mRNA-1273 BNT162b2', 'IL-6 TNF-α IFN-γ NF-κB', 'β-lactamase α-helix Δ9-THC', 'p<0.05 n=1,234 (95% CI 1.2–3.4)',
  '10μm 5µg 37°C 2×10⁶ H₂O CO₂', 'Na⁺/K⁺-ATPase', 'x ≤ y ≥ z ≠ w ± v ∞', '∑∫∂√∆∇', 'ℕ ℤ ℚ ℝ ℂ',
];
for (const text of handwritten) single('adversarial', text);

const word = (length, unit = 'a') => unit.repeat(length);
for (const length of [99, 100, 101, 150, 300]) {
  single('long-word', word(length));
  single('long-word', `start ${word(length, 'b')} end`);
}
single('long-word', word(50, '😀'));
single('long-word', word(100, '😀'));
single('long-word', word(101, 'é'));
single('long-word', word(100, 'e\u0301'));
single('long-word', word(101, 'e\u0301'));
single('long-word', word(150, 'x').replace(/x/g, (c, i) => String.fromCharCode(97 + (i * 7) % 26)));
single('long-word', word(150, 'ab'));
single('long-word', 'pre' + word(148, 'z') + '.');
single('long-word', word(60, '中'));
single('long-word', 'tokenization'.repeat(12));

// Pairs that need truncation, over every strategy and several limits.
const sentence = n => Array.from({ length: n }, (_, i) => ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'tokenization'][i % 6]).join(' ');
for (const [n1, n2] of [[0, 0], [0, 20], [20, 0], [5, 40], [40, 5], [20, 20], [21, 20], [60, 70], [1, 1], [3, 200]]) {
  for (const maxLength of [3, 4, 5, 8, 16, 33, 64]) {
    for (const strategy of ['longest_first', 'only_first', 'only_second']) {
      pair('pair-truncation', sentence(n1), sentence(n2), maxLength, strategy);
    }
  }
}
for (const maxLength of [2, 3, 5, 10, 64]) {
  for (const strategy of ['longest_first', 'only_first', 'only_second']) {
    single('single-truncation', sentence(30), maxLength, strategy);
    single('single-truncation', 'Short one.', maxLength, strategy);
  }
}
pair('pair', '', '', undefined, undefined);
pair('pair', 'first only', '', undefined, undefined);
pair('pair', '', 'second only', undefined, undefined);
pair('pair', 'What is BM25?', 'BM25 is a ranking function [SEP] used by search engines.', undefined, undefined);
pair('pair', 'Café?', 'Crème brûlée 中文 😀', undefined, undefined);
pair('pair', 'word '.repeat(300), 'tail', 512, 'longest_first');
pair('pair', 'tail', 'word '.repeat(300), 512, 'only_second');

// Random strings from a pool of troublesome characters.
const pool = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'     ', '\t', '\n', '\r', '\u00a0', '\u3000', '\u2003',
  ...'.,;:!?\'"()[]{}<>-_/\\|@#$%^&*+=~`',
  ...'éèêëàáâäãåçñöøüßæœÉÀÇÑÖÜ', '\u0301', '\u0308', '\u0327', '\u0316', '\u20DD',
  ...'中文字日本語한국어ひらカタ', '😀', '👍🏽', '🇩🇪', '\u200B', '\u200D', '\uFEFF', '\u0000', '\u0007', '\u0085', '\u00AD',
  ...'ΑΒΓαβγΣσςЖжЯя', 'İ', 'ı', 'ﬁ', 'Ⅻ', '²', '①', '\uFFFD', '\uE000', '𝐀', '𝔸', '[CLS]', '[SEP]', '[MASK]', '##',
];
for (let i = 0; i < 320; i++) {
  const length = 1 + Math.floor(random() * 60);
  let text = '';
  for (let j = 0; j < length; j++) text += pool[Math.floor(random() * pool.length)];
  if (i % 4 === 3) pair('random-pair', text, pick(pool, 20).join(''), 16 + Math.floor(random() * 16), 'longest_first');
  else single('random', text);
}

// A sweep over code points: each one between letters, so that removal, splitting and case mapping all show.
const nfd = tk.nfdNormalizer();
const lower = tk.bertNormalizer({ cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: true });
const sweep = [];
for (let cp = 0x80; cp < 0x30000; cp++) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0xE000 && cp <= 0xF8FF)) continue;
  const s = String.fromCodePoint(cp);
  const interesting = cp < 0x3400 || nfd.normalizeString(s) !== s || lower.normalizeString(s) !== s;
  if (interesting ? cp % 2 === 0 || cp < 0x800 : cp % 211 === 0) sweep.push(s);
}
for (const cp of [0xE000, 0xF8FF, 0xE0001, 0xE0041, 0xE007F, 0xF0000, 0x10FFFD, 0xFFFC, 0xFFFD, 0xFFFE, 0x1F970, 0x1FAE8]) {
  sweep.push(String.fromCodePoint(cp));
}
for (let i = 0; i < sweep.length; i += 40) {
  single('codepoint-sweep', sweep.slice(i, i + 40).map(s => `a${s}b`).join(' '));
}

// The same adversarial strings through each normaliser variant, plus strings aimed at the added tokens.
const addedTokenTexts = [
  '<mask>', 'a <mask> b', 'a   <mask>', '<mask>   b', '<mask><mask>', '<mask>x', '<mask>xy', '<MASK>', 'a\t\n <mask>',
  '~~', 'a ~~ b', 'a~~   b', '~~~~', '~~ ~~', '~ ~', 'Hello World', 'hello world', 'HELLO WORLD!', 'Hello  World',
  'Héllo Wörld', 'sayHello Worldwide', '[unused5]', 'x[unused5]y', '[UNUSED5]', '[SEP]<mask>[CLS]', ' <mask>~~Hello World ',
];
const randomTexts = cases.filter(c => c.group === 'random').slice(0, 40).map(c => c.a);
for (const name of Object.keys(variants)) {
  for (const text of [...handwritten, ...randomTexts]) cases.push({ group: 'variant', variant: name, a: text });
  if (name === 'added-tokens') {
    for (const text of addedTokenTexts) cases.push({ group: 'variant', variant: name, a: text });
    cases.push({ group: 'variant', variant: name, a: 'x <mask> y', b: 'Hello World ~~ z' });
  }
}

// --- Reference ids -------------------------------------------------------------------------------------------
const strategies = { longest_first: 'LongestFirst', only_first: 'OnlyFirst', only_second: 'OnlySecond' };
const lines = [];
for (const c of cases) {
  const tokenizer = tokenizerFor(c.variant);
  const record = { group: c.group };
  if (c.variant !== undefined) record.variant = c.variant;
  record.a = c.a;
  if (c.b !== undefined) record.b = c.b;
  if (c.maxLength !== undefined) {
    record.max_length = c.maxLength;
    record.truncation = c.truncation;
    tokenizer.setTruncation(c.maxLength, { strategy: strategies[c.truncation] });
  } else {
    tokenizer.disableTruncation();
  }
  try {
    const encoding = await (c.b === undefined ? tokenizer.encode(c.a) : tokenizer.encode(c.a, c.b));
    record.ids = encoding.getIds();
    if (c.b !== undefined) record.type_ids = encoding.getTypeIds();
  } catch (e) {
    record.error = String(e.message ?? e);
  }
  lines.push(JSON.stringify(record));
}
fs.writeFileSync(path.join(here, 'golden.jsonl'), lines.join('\n') + '\n');
const groups = {};
for (const c of cases) groups[c.group] = (groups[c.group] ?? 0) + 1;
console.log(`${cases.length} cases`, groups);
