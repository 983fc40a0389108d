#!/usr/bin/python3
"""Checks the fixtures against the Keras equations (docs/keras-semantics.md#simplernn, #lstm, #gru, #bidirectional,
#embedding, #dense), independently of PyTorch.

Run:  /usr/bin/python3 tests/fixtures-torch/check_fixtures.py

Re-implements each case's Keras layers in float64 numpy from the Keras-layout weights stored in the
fixture, and checks (1) the forward output against the PyTorch output and (2) every stored gradient
against central differences of L = sum(output * dOut). This validates the layout conversion in
make_fixtures.py (transposes, bias sums, GRU block reordering, Bidirectional output) before the C#
tests rely on it. Needs only numpy.
"""

import glob
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "RnnNotebooks.Tests", "Fixtures", "Torch"))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def run_rnn(kind, x, w, go_backwards=False, return_sequences=False):
    """Keras SimpleRNN / LSTM / GRU(reset_after=True); x (B, T, F). Returns output, final states."""
    kernel, recurrent, bias = w
    batch, steps, _ = x.shape
    units = recurrent.shape[0]
    h = np.zeros((batch, units))
    c = np.zeros((batch, units))
    outputs = []
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for t in order:
        xt = x[:, t]
        if kind == "SimpleRNN":
            h = np.tanh(xt @ kernel + bias + h @ recurrent)
        elif kind == "LSTM":
            z = xt @ kernel + h @ recurrent + bias
            i, f, g, o = (z[:, k * units : (k + 1) * units] for k in range(4))
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
        elif kind == "GRU":
            xi = xt @ kernel + bias[0]
            hr = h @ recurrent + bias[1]
            z = sigmoid(xi[:, :units] + hr[:, :units])
            r = sigmoid(xi[:, units : 2 * units] + hr[:, units : 2 * units])
            hh = np.tanh(xi[:, 2 * units :] + r * hr[:, 2 * units :])
            h = z * h + (1 - z) * hh
        outputs.append(h)
    seq = np.stack(outputs, axis=1)
    return (seq if return_sequences else h), (h, c)


def model(case, meta, a, states=None):
    """The case's forward pass as a function of the named arrays a (float64); fills states by fixture name."""
    states = {} if states is None else states
    layers = meta["layers"]
    x = a["x"]
    for number, layer in enumerate(layers, start=1):
        kind = layer["class_name"]
        suffix = f"_{number}" if len(layers) > 1 else ""
        if kind in ("SimpleRNN", "LSTM", "GRU"):
            w = [a[n] for n in layer["weights"]]
            x, (h, c) = run_rnn(kind, x, w, layer.get("go_backwards", False), layer["return_sequences"])
            states["final_h" + suffix], states["final_c" + suffix] = h, c
            if layer["return_sequences"] and number < len(layers):
                states["hidden_sequence"] = x
        elif kind == "Bidirectional":
            n = layer["weights"]
            fwd, (h, c) = run_rnn("LSTM", x, [a[k] for k in n[:3]], False, layer["return_sequences"])
            states["final_h_forward"], states["final_c_forward"] = h, c
            bwd, (h, c) = run_rnn("LSTM", x, [a[k] for k in n[3:]], True, layer["return_sequences"])
            states["final_h_backward"], states["final_c_backward"] = h, c
            if layer["return_sequences"]:
                bwd = bwd[:, ::-1]  # Keras flips the backward sequence back to input order
            x = np.concatenate([fwd, bwd], axis=-1)
        elif kind == "Embedding":
            x = a["embeddings"][x.astype(int)]
            states["embedded"] = x
        elif kind == "Flatten":
            x = x.reshape(x.shape[0], -1)
        elif kind == "Dense":
            z = x @ a["kernel"] + a["bias"]
            if layer["activation"] == "softmax":
                e = np.exp(z - z.max(axis=-1, keepdims=True))
                x = e / e.sum(axis=-1, keepdims=True)
            else:
                x = sigmoid(z)
        else:
            raise ValueError(f"{case}: unknown layer {kind}")
    return x


def check(path):
    with open(path, encoding="utf-8") as f:
        fixture = json.load(f)
    case, meta = fixture["case"], fixture["meta"]
    a = {k: np.array(v["data"], dtype=np.float64).reshape(v["shape"]) for k, v in fixture["arrays"].items()}
    states = {}
    worst_forward = np.abs(model(case, meta, a, states) - a["output"]).max()
    assert worst_forward < 1e-5, f"{case}: forward differs by {worst_forward}"
    stored = [k for k in states if k in a]
    assert len(stored) == len([k for k in a if k.startswith(("final_", "hidden_", "embedded"))]), case
    for name in stored:
        worst = np.abs(states[name] - a[name]).max()
        assert worst < 1e-5, f"{case}: {name} differs by {worst}"
    r = a["dOut"]

    def loss(arrays):
        return float((model(case, meta, arrays) * r).sum())

    worst_grad = 0.0
    differentiable = [k[5:] for k in a if k.startswith("grad_") and not (k == "grad_x" and "embeddings" in a)]
    for name in differentiable:
        analytic = a["grad_" + name]
        numeric = np.zeros_like(analytic)
        base = a[name]
        for idx in np.ndindex(base.shape):
            eps = 1e-6
            plus, minus = dict(a), dict(a)
            plus[name], minus[name] = base.copy(), base.copy()
            plus[name][idx] += eps
            minus[name][idx] -= eps
            numeric[idx] = (loss(plus) - loss(minus)) / (2 * eps)
        worst_grad = max(worst_grad, np.abs(numeric - analytic).max())
        assert np.allclose(numeric, analytic, atol=1e-4, rtol=1e-4), f"{case}: gradient of {name} differs"
    print(f"{case}: forward within {worst_forward:.1e}, {len(stored)} states, {len(differentiable)} gradients within {worst_grad:.1e}")


def main():
    paths = sorted(glob.glob(os.path.join(FIXTURES, "*.json")))
    assert paths, f"no fixtures in {FIXTURES}"
    for path in paths:
        check(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
