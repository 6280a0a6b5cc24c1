#!/usr/bin/python3
"""Writes small random BERT-layout ONNX models for DprCluster's encoder tests and benchmarks.

Run with Debian's python3-onnx (`/usr/bin/python3`, `apt-get install python3-onnx`):

    /usr/bin/python3 tools/encoder/generate_tiny_bert.py            # the committed test models under tests/models/
    /usr/bin/python3 tools/encoder/generate_tiny_bert.py --preset bench --out DIR   # a larger model for benchmarks

The graph is a standard BERT encoder (embeddings + post-LN transformer layers + tanh pooler) built from plain ONNX ops
(opset 17), with random weights from a fixed seed, so the same command always writes the same bytes.
Vocabularies derive from ../shared/models/bert-base-uncased-tokenizer: the test model keeps the special tokens, every
single-character piece (so WordPiece can spell any word) and the most frequent words, renumbered, which keeps the
embedding table and the committed file small.
"""
import argparse
import copy
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_TOKENIZER = os.path.join(REPO, "..", "shared", "models", "bert-base-uncased-tokenizer")
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def read_vocab():
    with open(os.path.join(SHARED_TOKENIZER, "vocab.txt"), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def subset_vocab(full, words):
    """Specials, every one-character piece and ##piece, and the first `words` longer entries, in BERT's order."""
    chosen = list(SPECIALS)
    taken = 0
    for token in full:
        if token in SPECIALS or token.startswith("[unused"):
            continue
        core = token[2:] if token.startswith("##") else token
        if len(core) == 1:
            chosen.append(token)
        elif taken < words:
            chosen.append(token)
            taken += 1
    return chosen


def char_vocab():
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)] + [str(d) for d in range(10)] + list(".,?!'-")
    return SPECIALS + letters + ["##" + c for c in letters]


class Builder:
    def __init__(self, seed, scale):
        self.rng = np.random.default_rng(seed)
        self.scale = scale
        self.nodes = []
        self.inits = []
        self.counter = 0

    def name(self, prefix):
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def weight(self, name, shape, value=None):
        if value is None:
            value = self.rng.normal(0.0, self.scale, size=shape).astype(np.float32)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def const(self, value, dtype=np.int64):
        name = self.name("const")
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type, inputs, output=None, **attrs):
        output = output or self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [output], **attrs))
        return output

    def linear(self, x, prefix, n_in, n_out):
        w = self.weight(f"{prefix}.weight", (n_in, n_out))
        b = self.weight(f"{prefix}.bias", (n_out,))
        return self.op("Add", [self.op("MatMul", [x, w]), b])

    def layer_norm(self, x, prefix, hidden):
        g = self.weight(f"{prefix}.gamma", (hidden,), 1.0 + self.rng.normal(0, 0.05, hidden).astype(np.float32))
        b = self.weight(f"{prefix}.beta", (hidden,))
        return self.op("LayerNormalization", [x, g, b], axis=-1, epsilon=1e-12)


