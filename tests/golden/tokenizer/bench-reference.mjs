// Single-thread throughput of the reference (Hugging Face tokenizers through its Node binding) on SciFact
// title + text, for context beside `dprcluster bench tokenize` (first row). It includes the binding's cost of
// building full Encoding objects (tokens, offsets, masks), so it bounds the Rust core's speed from below only.
// Run: npm install && RAYON_NUM_THREADS=1 node bench-reference.mjs [path/to/shared] [passes]
import tk from '@anush008/tokenizers';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(process.argv[2] ?? path.join(here, '../../../../shared'));
const passes = Number(process.argv[3] ?? 5);
const tokenizer = tk.Tokenizer.fromFile(path.join(shared, 'models/bert-base-uncased-tokenizer/tokenizer.json'));
tokenizer.disablePadding();
tokenizer.disableTruncation();
const texts = fs.readFileSync(path.join(shared, 'data/scifact/corpus.jsonl'), 'utf8').split('\n').filter(Boolean)
  .map(line => JSON.parse(line)).map(d => `${d.title} ${d.text}`);
const megabytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0) / 1e6;

await tokenizer.encodeBatch(texts);
const timings = [];
let tokens = 0;
for (let p = 0; p < passes; p++) {
  const start = process.hrtime.bigint();
  const encodings = await tokenizer.encodeBatch(texts);
  timings.push(Number(process.hrtime.bigint() - start) / 1e9);
  tokens = encodings.reduce((sum, e) => sum + e.getLength(), 0);
}
timings.sort((a, b) => a - b);
const median = timings[Math.floor(passes / 2)];
console.log(`HF tokenizers (encodeBatch, RAYON_NUM_THREADS=${process.env.RAYON_NUM_THREADS ?? 'unset'}) SciFact title + text: ` +
  `${texts.length} texts, ${megabytes.toFixed(2)} MB, ${tokens} tokens, ${(megabytes / median).toFixed(1)} MB/s, ${Math.round(tokens / median)} tokens/s`);
