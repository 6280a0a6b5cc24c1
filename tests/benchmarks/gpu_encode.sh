#!/usr/bin/env bash
# GPU encoder check, prepared for a machine with an NVIDIA GPU and the CUDA 13 runtime (cuDNN 9, cuBLAS): builds the
# encoder with ONNX Runtime's CUDA package, encodes the same SciFact passages and NQ questions on CPU and on CUDA with
# each pretrained model, and prints throughput and the largest |CUDA - CPU| difference of any vector component.
#   bash tests/benchmarks/gpu_encode.sh [--texts 2048] [--batch 64] [--out DIR]
# Needs the .NET 10 SDK and either network access to NuGet or a NuGet cache holding Microsoft.ML.OnnxRuntime.Gpu.Linux
# 1.31.0 and the model packages; the target for the difference is 1e-3. Python's standard library does the rest.
set -euo pipefail
cd "$(dirname "$0")/../.."
texts=2048
batch=64
out="${OUT:-/tmp/dprcluster-gpu}"
while [ $# -gt 0 ]; do
  case "$1" in
    --texts) texts="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || { echo "no NVIDIA GPU visible" >&2; exit 1; }

# A separate build tree: the GPU package replaces the CPU one, so it must not share obj/ with the CPU build.
build="$out/build"
dotnet publish src/DprCluster.Cli -c Release -p:DprOnnxRuntime=gpu -p:BaseIntermediateOutputPath="$out/obj/" -o "$build" --nologo -v q
cli="$build/dprcluster"

data=../shared/data
/usr/bin/python3 - "$data" "$texts" "$out" <<'EOF'
import json, sys
data, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(f"{out}/passages.tsv", "w") as target:
    for i, line in enumerate(open(f"{data}/scifact/corpus.jsonl")):
        if i == count: break
        d = json.loads(line)
        target.write(d["title"].replace("\t", " ").replace("\n", " ") + "\t" + d["text"].replace("\t", " ").replace("\n", " ") + "\n")
with open(f"{out}/questions.txt", "w") as target:
    for i, line in enumerate(open(f"{data}/nq-open/NQ-open.dev.jsonl")):
        if i == count: break
        target.write(json.loads(line)["question"].replace("\n", " ") + "\n")
EOF

printf '%-18s %-8s %-7s %12s %14s\n' model kind device "texts/s" "max |CUDA-CPU|"
for model in all-minilm-l6-v2 arctic-embed-xs; do
  for kind in passage query; do
    input="$out/passages.tsv"; [ "$kind" = query ] && input="$out/questions.txt"
    declare -A rate=()
    for device in cpu cuda; do
      flag=(); [ "$device" = cuda ] && flag=(--cuda)
      # One untimed warm-up call per device (CUDA kernels and the arena are set up on first use).
      head -n "$batch" "$input" | "$cli" encode --encoder "$model" --kind "$kind" --batch "$batch" "${flag[@]}" > /dev/null 2>&1
      log=$("$cli" encode --encoder "$model" --kind "$kind" --batch "$batch" "${flag[@]}" < "$input" 2>&1 > "$out/$model-$kind-$device.fvecs")
      seconds=$(echo "$log" | sed -n 's/.* in \([0-9.]*\) s$/\1/p' | tail -1)
      rate[$device]=$(/usr/bin/python3 -c "print(f'{$texts / $seconds:.1f}')")
    done
    diff=$(/usr/bin/python3 - "$out/$model-$kind-cpu.fvecs" "$out/$model-$kind-cuda.fvecs" <<'EOF'
import sys
from array import array
def read(path):
    values = array("f")
    with open(path, "rb") as source:
        values.frombytes(source.read())
    d = values[:1].tobytes()
    d = int.from_bytes(d, "little")
    rows = [values[i + 1:i + 1 + d] for i in range(0, len(values), d + 1)]
    return rows
cpu, cuda = read(sys.argv[1]), read(sys.argv[2])
assert len(cpu) == len(cuda), (len(cpu), len(cuda))
print(f"{max(abs(a - b) for r, s in zip(cpu, cuda) for a, b in zip(r, s)):.2e}")
EOF
)
    printf '%-18s %-8s %-7s %12s %14s\n' "$model" "$kind" cpu "${rate[cpu]}" ""
    printf '%-18s %-8s %-7s %12s %14s\n' "$model" "$kind" cuda "${rate[cuda]}" "$diff"
  done
done
