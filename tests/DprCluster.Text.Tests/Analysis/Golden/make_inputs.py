"""Builds the analyzer golden set's inputs: SciFact passages and queries, NFCorpus and SQuAD questions from
../shared/data, plus adversarial strings. Output lines: label<TAB>base64(UTF-8 text). Run by make-golden.sh."""
import base64, json, sys

data, out_path = sys.argv[1], sys.argv[2]
inputs = []

def add(label, text):
    inputs.append(label + "\t" + base64.b64encode(text.encode("utf-8")).decode("ascii"))

with open(f"{data}/scifact/corpus.jsonl", encoding="utf-8") as f:
    for i, line in enumerate(f):
        if i % 10 == 0:  # every tenth passage: 519 passages
            doc = json.loads(line)
            add(f"scifact/corpus/{doc['_id']}", doc["title"] + " " + doc["text"])
with open(f"{data}/scifact/queries.jsonl", encoding="utf-8") as f:
    for line in f:
        query = json.loads(line)
        add(f"scifact/queries/{query['_id']}", query["text"])
with open(f"{data}/nfcorpus-orig-test/beir_format/queries.jsonl", encoding="utf-8") as f:
    for line in f:
        query = json.loads(line)
        add(f"nfcorpus/queries/{query['_id']}", query["text"])
with open(f"{data}/squad-v1.1-dev/beir_format/queries.jsonl", encoding="utf-8") as f:
    for i, line in enumerate(f):
        if i % 20 == 0:
            query = json.loads(line)
            add(f"squad/queries/{query['_id']}", query["text"])

adversarial = [
    "", " ", "\t\n\r", "!!! --- ???", "The quick brown fox jumps over the lazy dog.",
    "don't", "O'Reilly's book", "the dogs' bones", "John\u2019s car", "JOHN'S", "John\uff07s", "it's", "rock'n'roll",
    "U.S.A. today", "e.g. this", "a:b", "end. Next", "a..b", "a.b.c", "a.1", "1.a",
    "pi is 3.14159", "1,000,000 cells", "version 1.2.3", ".5 mg", "1-800-555-1212", "12,5;3", "$100 and 100%",
    "H2O and CO2", "IL-6 and TNF-alpha", "TNF-\u03b1", "covid-19", "abc3.14def", "B2B 2B 2b3c",
    "snake_case_name", "_private", "___", "x86_64", "foo__bar_", "\u203fundertie",
    "AT&T", "C++ code", "C# and F#", "mail@example.com", "http://example.com/path?q=1&r=2#frag", "p<0.05",
    "(see Fig. 2)", "10.1016/j.cell.2020.01.001", "IPv6 fe80::1 and ::1",
    "\u03b2-cell", "\u03b11-antitrypsin", "caf\u00e9 na\u00efve", "\u00dcn\u00efc\u00f8d\u00e9", "\u01c5emal", "\u0130stanbul",
    "Stra\u00dfe STRASSE", "\u0391\u0392\u0393 \u03b1\u03b2\u03b3", "\u041c\u043e\u0441\u043a\u0432\u0430 \u0438 \u041a\u0438\u0435\u0432",
    "\u4e2d\u6587\u5b57\u7b26", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8", "\u30ab\u30bf\u30ab\u30ca", "\u3072\u3089\u304c\u306a",
    "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8", "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22", "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd",
    "\u05d0\"\u05d1 \u05d0'", "\u0645\u0631\u062d\u0628\u0627", "\u0928\u092e\u0938\u094d\u0924\u0947",
    "\U0001f44d\U0001f3fd", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea", "I \u2764 NY",
    "I \u2764\ufe0f NY", "\u00a9 2020 \u00ae \u2122", "keycap 1\ufe0f\u20e3 #\u20e3", "sun \u2600 and \u2192 arrow",
    "zero\u200bwidth", "soft\u00adhyphen", "zero\u200djoiner", "cafe\u0301", "\u0301leading mark",
    "\u2160 \u216b \u2460 \u00bd \u00b2 x\u00b2", "\ufb01ligature", "\uff21\uff22\uff23 \uff11\uff12\uff13", "\u00b5m and \u00b0C and \u2103",
    "tab\tseparated\u00a0nbsp\u2003em\u3000ideographic", "line\u2028separator", "ctrl\u0001\u0007chars",
    "students' papers", "The AND of IS it", "Connections of the networks running",
    "generalizations oscillators hopefulness possibly etymology agreed ponies", "SSES ies eed ing",
    "a" * 300, ("b" * 254) + "\U0001d400" + "cc", "x" * 255 + "yz",
]
for i, text in enumerate(adversarial):
    add(f"adversarial/{i}", text)

with open(out_path, "w", encoding="utf-8") as f:
    f.write("\n".join(inputs) + "\n")
