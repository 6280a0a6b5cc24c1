// Side-by-side encoder benchmark: DprCluster's ONNX Runtime binding (`dprcluster bench encode`, run level) against
// onnxruntime-node (tools/encoder/bench.mjs) on the same model, texts, tokenisation, batch sizes and thread count.
// The two alternate for --repeat rounds (order flipped each round) and the table shows medians, so load from other
// processes on the machine hits both sides alike.
//   node tests/benchmarks/compare_encode.mjs [--model DIR] [--batch 1,8,32,128] [--threads 1] [--kind query|passage]
//        [--texts 512] [--seconds 3] [--repeat 3] [--no-build] [--cli dprcluster.dll]
// --model defaults to tests/models/tiny-bert (tiny, so the binding's own overhead is what differs); a larger model:
//   /usr/bin/python3 tools/encoder/generate_tiny_bert.py --preset bench --out ~/.cache/dprcluster/bench-bert-h256-l4
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(repo, 'tests', 'models', 'tiny-bert') },
    batch: { type: 'string', default: '1,8,32,128' },
    threads: { type: 'string', default: '1' },
    kind: { type: 'string', default: 'query' },
    texts: { type: 'string', default: '512' },
    seconds: { type: 'string', default: '3' },
    repeat: { type: 'string', default: '3' },
    'no-build': { type: 'boolean', default: false },
    cli: { type: 'string', default: join(repo, 'src', 'DprCluster.Cli', 'bin', 'Release', 'net10.0', 'dprcluster.dll') },
  },
});

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${commandArgs.join(' ')} failed (${result.status}):\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

const tools = join(repo, 'tools', 'encoder');
if (!existsSync(join(tools, 'node_modules', 'onnxruntime-node'))) {
  // --ignore-scripts: onnxruntime-node's install script downloads CUDA binaries; its CPU library ships in the package.
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: tools });
}
if (!args['no-build']) run('dotnet', ['build', join(repo, 'src', 'DprCluster.Cli'), '-c', 'Release', '--nologo', '-v', 'q']);
const cli = args.cli;
const common = ['--model', args.model, '--batch', args.batch, '--threads', args.threads, '--kind', args.kind,
  '--texts', args.texts, '--seconds', args.seconds];
const scratch = mkdtempSync(join(tmpdir(), 'dprcluster-compare-'));

const sharp = [];
const node = [];
const rounds = Number(args.repeat);
for (let round = 0; round < rounds; round++) {
  const runSharp = () => {
    const file = join(scratch, `sharp-${round}.json`);
    run('dotnet', [cli, 'bench', 'encode', ...common, '--json', file]);
    sharp.push(JSON.parse(readFileSync(file, 'utf8')).filter((m) => m.Level === 'run'));
  };
  const runNode = () => node.push(JSON.parse(run('node', [join(tools, 'bench.mjs'), ...common])));
  if (round % 2 === 0) { runSharp(); runNode(); } else { runNode(); runSharp(); }
  process.stderr.write(`round ${round + 1}/${rounds} done\n`);
}
rmSync(scratch, { recursive: true, force: true });

const median = (values) => { const s = [...values].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const pick = (rounds, batch, key) => rounds.map((r) => r.find((m) => m.Batch === batch)[key]);
console.log(`model ${args.model}, ${args.kind === 'query' ? 'NQ questions' : 'SciFact passages'}, intra-op threads ${args.threads}, ` +
  `${args.seconds} s per measurement, median of ${rounds} alternating rounds (run level: tokenised batch → vectors)`);
const header = ['batch', 'C# seq/s', 'node seq/s', 'C#/node', 'per round', 'C# seq/cpu-s', 'node seq/cpu-s', 'C#/node cpu',
  'C# p50 ms', 'node p50 ms', 'C# p99 ms', 'node p99 ms', 'C# B/batch'];
const widths = [5, 10, 10, 8, 26, 12, 14, 11, 9, 11, 9, 11, 10];
console.log(header.map((h, i) => (i === 4 ? h.padEnd(widths[i]) : h.padStart(widths[i]))).join(' '));
for (const batch of args.batch.split(',').map(Number)) {
  const s = pick(sharp, batch, 'SequencesPerSecond');
  const n = pick(node, batch, 'SequencesPerSecond');
  const sc = pick(sharp, batch, 'SequencesPerCpuSecond');
  const nc = pick(node, batch, 'SequencesPerCpuSecond');
  const cells = [
    batch,
    median(s).toFixed(1),
    median(n).toFixed(1),
    (median(s) / median(n)).toFixed(3),
    s.map((v, i) => (v / n[i]).toFixed(2)).join(' '),
    median(sc).toFixed(1),
    median(nc).toFixed(1),
    (median(sc) / median(nc)).toFixed(3),
    median(pick(sharp, batch, 'P50Ms')).toFixed(3),
    median(pick(node, batch, 'P50Ms')).toFixed(3),
    median(pick(sharp, batch, 'P99Ms')).toFixed(3),
    median(pick(node, batch, 'P99Ms')).toFixed(3),
    median(pick(sharp, batch, 'AllocatedBytesPerBatch')).toFixed(1),
  ];
  console.log(cells.map((c, i) => (i === 4 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' '));
}
