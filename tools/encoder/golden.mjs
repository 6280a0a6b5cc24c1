// Golden outputs for DprCluster's transformer encoder, computed with onnxruntime-node (the reference ONNX Runtime
// binding) and Hugging Face tokenizers (@anush008/tokenizers) on tests/models/tiny-bert.
//   cd tools/encoder && npm install --ignore-scripts && node golden.mjs
// writes tests/golden/encoder/tiny-bert.json. Each case is encoded alone (batch of one, no padding); the "batch"
// section runs several cases padded together and keeps the full outputs for binding-level checks.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { Tokenizer } from '@anush008/tokenizers';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelDir = join(repo, 'tests', 'models', 'tiny-bert');
const out = join(repo, 'tests', 'golden', 'encoder', 'tiny-bert.json');
const maxLength = 256;

const longText = Array.from({ length: 400 }, (_, i) => ['the', 'river', 'flows', 'north', 'through', 'ancient', 'valleys'][i % 7]).join(' ');
const cases = [
  { kind: 'query', text: 'What is the tallest mountain?' },
  { kind: 'query', text: 'who wrote the declaration of independence' },
  { kind: 'query', text: '' },
  { kind: 'query', text: 'Café crème brûlée in Zürich — naïve façade' },
  { kind: 'query', text: 'Tokyo 東京 and 北京 population 2024?' },
  { kind: 'query', text: longText },
  { kind: 'passage', title: 'Mount Everest', text: "Mount Everest is Earth's highest mountain above sea level." },
  { kind: 'passage', title: 'Eiffel Tower', text: 'The Eiffel Tower is a wrought-iron lattice tower in Paris, France.' },
  { kind: 'passage', title: '', text: 'A passage without a title.' },
  { kind: 'passage', title: 'Amazon River', text: longText },
];

const tokenizer = Tokenizer.fromFile(join(modelDir, 'tokenizer.json'));
tokenizer.setTruncation(maxLength);

// DPR's tensorizer encodes a passage as the pair (title, text), or the text alone when the title is empty.
async function tokenize(c) {
  const encoding = c.kind === 'query' || !c.title ? await tokenizer.encode(c.text) : await tokenizer.encode(c.title, c.text);
  return encoding.getIds();
}

const round = (values) => Array.from(values, (v) => Number(v.toPrecision(8)));

function batchFeeds(idLists) {
  const rows = idLists.length;
  const width = Math.max(...idLists.map((ids) => ids.length));
  const ids = new BigInt64Array(rows * width);
  const mask = new BigInt64Array(rows * width);
  idLists.forEach((list, r) => list.forEach((id, t) => { ids[r * width + t] = BigInt(id); mask[r * width + t] = 1n; }));
  const dims = [rows, width];
  return {
    width,
    feeds: {
      input_ids: new ort.Tensor('int64', ids, dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
      // DPR: token types are all zero, for questions and for (title, text) pairs alike.
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(rows * width), dims),
    },
  };
}

const session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
const records = [];
for (const c of cases) {
  const ids = await tokenize(c);
  const { feeds } = batchFeeds([ids]);
  const result = await session.run(feeds);
  const last = result.last_hidden_state;
  const h = last.dims[2];
  const mean = new Float64Array(h);
  for (let t = 0; t < ids.length; t++) for (let j = 0; j < h; j++) mean[j] += last.data[t * h + j] / ids.length;
  records.push({ ...c, ids, cls: round(last.data.slice(0, h)), pooler: round(result.pooler_output.data), mean: round(mean) });
}

const batchCases = [0, 2, 6, 7];
const batchIds = batchCases.map((i) => records[i].ids);
const { feeds, width } = batchFeeds(batchIds);
const batchResult = await session.run(feeds);
const golden = {
  description: 'onnxruntime-node reference outputs for tests/models/tiny-bert; regenerate with tools/encoder/golden.mjs',
  onnxruntime: ort.env.versions.common,
  max_length: maxLength,
  token_types: 'zeros',
  cases: records,
  batch: {
    cases: batchCases,
    shape: batchResult.last_hidden_state.dims,
    width,
    last_hidden_state: round(batchResult.last_hidden_state.data),
    pooler_output: round(batchResult.pooler_output.data),
  },
};
writeFileSync(out, JSON.stringify(golden) + '\n');
console.log(`wrote ${out}: ${records.length} cases, batch ${batchResult.last_hidden_state.dims.join('x')}`);
