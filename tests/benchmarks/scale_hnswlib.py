#!/usr/bin/python3
"""Side-by-side scale benchmark: the cluster (`dprcluster bench scale`) vs hnswlib on the same vectors, in one run.

1. Runs `dprcluster bench scale` (float32, then with --sq8 unless --no-sq8) with --export, so the generated vectors,
   queries and exact top-k are written once and both engines read the same files.
2. Builds hnswlib (Debian python3-hnswlib) over the first N rows for each N with the same M, efConstruction and
   build threads, and queries it with the same ef values, k and query threads (batch calls, no per-query Python cost).
3. Prints per N: build seconds, bytes per vector, and at each ef recall@k and QPS, ours beside hnswlib's, with the
   ratios the targets are stated in.
4. Engine to engine at the largest N: `dprcluster bench ann` builds one HnswIndex (float32, then SQ8) over the same
   rows with the same build and query threads as hnswlib, so build time and QPS at the target recall compare the
   index itself, without the REST import and the Orleans scatter the cluster rows include.

    dotnet build src/DprCluster.Cli -c Release
    /usr/bin/python3 tests/benchmarks/scale_hnswlib.py --count 100000,300000,1000000 --dim 384 --shards 4
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from compare_ann import read_ivecs, recall

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DLL = os.path.join(REPO, "src", "DprCluster.Cli", "bin", "Release", "net10.0", "dprcluster.dll")


def fvecs(path, rows=None):
    raw = np.memmap(path, dtype=np.int32, mode="r")
    d = int(raw[0])
    table = raw.reshape(-1, d + 1)
    if rows is not None:
        table = table[:rows]
    return np.ascontiguousarray(table[:, 1:]).view(np.float32)


def run_ours(args, export, json_path, sq8):
    command = ["dotnet", DLL, "bench", "scale", "--count", args.count, "--dim", str(args.dim), "--shards", str(args.shards),
               "--queries", str(args.queries), "--ef", args.ef, "--k", str(args.k), "--m", str(args.m),
               "--ef-construction", str(args.ef_construction), "--concurrency", str(args.threads),
               "--duration", str(args.duration), "--seed", str(args.seed), "--export", export, "--json", json_path,
               "--png", json_path.replace(".json", ".png")]
    if sq8:
        command.append("--sq8")
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, env=dict(os.environ, DOTNET_gcServer="1"))
    with open(json_path) as f:
        return json.load(f)


def run_hnswlib(xb, xq, truth, args):
    import hnswlib
    index = hnswlib.Index(space="ip", dim=xb.shape[1])
    index.init_index(max_elements=len(xb), M=args.m, ef_construction=args.ef_construction, random_seed=42)
    t0 = time.perf_counter()
    index.add_items(xb, np.arange(len(xb)), num_threads=args.build_threads)
    build = time.perf_counter() - t0
    rows = []
    for ef in [int(e) for e in args.ef.split(",")]:
        index.set_ef(ef)
        index.knn_query(xq[:100], k=args.k, num_threads=args.threads)
        # Passes repeat until a second has gone by, as `bench ann` does: one pass is too short to time.
        t0 = time.perf_counter()
        passes = 0
        while passes == 0 or time.perf_counter() - t0 < 1.0:
            labels, _ = index.knn_query(xq, k=args.k, num_threads=args.threads)
            passes += 1
        elapsed = time.perf_counter() - t0
        rows.append({"ef": ef, "recall": recall(labels, truth, args.k), "qps": passes * len(xq) / elapsed})
    del index
    return {"build_seconds": build, "results": rows}


def run_engine(args, export, n, quantization, json_path):
    command = ["dotnet", DLL, "bench", "ann", "--base", os.path.join(export, "base.fvecs"),
               "--queries", os.path.join(export, "queries.fvecs"), "--groundtruth", os.path.join(export, f"truth-{n}.ivecs"),
               "--base-limit", str(n), "--metric", "ip", "--m", str(args.m), "--ef-construction", str(args.ef_construction),
               "--ef", args.ef, "--k", str(args.k), "--threads", str(args.threads), "--build-threads", str(args.build_threads),
               "--quantization", quantization, "--json", json_path]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, env=dict(os.environ, DOTNET_gcServer="1"))
    with open(json_path) as f:
        report = json.load(f)
    return {"build_seconds": report["BuildSeconds"], "index_bytes": report["IndexBytes"],
            "results": [{"ef": r["Ef"], "recall": r["Recall"], "qps": r["Qps"]} for r in report["Results"]]}


def qps_at(results, target):
    """QPS at exactly the target recall, interpolated linearly between the two ef values that bracket it (None if no
    ef reaches it): a fairer comparison than the first ef reaching it, which depends on where the ef grid falls."""
    rows = sorted(results, key=lambda r: r["ef"])
    for lower, upper in zip(rows, rows[1:]):
        if lower["recall"] < target <= upper["recall"]:
            t = (target - lower["recall"]) / (upper["recall"] - lower["recall"])
            return lower["qps"] + t * (upper["qps"] - lower["qps"])
    return rows[0]["qps"] if rows and rows[0]["recall"] >= target else None


def ratio(a, b):
    return f"{a / b:.2f}x" if a is not None and b is not None else "n/a"


def first_reaching(results, target, key="recall"):
    for row in sorted(results, key=lambda r: r["ef"]):
        if row[key] >= target:
            return row
    return max(results, key=lambda r: r[key])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", default="100000,300000,1000000")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--ef", default="16,32,48,64,96,128,192,256")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=100)
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="query threads (our concurrency)")
    parser.add_argument("--build-threads", type=int, default=os.cpu_count())
    parser.add_argument("--duration", type=float, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-sq8", action="store_true")
    parser.add_argument("--out", default=None, help="directory for the JSON, PNGs and exported vectors")
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--no-engine", action="store_true", help="skip the engine-to-engine rows at the largest N")
    args = parser.parse_args()
    if not os.path.exists(DLL):
        sys.exit(f"build first: dotnet build src/DprCluster.Cli -c Release ({DLL} is missing)")

    out = args.out or tempfile.mkdtemp(prefix="dprcluster-scale-")
    os.makedirs(out, exist_ok=True)
    export = os.path.join(out, "vectors")
    ours = run_ours(args, export, os.path.join(out, "float32.json"), sq8=False)
    ours_sq8 = None if args.no_sq8 else run_ours(args, export, os.path.join(out, "sq8.json"), sq8=True)

    xq = fvecs(os.path.join(export, "queries.fvecs"))
    print(f"\nside by side, d={args.dim}, M={args.m}, efConstruction={args.ef_construction}, k={args.k}, "
          f"{args.threads} query threads, {args.build_threads} build threads; ours: {args.shards} shards through the "
          f"coordinator (build = first write through the REST API until every vector is linked), hnswlib: one index, batch knn_query")
    hnswlib_runs = {}
    for run in ours["runs"]:
        n = run["count"]
        truth = read_ivecs(os.path.join(export, f"truth-{n}.ivecs"), None)
        h = run_hnswlib(fvecs(os.path.join(export, "base.fvecs"), n), xq, truth, args)
        hnswlib_runs[n] = h
        formula = run["hnswlib_formula_bytes_per_vector"]
        print(f"\nN = {n:,}")
        print(f"  build s: ours {run['build_seconds']:.1f} (acknowledged after {run['ingest_seconds']:.1f} s: "
              f"{run['ingest_vectors_per_second']:,.0f} vectors/s) vs hnswlib {h['build_seconds']:.1f} "
              f"({run['build_seconds'] / h['build_seconds']:.2f}x)")
        print(f"  bytes/vector: ours float32 index {run['index_bytes_per_vector']:.0f} "
              f"({run['index_bytes_per_vector'] / formula:.3f}x hnswlib's formula {formula:.0f}), "
              f"ours RSS growth {run['rss_bytes_per_vector']:.0f}")
        sq8_run = next((r for r in ours_sq8["runs"] if r["count"] == n), None) if ours_sq8 else None
        if sq8_run:
            print(f"  bytes/vector: ours sq8 index {sq8_run['index_bytes_per_vector']:.0f} "
                  f"({sq8_run['index_bytes_per_vector'] / run['index_bytes_per_vector']:.3f}x of float32), RSS {sq8_run['rss_bytes_per_vector']:.0f}")
        print(f"  {'ef':>5} {'recall ours':>12} {'sq8':>8} {'hnswlib':>8} {'QPS ours':>9} {'sq8':>8} {'hnswlib':>8} {'ours/hnswlib':>12}")
        for mine, theirs in zip(run["results"], h["results"]):
            q8 = next((r for r in sq8_run["results"] if r["ef"] == mine["ef"]), None) if sq8_run else None
            print(f"  {mine['ef']:>5} {mine['recall']:>12.4f} {q8['recall'] if q8 else float('nan'):>8.4f} {theirs['recall']:>8.4f} "
                  f"{mine['qps']:>9,.0f} {q8['qps'] if q8 else float('nan'):>8,.0f} {theirs['qps']:>8,.0f} {mine['qps'] / theirs['qps']:>12.2f}")
        a = first_reaching(run["results"], args.target)
        b = first_reaching(h["results"], args.target)
        print(f"  at recall >= {args.target}: ours ef {a['ef']} {a['qps']:,.0f} QPS (recall {a['recall']:.4f}), "
              f"hnswlib ef {b['ef']} {b['qps']:,.0f} QPS (recall {b['recall']:.4f}): {a['qps'] / b['qps']:.2f}x; "
              f"interpolated at recall {args.target}: {ratio(qps_at(run['results'], args.target), qps_at(h['results'], args.target))}")
        if sq8_run:
            c = first_reaching(sq8_run["results"], args.target)
            loss = max(m["recall"] - s["recall"] for m, s in zip(run["results"], sq8_run["results"]))
            print(f"  sq8 at recall >= {args.target}: ef {c['ef']} {c['qps']:,.0f} QPS (recall {c['recall']:.4f}); "
                  f"largest recall loss vs float32 at one ef: {loss:.4f}")
    if not args.no_engine:
        n = max(hnswlib_runs)
        h = hnswlib_runs[n]
        formula = next(r for r in ours["runs"] if r["count"] == n)["hnswlib_formula_bytes_per_vector"]
        engines = {q: run_engine(args, export, n, q, os.path.join(out, f"engine-{q}.json")) for q in ("none", "sq8")}
        print(f"\nengine to engine, N = {n:,}: one HnswIndex vs one hnswlib index, {args.build_threads} build threads, "
              f"{args.threads} query threads")
        b = first_reaching(h["results"], args.target)
        for q, e in engines.items():
            a = first_reaching(e["results"], args.target)
            print(f"  {q:>5}: build {e['build_seconds']:.1f} s vs hnswlib {h['build_seconds']:.1f} s "
                  f"({e['build_seconds'] / h['build_seconds']:.2f}x); index {e['index_bytes'] / n:.0f} B/vector "
                  f"({e['index_bytes'] / n / formula:.3f}x hnswlib's formula {formula:.0f})")
            qa, qb = qps_at(e["results"], args.target), qps_at(h["results"], args.target)
            print(f"         at recall >= {args.target}: ef {a['ef']} {a['qps']:,.0f} QPS (recall {a['recall']:.4f}) vs hnswlib "
                  f"ef {b['ef']} {b['qps']:,.0f} QPS: {a['qps'] / b['qps']:.2f}x; interpolated at recall {args.target}: "
                  f"{qa or float('nan'):,.0f} vs {qb or float('nan'):,.0f} QPS, {ratio(qa, qb)}")
            print(f"         {'ef':>5} {'recall':>8} {'hnswlib':>8} {'QPS':>9} {'hnswlib':>9} {'ratio':>6}")
            for mine, theirs in zip(e["results"], h["results"]):
                print(f"         {mine['ef']:>5} {mine['recall']:>8.4f} {theirs['recall']:>8.4f} {mine['qps']:>9,.0f} "
                      f"{theirs['qps']:>9,.0f} {mine['qps'] / theirs['qps']:>6.2f}")
        loss = max(m["recall"] - s["recall"] for m, s in zip(engines["none"]["results"], engines["sq8"]["results"]))
        print(f"  sq8 index bytes {engines['sq8']['index_bytes'] / engines['none']['index_bytes']:.3f}x of float32, "
              f"largest recall loss at one ef {loss:.4f}")
    print(f"\nJSON, PNGs and vectors in {out}")


if __name__ == "__main__":
    main()