def build(vocab_size, hidden, layers, heads, seed, input_names, outputs, token_types, max_positions=512):
    ids_name, mask_name, types_name = input_names
    b = Builder(seed, 0.1)
    head_dim = hidden // heads
    words = b.op("Gather", [b.weight("embeddings.word", (vocab_size, hidden)), ids_name])
    length = b.op("Gather", [b.op("Shape", [ids_name]), b.const(1)], axis=0)
    positions = b.op("Range", [b.const(0), length, b.const(1)])
    x = b.op("Add", [words, b.op("Gather", [b.weight("embeddings.position", (max_positions, hidden)), positions])])
    if token_types:
        x = b.op("Add", [x, b.op("Gather", [b.weight("embeddings.token_type", (2, hidden)), types_name])])
    x = b.layer_norm(x, "embeddings.norm", hidden)

    mask = b.op("Cast", [mask_name], to=TensorProto.FLOAT)
    blocked = b.op("Mul", [b.op("Sub", [b.const(1.0, np.float32), mask]), b.const(-10000.0, np.float32)])
    bias = b.op("Unsqueeze", [blocked, b.const([1, 2])])
    split_shape = b.const([0, 0, heads, head_dim])
    merge_shape = b.const([0, 0, hidden])
    for i in range(layers):
        p = f"layer{i}"
        q = b.op("Transpose", [b.op("Reshape", [b.linear(x, f"{p}.query", hidden, hidden), split_shape])], perm=[0, 2, 1, 3])
        k = b.op("Transpose", [b.op("Reshape", [b.linear(x, f"{p}.key", hidden, hidden), split_shape])], perm=[0, 2, 3, 1])
        v = b.op("Transpose", [b.op("Reshape", [b.linear(x, f"{p}.value", hidden, hidden), split_shape])], perm=[0, 2, 1, 3])
        scores = b.op("Add", [b.op("Mul", [b.op("MatMul", [q, k]), b.const(1.0 / np.sqrt(head_dim), np.float32)]), bias])
        context = b.op("MatMul", [b.op("Softmax", [scores], axis=-1), v])
        context = b.op("Reshape", [b.op("Transpose", [context], perm=[0, 2, 1, 3]), merge_shape])
        x = b.layer_norm(b.op("Add", [b.linear(context, f"{p}.attention_output", hidden, hidden), x]), f"{p}.attention_norm", hidden)
        h = b.linear(x, f"{p}.intermediate", hidden, 4 * hidden)
        erf = b.op("Erf", [b.op("Div", [h, b.const(np.sqrt(2.0), np.float32)])])
        gelu = b.op("Mul", [b.op("Mul", [h, b.op("Add", [erf, b.const(1.0, np.float32)])]), b.const(0.5, np.float32)])
        x = b.layer_norm(b.op("Add", [b.linear(gelu, f"{p}.output", 4 * hidden, hidden), x]), f"{p}.output_norm", hidden)

    graph_outputs = []
    last_name = outputs[0]
    b.op("Identity", [x], output=last_name)
    graph_outputs.append(helper.make_tensor_value_info(last_name, TensorProto.FLOAT, ["batch_size", "sequence_length", hidden]))
    for extra in outputs[1:]:
        if extra == "pooler_output":
            cls = b.op("Gather", [x, b.const(0)], axis=1)
            b.op("Tanh", [b.linear(cls, "pooler.dense", hidden, hidden)], output=extra)
        elif extra == "sentence_embedding":
            # Masked mean over tokens, as sentence-transformers exports compute it.
            m = b.op("Unsqueeze", [mask, b.const([2])])
            total = b.op("ReduceSum", [b.op("Mul", [x, m]), b.const([1])], keepdims=0)
            count = b.op("Max", [b.op("ReduceSum", [m, b.const([1])], keepdims=0), b.const(1e-9, np.float32)])
            b.op("Div", [total, count], output=extra)
        graph_outputs.append(helper.make_tensor_value_info(extra, TensorProto.FLOAT, ["batch_size", hidden]))

    graph_inputs = [helper.make_tensor_value_info(ids_name, TensorProto.INT64, ["batch_size", "sequence_length"]),
                    helper.make_tensor_value_info(mask_name, TensorProto.INT64, ["batch_size", "sequence_length"])]
    if token_types:
        graph_inputs.append(helper.make_tensor_value_info(types_name, TensorProto.INT64, ["batch_size", "sequence_length"]))
    graph = helper.make_graph(b.nodes, "bert", graph_inputs, graph_outputs, b.inits)
    model = helper.make_model(graph, producer_name="dprcluster-generate_tiny_bert",
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def tokenizer_json(vocab):
    """The shared tokenizer.json with this vocabulary, and without its fixed truncation/padding (see DESIGN.md)."""
    with open(os.path.join(SHARED_TOKENIZER, "tokenizer.json"), encoding="utf-8") as f:
        spec = json.load(f)
    ids = {token: i for i, token in enumerate(vocab)}
    spec = copy.deepcopy(spec)
    spec["truncation"] = None
    spec["padding"] = None
    spec["model"]["vocab"] = ids
    for added in spec["added_tokens"]:
        added["id"] = ids[added["content"]]
    for special in spec["post_processor"]["special_tokens"].values():
        special["ids"] = [ids[t] for t in special["tokens"]]
    return spec


def write_model_dir(out, model, vocab, hidden, layers, heads, dprcluster=None):
    os.makedirs(out, exist_ok=True)
    onnx.save(model, os.path.join(out, "model.onnx"))
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab), f, ensure_ascii=False, separators=(",", ":"))
    config = {"model_type": "bert", "architectures": ["BertModel"], "hidden_size": hidden, "num_hidden_layers": layers,
              "num_attention_heads": heads, "intermediate_size": 4 * hidden, "vocab_size": len(vocab),
              "max_position_embeddings": 512, "type_vocab_size": 2, "pad_token_id": 0}
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"do_lower_case": True, "model_max_length": 512, "tokenizer_class": "BertTokenizer"}, f, indent=2)
        f.write("\n")
    if dprcluster is not None:
        with open(os.path.join(out, "dprcluster.json"), "w", encoding="utf-8") as f:
            json.dump(dprcluster, f, indent=2)
            f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=["tests", "bench"], default="tests")
    parser.add_argument("--out", help="output folder (bench preset); the tests preset writes tests/models/")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    args = parser.parse_args()
    full = read_vocab()
    inputs = ("input_ids", "attention_mask", "token_type_ids")
    if args.preset == "bench":
        if not args.out:
            parser.error("--out is required with --preset bench")
        model = build(len(full), args.hidden, args.layers, args.heads, 7, inputs, ["last_hidden_state", "pooler_output"], True)
        write_model_dir(args.out, model, full, args.hidden, args.layers, args.heads)
        return
    models = os.path.join(REPO, "tests", "models")
    vocab = subset_vocab(full, 2500)
    write_model_dir(os.path.join(models, "tiny-bert"),
                    build(len(vocab), 32, 2, 4, 1, inputs, ["last_hidden_state", "pooler_output"], True),
                    vocab, 32, 2, 4)
    chars = char_vocab()
    write_model_dir(os.path.join(models, "tiny-sentence"),
                    build(len(chars), 16, 1, 2, 2, inputs, ["last_hidden_state", "sentence_embedding"], False),
                    chars, 16, 1, 2, {"normalize": True, "query_prefix": "query: ", "passage_prefix": "passage: "})
    write_model_dir(os.path.join(models, "odd-names"),
                    build(len(chars), 8, 1, 2, 3, ("ids", "mask", "types"), ["logits"], False),
                    chars, 8, 1, 2)


if __name__ == "__main__":
    main()
