// The other side of every encoder comparison: an independent dense retrieval run over a BEIR folder with
// onnxruntime-node and Hugging Face tokenizers (@anush008/tokenizers), sharing nothing with DprCluster but the model
// files. Each model's settings below are taken from its model card, not from DprCluster's code: pooling, L2
// normalisation, query prefix and max length. Passages are encoded as DprCluster encodes them: the pair
// [CLS] title [SEP] text [SEP] (the text alone when the title is empty) with all-zero token types, truncated
// longest-first. Search is exact dot product over the whole corpus; nDCG@10 follows trec_eval's ndcg_cut.10
// (gain = judged relevance, log2 discount, ideal from the qrels, ties broken by descending document id).
//   node tests/benchmarks/reference_eval.mjs --model all-minilm-l6-v2|arctic-embed-xs [--model-dir DIR]
//        [--beir ../shared/data/scifact] [--split test] [--threads 2] [--batch 32] [--compare FILE.fvecs] [--json FILE]
// --model-dir defaults to the directory DprCluster extracts the model into (~/.cache/dprcluster/models/NAME-VERSION);
// --compare reads DprCluster's cached passage vectors for the same corpus (eval writes them under
// ~/.cache/dprcluster/embeddings) and prints the largest |difference| per component.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tools = join(repo, 'tools', 'encoder');
if (!existsSync(join(tools, 'node_modules', 'onnxruntime-node'))) {
  // --ignore-scripts: onnxruntime-node's install script downloads CUDA binaries; its CPU library ships in the package.
  const install = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: tools, stdio: 'inherit' });
  if (install.status !== 0) throw new Error('npm install in tools/encoder failed');
}
const require = createRequire(join(tools, 'package.json'));
const ort = require('onnxruntime-node');
const { bertTokenizer } = await import(join(tools, 'bert_tokenizer.mjs'));

// From the model cards (sentence-transformers configuration of each model).
const MODELS = {
  'all-minilm-l6-v2': { pooling: 'mean', maxLength: 256, queryPrefix: '', version: '24.9.52193' },
  'arctic-embed-xs': { pooling: 'cls', maxLength: 512, queryPrefix: 'Represent this sentence for searching relevant passages: ', version: '24.9.52193' },
};

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'all-minilm-l6-v2' },
    'model-dir': { type: 'string' },
    beir: { type: 'string', default: join(repo, '..', 'shared', 'data', 'scifact') },
    split: { type: 'string', default: 'test' },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '32' },
    compare: { type: 'string' },
    json: { type: 'string' },
  },
});
const model = MODELS[args.model];
if (!model) throw new Error(`--model must be one of ${Object.keys(MODELS).join(', ')}`);
const cache = process.env.DPRCLUSTER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'dprcluster');
const modelDir = args['model-dir'] ?? join(cache, 'models', `${args.model}-${model.version}`);
if (!existsSync(join(modelDir, 'model.onnx'))) {
  throw new Error(`${modelDir} has no model.onnx: run \`dprcluster encode --encoder ${args.model} --kind query < /dev/null\` once to extract it`);
}

const tokenizer = await bertTokenizer(modelDir, model.maxLength);

const threads = Number(args.threads);
const session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'), {
  intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
});
const hidden = 384;

function readJsonl(path) {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line.trim().length > 0).map((line) => JSON.parse(line));
}

async function tokenize(first, second) {
  const encoding = second === undefined ? await tokenizer.encode(first) : await tokenizer.encode(first, second);
  return encoding.getIds();
}

// Runs rows of token ids in one batch (padded to the longest) and pools each into out[index * hidden ..].
async function runBatch(rows, indices, out) {
  const width = Math.max(1, ...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * width);
  const mask = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => row.forEach((id, t) => { ids[r * width + t] = BigInt(id); mask[r * width + t] = 1n; }));
  const dims = [rows.length, width];
  const feeds = { input_ids: new ort.Tensor('int64', ids, dims), attention_mask: new ort.Tensor('int64', mask, dims) };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(rows.length * width), dims);
  const result = await session.run(feeds, ['last_hidden_state']);
  const data = result.last_hidden_state.data;
  rows.forEach((row, r) => {
    const vector = new Float64Array(hidden);
    const count = model.pooling === 'cls' ? 1 : Math.max(row.length, 1);
    for (let t = 0; t < count; t++) {
      const base = (r * width + t) * hidden;
      for (let d = 0; d < hidden; d++) vector[d] += data[base + d];
    }
    let norm = 0;
    for (let d = 0; d < hidden; d++) { vector[d] /= count; norm += vector[d] * vector[d]; }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < hidden; d++) out[indices[r] * hidden + d] = vector[d] / norm;
  });
}

