#!/usr/bin/python3
"""Writes the PyTorch parity fixtures for the C# tests (tests/RnnNotebooks.Tests/Fixtures/Torch).

Run with Debian's python3-torch:  /usr/bin/python3 tests/fixtures-torch/make_fixtures.py

For every case: random inputs and weights in PyTorch, a forward pass, and the backward pass of
L = sum(output * R) for a fixed random R (so dL/doutput = R, stored as "dOut"). The weights and
their gradients are converted to Keras layout (docs/keras-semantics.md#pytorch-layout) before writing:
kernels transposed, SimpleRNN/LSTM bias b = b_ih + b_hh (whose gradient is dL/db_ih), GRU gate
blocks r,z,n reordered to z,r,h with bias (2, 3u) = [input bias; recurrent bias] (reset_after=True).
Values are float32 written in their shortest round-trip form, so C# float.Parse gives them back
bit for bit.
"""

import json
import os
import sys

import numpy as np
import torch
from torch import nn

BATCH, STEPS, FEATURES, UNITS = 3, 5, 4, 6
OUT_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "RnnNotebooks.Tests", "Fixtures", "Torch")
)


def f32(value):
    """Shortest decimal that reads back as the same float32 (numpy's Dragon4)."""
    text = np.format_float_positional(value, unique=True, trim="-") if abs(value) >= 1e-4 or value == 0 else None
    if text is None:
        text = np.format_float_scientific(value, unique=True, trim="-")
    assert np.float32(text) == value, (text, value)
    return text


class Fixture:
    def __init__(self, case, description):
        self.case = case
        self.arrays = {}
        self.meta = {"description": description}

    def add(self, name, tensor):
        array = tensor.detach().cpu().numpy().astype(np.float32)
        self.arrays[name] = array

    def write(self):
        lines = ["{", f'  "case": {json.dumps(self.case)},', f'  "torch_version": {json.dumps(torch.__version__)},']
        lines.append('  "arrays": {')
        entries = []
        for name, array in self.arrays.items():
            data = ", ".join(f32(np.float32(v)) for v in array.reshape(-1))
            entries.append(f'    {json.dumps(name)}: {{"shape": {json.dumps(list(array.shape))}, "data": [{data}]}}')
        lines.append(",\n".join(entries))
        lines.append("  },")
        lines.append(f'  "meta": {json.dumps(self.meta, sort_keys=True)}')
        lines.append("}")
        text = "\n".join(lines) + "\n"
        json.loads(text)  # must be valid JSON
        path = os.path.join(OUT_DIR, f"{self.case}.json")
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
        print(f"{os.path.relpath(path)}: {len(text)} bytes")


def backprop(output, fixture):
    """L = sum(output * R); stores R as dOut and runs backward."""
    r = torch.randn(output.shape)
    fixture.add("dOut", r)
    (output * r).sum().backward()


# ---------------------------------------------------------------- Keras layout of torch weights


def rnn_weights(module, suffix, gates):
    """(kernel, recurrent_kernel, bias) and their gradients in Keras layout for SimpleRNN (gates=1) / LSTM (4).

    PyTorch's gate order i,f,g,o equals Keras' i,f,c,o, so only transposes and the bias sum are needed.
    """
    w_ih = getattr(module, "weight_ih" + suffix)
    w_hh = getattr(module, "weight_hh" + suffix)
    b_ih = getattr(module, "bias_ih" + suffix)
    b_hh = getattr(module, "bias_hh" + suffix)
    assert w_ih.shape[0] == gates * w_hh.shape[1]
    weights = {"kernel": w_ih.t(), "recurrent_kernel": w_hh.t(), "bias": b_ih + b_hh}
    grads = {"kernel": w_ih.grad.t(), "recurrent_kernel": w_hh.grad.t(), "bias": b_ih.grad}
    return weights, grads


def gru_weights(module, suffix):
    """GRU reset_after=True: torch row blocks r,z,n -> Keras column blocks z,r,h; bias (2, 3u)."""
    units = module.hidden_size

    def reorder(t):  # along dim 0: [r; z; n] -> [z; r; n]
        r, z, n = t[:units], t[units : 2 * units], t[2 * units :]
        return torch.cat([z, r, n], dim=0)

    w_ih = getattr(module, "weight_ih" + suffix)
    w_hh = getattr(module, "weight_hh" + suffix)
    b_ih = getattr(module, "bias_ih" + suffix)
    b_hh = getattr(module, "bias_hh" + suffix)
    weights = {
        "kernel": reorder(w_ih).t(),
        "recurrent_kernel": reorder(w_hh).t(),
        "bias": torch.stack([reorder(b_ih), reorder(b_hh)]),
    }
    grads = {
        "kernel": reorder(w_ih.grad).t(),
        "recurrent_kernel": reorder(w_hh.grad).t(),
        "bias": torch.stack([reorder(b_ih.grad), reorder(b_hh.grad)]),
    }
    return weights, grads


