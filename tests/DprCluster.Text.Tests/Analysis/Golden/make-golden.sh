#!/usr/bin/env bash
# Regenerates lucene-english-analyzer.jsonl with real Lucene (Debian: default-jdk-headless liblucene8-java).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="$here/../../../../../shared/data"
inputs="$(mktemp)"
trap 'rm -f "$inputs"' EXIT
/usr/bin/python3 "$here/make_inputs.py" "$data" "$inputs"
java -cp /usr/share/java/lucene-core-8.7.0.jar:/usr/share/java/lucene-analyzers-common-8.7.0.jar \
  "$here/LuceneAnalyzerGolden.java" "$inputs" "$here/lucene-english-analyzer.jsonl"
