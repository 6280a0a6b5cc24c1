#!/usr/bin/python3
"""Chooses the hybrid fusion on a tuning split only, then reports it on the held-out split beside BM25 and dense.

Runs `dprcluster eval --mode hybrid` in-process (the corpus vectors come from eval's cache after the first run) for
RRF with several k and for linear fusion of min-max normalised scores with several dense weights, on --tune-split;
the best nDCG@10 there is then evaluated once on --test-split, with BM25 and dense alone for comparison.
    /usr/bin/python3 tests/benchmarks/tune_fusion.py --beir ../shared/data/scifact --encoder all-minilm-l6-v2"""
import argparse
import json
import os
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
CLI = os.path.join(ROOT, 'src', 'DprCluster.Cli', 'bin', 'Release', 'net10.0', 'dprcluster.dll')

parser = argparse.ArgumentParser()
parser.add_argument('--beir', default=os.path.join(ROOT, '..', 'shared', 'data', 'scifact'))
parser.add_argument('--encoder', default='all-minilm-l6-v2')
parser.add_argument('--tune-split', default='train')
parser.add_argument('--test-split', default='test')
parser.add_argument('--rrf-k', default='5,10,20,40,60,100')
parser.add_argument('--dense-weights', default='0.5,0.75,1,1.5,2,3')
parser.add_argument('--no-build', action='store_true')
parser.add_argument('--cli', default=CLI, help='dprcluster.dll to run (default: the Release build)')
parser.add_argument('--json', help='write the table and the choice to this file')
args = parser.parse_args()

if not args.no_build:
    subprocess.run(['dotnet', 'build', os.path.join(ROOT, 'src', 'DprCluster.Cli'), '-c', 'Release', '--nologo', '-v', 'q'], check=True)


def evaluate(split, mode, extra=()):
    with tempfile.NamedTemporaryFile(suffix='.json', delete=False) as out:
        path = out.name
    try:
        subprocess.run(['dotnet', args.cli, 'eval', '--beir', args.beir, '--split', split, '--mode', mode, '--encoder', args.encoder,
                        '--k', '100', '--json', path, *extra], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(path) as report:
            return json.load(report)['Metrics']['nDCG@10']
    finally:
        os.unlink(path)


candidates = [(f'RRF k={k}', ['--fusion', 'rrf', '--rrf-k', k]) for k in args.rrf_k.split(',')]
candidates += [(f'normalized w={w}', ['--fusion', 'normalized', '--dense-weight', w]) for w in args.dense_weights.split(',')]
rows = []
print(f'{"fusion":<16} {args.tune_split + " nDCG@10":>16}')
for name, extra in candidates:
    score = evaluate(args.tune_split, 'hybrid', extra)
    rows.append({'fusion': name, 'arguments': extra, 'tune_ndcg10': score})
    print(f'{name:<16} {score:>16.4f}', flush=True)
best = max(rows, key=lambda row: row['tune_ndcg10'])
test = {mode: evaluate(args.test_split, mode) for mode in ('bm25', 'dense')}
test['hybrid'] = evaluate(args.test_split, 'hybrid', best['arguments'])
print(f'\nchosen on {args.tune_split}: {best["fusion"]} ({best["tune_ndcg10"]:.4f})')
print(f'{args.test_split}: BM25 {test["bm25"]:.4f}  dense {test["dense"]:.4f}  hybrid {test["hybrid"]:.4f}  '
      f'(hybrid - max = {test["hybrid"] - max(test["bm25"], test["dense"]):+.4f})')
if args.json:
    with open(args.json, 'w') as out:
        json.dump({'encoder': args.encoder, 'beir': args.beir, 'tuning': rows, 'chosen': best['fusion'], 'test': test}, out, indent=2)