def add_weights(fixture, prefix, weights, grads):
    for name in ("kernel", "recurrent_kernel", "bias"):
        fixture.add(prefix + name, weights[name])
        fixture.add("grad_" + prefix + name, grads[name])
    return [prefix + name for name in ("kernel", "recurrent_kernel", "bias")]


# ---------------------------------------------------------------- cases


def recurrent_case(case, kind, return_sequences, go_backwards=False, description=""):
    """One SimpleRNN / LSTM / GRU layer on x (batch, T, F)."""
    fixture = Fixture(case, description)
    module_type = {"SimpleRNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[kind]
    module = module_type(FEATURES, UNITS, batch_first=True)
    x = torch.randn(BATCH, STEPS, FEATURES, requires_grad=True)
    # Keras' go_backwards reads x_{T-1} first and returns outputs in processing order: that is
    # a forward torch run over the time-flipped input.
    seq, state = module(x.flip(1) if go_backwards else x)
    h_n, c_n = state if kind == "LSTM" else (state, None)
    output = seq if return_sequences else seq[:, -1]
    fixture.add("x", x)
    fixture.add("output", output)
    fixture.add("final_h", h_n[0])
    if c_n is not None:
        fixture.add("final_c", c_n[0])
    backprop(output, fixture)
    fixture.add("grad_x", x.grad)
    weights, grads = gru_weights(module, "_l0") if kind == "GRU" else rnn_weights(module, "_l0", 1 if kind == "SimpleRNN" else 4)
    names = add_weights(fixture, "", weights, grads)
    fixture.meta.update(
        {
            "layers": [
                {
                    "class_name": kind,
                    "units": UNITS,
                    "return_sequences": return_sequences,
                    "go_backwards": go_backwards,
                    "activation": "tanh",
                    "recurrent_activation": "sigmoid" if kind != "SimpleRNN" else None,
                    "reset_after": True if kind == "GRU" else None,
                    "weights": names,
                }
            ],
            "input_shape": [STEPS, FEATURES],
        }
    )
    fixture.write()


def bidirectional_case(case, return_sequences):
    fixture = Fixture(
        case,
        "Bidirectional(LSTM, merge_mode='concat'); sequences are time-aligned [fwd | bwd], "
        "the last-step output is cat(h_n fwd, h_n bwd) (the backward half is its state after x_0)",
    )
    module = nn.LSTM(FEATURES, UNITS, batch_first=True, bidirectional=True)
    x = torch.randn(BATCH, STEPS, FEATURES, requires_grad=True)
    seq, (h_n, c_n) = module(x)
    output = seq if return_sequences else torch.cat([h_n[0], h_n[1]], dim=1)
    fixture.add("x", x)
    fixture.add("output", output)
    fixture.add("final_h_forward", h_n[0])
    fixture.add("final_c_forward", c_n[0])
    fixture.add("final_h_backward", h_n[1])
    fixture.add("final_c_backward", c_n[1])
    backprop(output, fixture)
    fixture.add("grad_x", x.grad)
    names = add_weights(fixture, "forward_", *rnn_weights(module, "_l0", 4))
    names += add_weights(fixture, "backward_", *rnn_weights(module, "_l0_reverse", 4))
    fixture.meta.update(
        {
            "layers": [
                {
                    "class_name": "Bidirectional",
                    "merge_mode": "concat",
                    "layer": {"class_name": "LSTM", "units": UNITS, "recurrent_activation": "sigmoid"},
                    "return_sequences": return_sequences,
                    "weights": names,
                }
            ],
            "input_shape": [STEPS, FEATURES],
        }
    )
    fixture.write()


def stacked_lstm_case():
    units2 = 5  # a different width for the second layer catches mixed-up shapes
    fixture = Fixture(
        "lstm_stacked",
        f"LSTM({UNITS}, return_sequences=True) -> LSTM({units2}); output = last step of the second layer",
    )
    first = nn.LSTM(FEATURES, UNITS, batch_first=True)
    second = nn.LSTM(UNITS, units2, batch_first=True)
    x = torch.randn(BATCH, STEPS, FEATURES, requires_grad=True)
    seq1, (h1, c1) = first(x)
    seq2, (h2, c2) = second(seq1)
    output = seq2[:, -1]
    fixture.add("x", x)
    fixture.add("output", output)
    fixture.add("hidden_sequence", seq1)
    fixture.add("final_h_1", h1[0])
    fixture.add("final_c_1", c1[0])
    fixture.add("final_h_2", h2[0])
    fixture.add("final_c_2", c2[0])
    backprop(output, fixture)
    fixture.add("grad_x", x.grad)
    names1 = add_weights(fixture, "lstm1_", *rnn_weights(first, "_l0", 4))
    names2 = add_weights(fixture, "lstm2_", *rnn_weights(second, "_l0", 4))
    fixture.meta.update(
        {
            "layers": [
                {"class_name": "LSTM", "units": UNITS, "return_sequences": True, "weights": names1},
                {"class_name": "LSTM", "units": units2, "return_sequences": False, "weights": names2},
            ],
            "input_shape": [STEPS, FEATURES],
        }
    )
    fixture.write()


def embedding_dense_case(case, flatten, units, activation):
    vocab, dim = 10, FEATURES
    description = (
        f"Embedding({vocab}, {dim}) -> "
        + ("Flatten -> " if flatten else "")
        + f"Dense({units}, {activation})"
        + ("" if flatten else " at every timestep")
    )
    fixture = Fixture(case, description)
    embedding = nn.Embedding(vocab, dim)
    linear = nn.Linear(STEPS * dim if flatten else dim, units)
    ids = torch.randint(0, vocab, (BATCH, STEPS))
    ids[0, 0], ids[0, 1], ids[1, 0] = 0, vocab - 1, vocab - 1  # both ends of the id range, one id repeated
    vectors = embedding(ids)
    hidden = vectors.reshape(BATCH, -1) if flatten else vectors
    z = linear(hidden)
    output = torch.softmax(z, dim=-1) if activation == "softmax" else torch.sigmoid(z)
    fixture.add("x", ids.float())
    fixture.add("embedded", vectors)
    fixture.add("output", output)
    backprop(output, fixture)
    fixture.add("embeddings", embedding.weight)
    fixture.add("grad_embeddings", embedding.weight.grad)
    fixture.add("kernel", linear.weight.t())
    fixture.add("grad_kernel", linear.weight.grad.t())
    fixture.add("bias", linear.bias)
    fixture.add("grad_bias", linear.bias.grad)
    layers = [{"class_name": "Embedding", "input_dim": vocab, "output_dim": dim, "weights": ["embeddings"]}]
    if flatten:
        layers.append({"class_name": "Flatten"})
    layers.append({"class_name": "Dense", "units": units, "activation": activation, "weights": ["kernel", "bias"]})
    fixture.meta.update({"layers": layers, "input_shape": [STEPS]})
    fixture.write()


def main():
    torch.manual_seed(20240611)
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    recurrent_case("simple_rnn_sequences", "SimpleRNN", True, description="SimpleRNN(return_sequences=True)")
    recurrent_case("simple_rnn_last", "SimpleRNN", False, description="SimpleRNN, last output")
    recurrent_case(
        "simple_rnn_go_backwards_sequences",
        "SimpleRNN",
        True,
        go_backwards=True,
        description="SimpleRNN(go_backwards=True, return_sequences=True): outputs in processing order (reversed)",
    )
    recurrent_case(
        "simple_rnn_go_backwards_last",
        "SimpleRNN",
        False,
        go_backwards=True,
        description="SimpleRNN(go_backwards=True): output after reading x_0",
    )
    recurrent_case("lstm_last", "LSTM", False, description="LSTM(recurrent_activation='sigmoid'), last output")
    recurrent_case(
        "lstm_sequences", "LSTM", True, description="LSTM(recurrent_activation='sigmoid', return_sequences=True)"
    )
    recurrent_case("gru_last", "GRU", False, description="GRU(reset_after=True, recurrent_activation='sigmoid')")
    recurrent_case(
        "gru_sequences",
        "GRU",
        True,
        description="GRU(reset_after=True, recurrent_activation='sigmoid', return_sequences=True)",
    )
    bidirectional_case("bidirectional_lstm_last", False)
    bidirectional_case("bidirectional_lstm_sequences", True)
    stacked_lstm_case()
    embedding_dense_case("embedding_dense_softmax", flatten=False, units=7, activation="softmax")
    embedding_dense_case("embedding_flatten_dense_sigmoid", flatten=True, units=1, activation="sigmoid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