// Encodes every row shortest first in batches of --batch, so both sides of a comparison pad little.
async function encodeAll(rows, label) {
  const out = new Float32Array(rows.length * hidden);
  const order = rows.map((_, i) => i).sort((a, b) => rows[a].length - rows[b].length);
  const size = Number(args.batch);
  const started = process.hrtime.bigint();
  let lastReport = 0;
  for (let start = 0; start < order.length; start += size) {
    const indices = order.slice(start, start + size);
    await runBatch(indices.map((i) => rows[i]), indices, out);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (seconds - lastReport > 10 || start + size >= order.length) {
      lastReport = seconds;
      const done = Math.min(start + size, order.length);
      process.stderr.write(`${label}: ${done}/${order.length} in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(1)}/s)\n`);
    }
  }
  return { vectors: out, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

const corpus = readJsonl(join(args.beir, 'corpus.jsonl'));
const queriesById = new Map(readJsonl(join(args.beir, 'queries.jsonl')).map((q) => [String(q._id), q.text]));
const qrels = new Map();
for (const line of readFileSync(join(args.beir, 'qrels', `${args.split}.tsv`), 'utf8').split('\n').slice(1)) {
  const [query, doc, score] = line.trim().split('\t');
  if (!query || Number(score) <= 0) continue;
  if (!qrels.has(query)) qrels.set(query, new Map());
  qrels.get(query).set(doc, Number(score));
}
const queryIds = [...qrels.keys()].filter((id) => queriesById.has(id));

const passageRows = [];
for (const doc of corpus) passageRows.push(doc.title ? await tokenize(doc.title, doc.text) : await tokenize(doc.text));
const queryRows = [];
for (const id of queryIds) queryRows.push(await tokenize(model.queryPrefix + queriesById.get(id)));
const passages = await encodeAll(passageRows, 'passages');
const queries = await encodeAll(queryRows, 'queries');

function ndcgAt10(ranked, judged) {
  let dcg = 0;
  ranked.slice(0, 10).forEach((doc, i) => { dcg += (judged.get(doc) ?? 0) / Math.log2(i + 2); });
  const ideal = [...judged.values()].sort((a, b) => b - a).slice(0, 10);
  let idcg = 0;
  ideal.forEach((gain, i) => { idcg += gain / Math.log2(i + 2); });
  return idcg > 0 ? dcg / idcg : 0;
}

let total = 0;
const scores = new Float64Array(corpus.length);
const ids = corpus.map((doc) => String(doc._id));
const byScore = corpus.map((_, i) => i);
for (let q = 0; q < queryIds.length; q++) {
  for (let p = 0; p < corpus.length; p++) {
    let dot = 0;
    for (let d = 0; d < hidden; d++) dot += queries.vectors[q * hidden + d] * passages.vectors[p * hidden + d];
    scores[p] = Math.fround(dot);
  }
  byScore.sort((a, b) => scores[b] - scores[a] || (ids[b] < ids[a] ? -1 : ids[b] > ids[a] ? 1 : 0));
  total += ndcgAt10(byScore.slice(0, 10).map((i) => ids[i]), qrels.get(queryIds[q]));
}
const report = {
  model: args.model, onnxruntime: ort.env.versions?.common ?? 'onnxruntime-node', beir: args.beir, split: args.split,
  passages: corpus.length, queries: queryIds.length, threads, batch: Number(args.batch),
  ndcgAt10: total / queryIds.length, passagesPerSecond: corpus.length / passages.seconds, queriesPerSecond: queryIds.length / queries.seconds,
  maxAbsDifference: null,
};
if (args.compare) {
  const buffer = readFileSync(args.compare);
  let max = 0;
  for (let row = 0, offset = 0; offset < buffer.length; row++, offset += 4 + hidden * 4) {
    if (buffer.readInt32LE(offset) !== hidden) throw new Error(`${args.compare}: row ${row} is not ${hidden}-d`);
    for (let d = 0; d < hidden; d++) max = Math.max(max, Math.abs(buffer.readFloatLE(offset + 4 + d * 4) - passages.vectors[row * hidden + d]));
  }
  report.maxAbsDifference = max;
}
console.log(`reference (onnxruntime-node + HF tokenizers) ${args.model} on ${args.beir} ${args.split}: ${corpus.length} passages, ${queryIds.length} queries`);
console.log(`nDCG@10     ${report.ndcgAt10.toFixed(4)}`);
console.log(`passages/s  ${report.passagesPerSecond.toFixed(1)} (${threads} threads, batches of ${args.batch}, shortest first)`);
if (report.maxAbsDifference !== null) console.log(`max |ours - reference| over passage vectors: ${report.maxAbsDifference.toExponential(2)}`);
if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
