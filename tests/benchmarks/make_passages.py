#!/usr/bin/env python3
"""Writes a large passage corpus (JSONL {id, title, text}) for load benchmarks, built from the real text under
../shared/data (SciFact, NFCorpus, SQuAD dev): every document is split into sentences, and passages are windows of
2 to 4 (then 1, 5, 6) consecutive sentences starting at every sentence, so the corpus has real vocabulary and no duplicates.
Deterministic; nothing is copied into the repository (write to /tmp).

    python3 tests/benchmarks/make_passages.py --count 200000 --out /tmp/passages-200k.jsonl
"""
import argparse
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
SOURCES = ["scifact/corpus.jsonl", "nfcorpus-orig-test/beir_format/corpus.jsonl", "squad-v1.1-dev/beir_format/corpus.jsonl"]
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def documents():
    for source in SOURCES:
        with open(os.path.join(SHARED, source), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    record = json.loads(line)
                    yield record.get("title", ""), record["text"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not 1 <= args.count <= 2_000_000:
        sys.exit("--count must be in [1, 2000000]")
    written = 0
    seen = set()
    with open(args.out, "w", encoding="utf-8") as out:
        for width in (2, 3, 4, 1, 5, 6):
            for title, text in documents():
                sentences = [s for s in SENTENCE_END.split(text) if s.strip()]
                for start in range(0, max(len(sentences) - width + 1, 1)):
                    passage = " ".join(sentences[start:start + width])
                    if len(passage) < 40 or passage in seen:
                        continue
                    seen.add(passage)
                    out.write(json.dumps({"id": f"p{written}", "title": title, "text": passage}, ensure_ascii=False) + "\n")
                    written += 1
                    if written == args.count:
                        print(f"wrote {written} passages to {args.out}")
                        return
    print(f"wrote {written} passages to {args.out} (the sources hold no more distinct windows)")


if __name__ == "__main__":
    main()
