#!/usr/bin/python3
"""Side-by-side ANN benchmark: dprcluster's HnswIndex vs hnswlib and FAISS IndexHNSWFlat.

Same files, metric, M, efConstruction, ef values, k and thread counts for all three, in one run. hnswlib and FAISS
are queried in batch calls with one thread (no per-query Python overhead); dprcluster runs its own `bench ann`.
Run with Debian's Python: /usr/bin/python3 tests/benchmarks/compare_ann.py [options].
"""
import argparse
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(REPO), "shared", "data", "fashion-mnist")


def read_vectors(path, limit):
    name = os.path.basename(path)
    if "idx3-ubyte" in name:
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as f:
            magic, rows, h, w = struct.unpack(">IIII", f.read(16))
            if magic != 0x803:
                sys.exit(f"{path}: not an idx3-ubyte file")
            rows = min(rows, limit)
            data = np.frombuffer(f.read(rows * h * w), dtype=np.uint8)
        return data.reshape(rows, h * w).astype(np.float32)
    kind = {".fvecs": np.float32, ".bvecs": np.uint8}[os.path.splitext(name)[1]]
    raw = np.fromfile(path, dtype=np.uint8)
    d = int(np.frombuffer(raw[:4].tobytes(), dtype=np.int32)[0])
    width = 4 + d * np.dtype(kind).itemsize
    rows = raw.reshape(-1, width)[:limit, 4:]
    return np.ascontiguousarray(rows).view(kind).reshape(-1, d).astype(np.float32)


def read_ivecs(path, limit):
    raw = np.fromfile(path, dtype=np.int32)
    d = raw[0]
    return raw.reshape(-1, d + 1)[:limit, 1:]


def recall(found, truth, k):
    hits = 0
    for row, expected in zip(found, truth[:, :k]):
        hits += len(set(int(x) for x in row[:k]) & set(int(x) for x in expected))
    return hits / (len(found) * k)


def run_hnswlib(xb, xq, gt, args):
    import hnswlib
    space = {"l2": "l2", "ip": "ip", "cosine": "cosine"}[args.metric]
    index = hnswlib.Index(space=space, dim=xb.shape[1])
    index.init_index(max_elements=len(xb), M=args.m, ef_construction=args.ef_construction, random_seed=42)
    index.set_num_threads(args.build_threads)
    t0, c0 = time.perf_counter(), time.process_time()
    index.add_items(xb, np.arange(len(xb)), num_threads=args.build_threads)
    build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    index.set_num_threads(args.threads)
    # hnswlib memory: level-0 block (links 2M ints + count, vector, label) per element, plus upper layers
    # (expected 1/(M-1) extra levels per element, each M ints + count).
    d = xb.shape[1]
    level0 = len(xb) * (2 * args.m * 4 + 4 + d * 4 + 8)
    upper = int(len(xb) / (args.m - 1) * (args.m * 4 + 4))
    rows = []
    for ef in args.ef:
        index.set_ef(ef)
        index.knn_query(xq[:200], k=args.k, num_threads=args.threads)
        t0 = time.perf_counter()
        labels, _ = index.knn_query(xq, k=args.k, num_threads=args.threads)
        elapsed = time.perf_counter() - t0
        rows.append({"ef": ef, "recall": recall(labels, gt, args.k), "qps": len(xq) / elapsed})
    return {"engine": "hnswlib", "build_seconds": build, "build_cpu": build_cpu, "bytes": level0 + upper, "results": rows}


def run_faiss(xb, xq, gt, args):
    import faiss
    metric = faiss.METRIC_L2 if args.metric == "l2" else faiss.METRIC_INNER_PRODUCT
    xb_, xq_ = xb, xq
    if args.metric == "cosine":
        xb_ = xb / np.maximum(np.linalg.norm(xb, axis=1, keepdims=True), 1e-30)
        xq_ = xq / np.maximum(np.linalg.norm(xq, axis=1, keepdims=True), 1e-30)
    index = faiss.IndexHNSWFlat(xb.shape[1], args.m, metric)
    index.hnsw.efConstruction = args.ef_construction
    faiss.omp_set_num_threads(args.build_threads)
    t0, c0 = time.perf_counter(), time.process_time()
    index.add(np.ascontiguousarray(xb_, dtype=np.float32))
    build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    faiss.omp_set_num_threads(args.threads)
    d = xb.shape[1]
    levels = faiss.vector_to_array(index.hnsw.levels)
    link_ints = int(sum(2 * args.m + (lv - 1) * args.m for lv in levels))
    size = len(xb) * d * 4 + link_ints * 4 + len(levels) * 4 + len(xb) * 8
    rows = []
    for ef in args.ef:
        index.hnsw.efSearch = ef
        index.search(np.ascontiguousarray(xq_[:200]), args.k)
        t0 = time.perf_counter()
        _, labels = index.search(np.ascontiguousarray(xq_), args.k)
        elapsed = time.perf_counter() - t0
        rows.append({"ef": ef, "recall": recall(labels, gt, args.k), "qps": len(xq) / elapsed})
    return {"engine": "faiss", "build_seconds": build, "build_cpu": build_cpu, "bytes": size, "results": rows}


