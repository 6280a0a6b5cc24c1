#!/usr/bin/env bash
# The training issue's targets in one run: trains on train splits only, evaluates the untrained and the trained
# encoders on the held-out splits, and prints one table.
#   bash tests/benchmarks/train_targets.sh [--out DIR]
# SciFact: train split -> test split. SQuAD v1.1 dev: article split A -> split B (tests/benchmarks/squad_split.py).
# NFCorpus (our copy): the SciFact-trained adapter, out of domain. Needs the .NET 10 SDK and Debian's /usr/bin/python3;
# on a fresh machine arctic-embed-xs encodes the SciFact and NFCorpus corpora once (cached, ~10 min on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=/tmp/dprcluster-train-targets
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
data="$(cd .. && pwd)/shared/data"
mkdir -p "$out"
dotnet build src/DprCluster.Cli -c Release -v quiet -nologo >/dev/null
cli() { dotnet src/DprCluster.Cli/bin/Release/net10.0/dprcluster.dll "$@"; }
metric() { grep -E "^$1 " | awk '{print $NF}'; }
/usr/bin/python3 tests/benchmarks/squad_split.py --split A --out "$out/squad-a" >/dev/null
/usr/bin/python3 tests/benchmarks/squad_split.py --split B --out "$out/squad-b" >/dev/null

cli train --pairs "$data/scifact" --split train --encoder static --out "$out/static-scifact" >"$out/static-scifact.log" 2>&1
cli train --pairs "$out/squad-a" --split test --encoder static --out "$out/static-squad" >"$out/static-squad.log" 2>&1
cli train --pairs "$data/scifact" --split train --encoder arctic-embed-xs --out "$out/arctic-scifact" >"$out/arctic-scifact.log" 2>&1

beir() { cli eval --beir "$1" --split test --mode dense --encoder "$2" 2>/dev/null | metric nDCG@10; }
qa() { cli eval --qa "$1" --mode dense --encoder "$2" 2>/dev/null | metric Top-20; }
nf="$data/nfcorpus-orig-test/beir_format"
row() { printf '%-62s %8s %8s %8s\n' "$1" "$2" "$3" "$(/usr/bin/python3 -c "print(f'{$3 - $2:+.4f}')")"; }
printf '%-62s %8s %8s %8s\n' "target" "before" "after" "change"
row "SciFact test nDCG@10, static towers (target +0.10)" "$(beir "$data/scifact" static)" "$(beir "$data/scifact" "$out/static-scifact")"
row "SQuAD split B top-20 accuracy, static towers (target +0.10)" "$(qa "$out/squad-b" static)" "$(qa "$out/squad-b" "$out/static-squad")"
row "SciFact test nDCG@10, arctic-embed-xs + question adapter (+0.02)" "$(beir "$data/scifact" arctic-embed-xs)" "$(beir "$data/scifact" "$out/arctic-scifact")"
row "NFCorpus nDCG@10, the SciFact adapter out of domain (>= -0.005)" "$(beir "$nf" arctic-embed-xs)" "$(beir "$nf" "$out/arctic-scifact")"
echo "training logs, training.json and training.png: $out"
