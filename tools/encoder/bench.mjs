// onnxruntime-node side of the encoder benchmark: the same model, texts, tokenisation, batches, thread count and
// output as `dprcluster bench encode` (run level: pre-tokenised batches → session.run → [CLS] rows copied out).
//   node tools/encoder/bench.mjs --model DIR [--batch 1,8,32,128] [--threads 1] [--kind query|passage]
//        [--texts 512] [--seconds 3] [--data ../shared/data]
// Prints one JSON array of {Level, Batch, Batches, SequencesPerSecond, SequencesPerCpuSecond, P50Ms, P99Ms} on stdout.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { bertTokenizer } from './bert_tokenizer.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    batch: { type: 'string', default: '1,8,32,128' },
    threads: { type: 'string', default: '1' },
    kind: { type: 'string', default: 'passage' },
    texts: { type: 'string', default: '512' },
    seconds: { type: 'string', default: '3' },
    data: { type: 'string', default: join(repo, '..', 'shared', 'data') },
  },
});
if (!args.model) throw new Error('--model DIR is required');

function readTexts(kind, count) {
  const path = kind === 'query' ? join(args.data, 'nq-open', 'NQ-open.dev.jsonl') : join(args.data, 'scifact', 'corpus.jsonl');
  const texts = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (texts.length === count) break;
    if (line.length === 0) continue;
    const row = JSON.parse(line);
    texts.push(kind === 'query' ? { title: '', text: row.question ?? '' } : { title: row.title ?? '', text: row.text ?? '' });
  }
  return texts;
}

// The encoder's maximum length: dprcluster.json's max_length, else DPR's 256, capped by max_position_embeddings.
function maxLength(dir) {
  const configPath = join(dir, 'config.json');
  const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
  const settingsPath = join(dir, 'dprcluster.json');
  const settings = existsSync(settingsPath) ? JSON.parse(readFileSync(settingsPath, 'utf8')) : {};
  return Math.min(settings.max_length ?? 256, config.max_position_embeddings ?? Infinity);
}

const modelPath = existsSync(join(args.model, 'model.onnx')) ? join(args.model, 'model.onnx') : join(args.model, 'onnx', 'model.onnx');
const threads = Number(args.threads);
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
});
const tokenizer = await bertTokenizer(args.model, maxLength(args.model));
const texts = readTexts(args.kind, Number(args.texts));
const ids = [];
for (const t of texts) {
  const encoding = args.kind === 'query' || !t.title ? await tokenizer.encode(t.text) : await tokenizer.encode(t.title, t.text);
  ids.push(encoding.getIds());
}

function makeBatches(size) {
  const batches = [];
  for (let start = 0; start + size <= ids.length; start += size) {
    const rows = ids.slice(start, start + size);
    const width = Math.max(1, ...rows.map((r) => r.length));
    const inputIds = new BigInt64Array(size * width);
    const mask = new BigInt64Array(size * width);
    rows.forEach((row, r) => row.forEach((id, t) => { inputIds[r * width + t] = BigInt(id); mask[r * width + t] = 1n; }));
    const dims = [size, width];
    const feeds = { input_ids: new ort.Tensor('int64', inputIds, dims), attention_mask: new ort.Tensor('int64', mask, dims) };
    if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(size * width), dims);
    batches.push(feeds);
  }
  return batches;
}

async function measure(size, seconds) {
  const batches = makeBatches(size);
  let vectors = null;
  const runBatch = async (i) => {
    const result = await session.run(batches[i % batches.length], ['last_hidden_state']);
    const out = result.last_hidden_state;
    const [rows, width, hidden] = out.dims;
    vectors ??= new Float32Array(rows * hidden);
    for (let r = 0; r < rows; r++) vectors.set(out.data.subarray(r * width * hidden, r * width * hidden + hidden), r * hidden);
  };
  // A second of untimed batches (at least one), as `dprcluster bench encode` does: V8's optimising compiler and the
  // runtime's first runs are not the steady state.
  const warmUntil = process.hrtime.bigint() + 1_000_000_000n;
  let warm = 0;
  do { await runBatch(warm++); } while (process.hrtime.bigint() < warmUntil);
  const latencies = [];
  const budget = BigInt(Math.round(seconds * 1e9));
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  let now = start;
  while (now - start < budget || latencies.length === 0) {
    await runBatch(latencies.length);
    const after = process.hrtime.bigint();
    latencies.push(Number(after - now) / 1e6);
    now = after;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const elapsed = Number(now - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  return { Level: 'run', Batch: size, Batches: batches.length, SequencesPerSecond: (latencies.length * size) / elapsed,
    SequencesPerCpuSecond: (latencies.length * size) / cpuSeconds, P50Ms: pct(0.5), P99Ms: pct(0.99) };
}

const results = [];
for (const size of args.batch.split(',').map(Number)) results.push(await measure(size, Number(args.seconds)));
console.log(JSON.stringify(results));