def run_ours(args):
    dll = os.path.join(REPO, "src", "DprCluster.Cli", "bin", "Release", "net10.0", "dprcluster.dll")
    if not os.path.exists(dll):
        subprocess.run(["dotnet", "build", os.path.join(REPO, "src", "DprCluster.Cli"), "-c", "Release"], check=True)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = ["dotnet", dll, "bench", "ann", "--base", args.base, "--queries", args.queries, "--groundtruth", args.groundtruth,
           "--metric", args.metric, "--m", str(args.m), "--ef-construction", str(args.ef_construction),
           "--ef", ",".join(map(str, args.ef)), "--k", str(args.k), "--threads", str(args.threads),
           "--build-threads", str(args.build_threads), "--base-limit", str(args.base_limit),
           "--query-limit", str(args.query_limit), "--json", out]
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    with open(out) as f:
        report = json.load(f)
    os.unlink(out)
    return {"engine": "dprcluster", "build_seconds": report["BuildSeconds"], "build_cpu": report["BuildCpuSeconds"],
            "bytes": report["IndexBytes"],
            "results": [{"ef": r["Ef"], "recall": r["Recall"], "qps": r["Qps"]} for r in report["Results"]]}


def first_reaching(report, target):
    for row in report["results"]:
        if row["recall"] >= target:
            return row
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", default=os.path.join(DATA, "train-images-idx3-ubyte.gz"))
    p.add_argument("--queries", default=os.path.join(DATA, "t10k-images-idx3-ubyte.gz"))
    p.add_argument("--groundtruth", default=os.path.join(DATA, "fashion-mnist-784_groundtruth.ivecs"))
    p.add_argument("--metric", default="l2", choices=["l2", "ip", "cosine"])
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=200)
    p.add_argument("--ef", type=lambda s: [int(x) for x in s.split(",")], default=[10, 20, 40, 80, 160, 320])
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--threads", type=int, default=1, help="search threads")
    p.add_argument("--build-threads", type=int, default=os.cpu_count())
    p.add_argument("--base-limit", type=int, default=2**31 - 1)
    p.add_argument("--query-limit", type=int, default=2**31 - 1)
    p.add_argument("--target-recall", type=float, default=0.95)
    p.add_argument("--engines", default="dprcluster,hnswlib,faiss")
    args = p.parse_args()

    xb = read_vectors(args.base, args.base_limit)
    xq = read_vectors(args.queries, args.query_limit)
    gt = read_ivecs(args.groundtruth, args.query_limit)
    engines = args.engines.split(",")
    reports = []
    for engine in engines:
        if engine == "dprcluster":
            reports.append(run_ours(args))
        elif engine == "hnswlib":
            reports.append(run_hnswlib(xb, xq, gt, args))
        elif engine == "faiss":
            reports.append(run_faiss(xb, xq, gt, args))

    print(f"\n{len(xb)} base × {xb.shape[1]}, {len(xq)} queries, {args.metric}, M={args.m}, "
          f"efConstruction={args.ef_construction}, k={args.k}, search threads {args.threads}, build threads {args.build_threads}\n")
    header = f"{'ef':>5}" + "".join(f" {r['engine'] + ' R@' + str(args.k):>17} {r['engine'] + ' QPS':>15}" for r in reports)
    print(header)
    for i, ef in enumerate(args.ef):
        line = f"{ef:>5}"
        for r in reports:
            row = r["results"][i]
            line += f" {row['recall']:>17.4f} {row['qps']:>15.0f}"
        print(line)
    ours = reports[0]
    print(f"\n{'engine':<12} {'build s':>9} {'CPU s':>8} {'MiB':>8} {'ef@' + str(args.target_recall):>9} {'QPS there':>10}"
          f" {'build ratio':>12} {'CPU ratio':>10} {'mem ratio':>10} {'QPS ratio':>10}")
    base_hit = first_reaching(ours, args.target_recall)
    for r in reports:
        hit = first_reaching(r, args.target_recall)
        qps_ratio = (base_hit["qps"] / hit["qps"]) if (hit and base_hit) else float("nan")
        print(f"{r['engine']:<12} {r['build_seconds']:>9.2f} {r['build_cpu']:>8.2f} {r['bytes'] / 2**20:>8.1f} "
              f"{(hit['ef'] if hit else '-'):>9} {(hit['qps'] if hit else float('nan')):>10.0f} "
              f"{ours['build_seconds'] / r['build_seconds']:>12.2f} {ours['build_cpu'] / r['build_cpu']:>10.2f} "
              f"{ours['bytes'] / r['bytes']:>10.3f} {qps_ratio:>10.2f}")
    print(f"\nratios are {ours['engine']} / engine: build (wall and CPU time) and memory lower is better, QPS (each at its own smallest ef "
          f"reaching recall@{args.k} ≥ {args.target_recall}) higher is better.")


if __name__ == "__main__":
    main()
