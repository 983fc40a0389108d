#!/usr/bin/python3
"""Writes the safetensors import fixtures (tests/RnnNotebooks.Tests/Fixtures/TorchSafetensors).

Run with Debian's python3-torch:  /usr/bin/python3 tests/fixtures-torch/make_safetensors_fixtures.py

Each case is a small stack of torch.nn modules with random weights. PyTorch writes
  <case>.safetensors     its state_dict, module names as the C# layer names, {"format": "pt"} metadata
                         only (what safetensors.torch.save_file writes; no RnnNotebooks metadata), and
  <case>.io.safetensors  the input "x" (token ids as floats for Embedding) and PyTorch's "output".
The C# test (PyTorchWeightsTests) builds the equivalent Keras-style model, imports the first file
with model.LoadPyTorchWeights and compares its Predict with "output" (1e-5). Deterministic: the
files are byte-identical on every run. No `safetensors` package needed (safetensors_torch.py).
"""

import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_torch import write_safetensors  # noqa: E402

BATCH, STEPS, FEATURES, UNITS = 3, 5, 4, 6
OUT_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "RnnNotebooks.Tests", "Fixtures", "TorchSafetensors")
)


def uniform(module, scale=0.5):
    """Weights drawn from U(-scale, scale), biases included, so that bias_hh is not zero."""
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-scale, scale)
    return module


def write(case, modules, x, output):
    state = {}
    for name, module in modules.items():
        for key, value in module.state_dict().items():
            state[f"{name}.{key}"] = value
    write_safetensors(os.path.join(OUT_DIR, case + ".safetensors"), state, {"format": "pt"})
    write_safetensors(os.path.join(OUT_DIR, case + ".io.safetensors"), {"x": x, "output": output})
    print(f"{case}: {', '.join(f'{k} {list(v.shape)}' for k, v in state.items())}")


def main():
    torch.manual_seed(20261129)
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    x = torch.randn(BATCH, STEPS, FEATURES)

    # SimpleRNN(relu, return_sequences) = nn.RNN(nonlinearity="relu")
    rnn = uniform(nn.RNN(FEATURES, UNITS, nonlinearity="relu", batch_first=True))
    write("rnn_relu_sequences", {"simple_rnn": rnn}, x, rnn(x)[0])

    # SimpleRNN(use_bias=False, go_backwards): nn.RNN(bias=False) on the reversed sequence, last step
    rnn = uniform(nn.RNN(FEATURES, UNITS, bias=False, batch_first=True))
    write("rnn_no_bias_go_backwards", {"simple_rnn": rnn}, x, rnn(x.flip(1))[0][:, -1])

    # LSTM(recurrent_activation=sigmoid) -> Dense(3, softmax)
    lstm = uniform(nn.LSTM(FEATURES, UNITS, batch_first=True))
    dense = uniform(nn.Linear(UNITS, 3))
    out = torch.softmax(dense(lstm(x)[0][:, -1]), dim=-1)
    write("lstm_dense_softmax", {"lstm": lstm, "dense": dense}, x, out)

    # GRU(reset_after=True, recurrent_activation=sigmoid, return_sequences)
    gru = uniform(nn.GRU(FEATURES, UNITS, batch_first=True))
    write("gru_sequences", {"gru": gru}, x, gru(x)[0])

    # Bidirectional(LSTM(return_sequences)), concat = nn.LSTM(bidirectional=True)'s output
    lstm = uniform(nn.LSTM(FEATURES, UNITS, batch_first=True, bidirectional=True))
    write("bidirectional_lstm_sequences", {"bidirectional": lstm}, x, lstm(x)[0])

    # Bidirectional(GRU), last outputs, merge_mode sum: forward's last step + reverse's step 0
    gru = uniform(nn.GRU(FEATURES, UNITS, batch_first=True, bidirectional=True))
    out = gru(x)[0]
    write("bidirectional_gru_sum", {"bidirectional": gru}, x, out[:, -1, :UNITS] + out[:, 0, UNITS:])

    # Embedding(20, 4) -> LSTM(6) -> Dense(1, sigmoid)
    ids = torch.randint(0, 20, (BATCH, STEPS))
    embedding = uniform(nn.Embedding(20, FEATURES))
    lstm = uniform(nn.LSTM(FEATURES, UNITS, batch_first=True))
    dense = uniform(nn.Linear(UNITS, 1))
    out = torch.sigmoid(dense(lstm(embedding(ids))[0][:, -1]))
    write("embedding_lstm_dense", {"embedding": embedding, "lstm": lstm, "dense": dense}, ids.float(), out)


if __name__ == "__main__":
    with torch.no_grad():
        main()
