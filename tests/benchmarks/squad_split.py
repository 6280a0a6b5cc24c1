#!/usr/bin/python3
"""Writes a BEIR folder holding one article split of SQuAD v1.1 dev (../shared/data/squad-v1.1-dev/article_splits.json):
the split's paragraphs as the corpus, its questions, and qrels/test.tsv. Split A is tuning data (choose models, fusion
weights on it); split B stays held out.
    /usr/bin/python3 tests/benchmarks/squad_split.py --split A --out /tmp/squad-a"""
import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument('--split', choices=['A', 'B'], default='A')
parser.add_argument('--data', default=os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data', 'squad-v1.1-dev'))
parser.add_argument('--out', required=True)
args = parser.parse_args()

splits = json.load(open(os.path.join(args.data, 'article_splits.json')))
key = 'split_A_bloomsbury_dev_half' if args.split == 'A' else 'split_B_bloomsbury_test_half'
articles = set(splits[key])
beir = os.path.join(args.data, 'beir_format')
os.makedirs(os.path.join(args.out, 'qrels'), exist_ok=True)
kept = set()
with open(os.path.join(beir, 'corpus.jsonl')) as source, open(os.path.join(args.out, 'corpus.jsonl'), 'w') as target:
    for line in source:
        document = json.loads(line)
        if document['_id'].rsplit('#', 1)[0] in articles:
            kept.add(document['_id'])
            target.write(line)
questions = set()
with open(os.path.join(beir, 'qrels', 'test.tsv')) as source, open(os.path.join(args.out, 'qrels', 'test.tsv'), 'w') as target:
    target.write(next(source))
    for line in source:
        query, passage, _ = line.rstrip('\n').split('\t')
        if passage in kept:
            questions.add(query)
            target.write(line)
with open(os.path.join(beir, 'queries.jsonl')) as source, open(os.path.join(args.out, 'queries.jsonl'), 'w') as target:
    for line in source:
        if json.loads(line)['_id'] in questions:
            target.write(line)
print(f'split {args.split}: {len(articles)} articles, {len(kept)} paragraphs, {len(questions)} questions -> {args.out}')
