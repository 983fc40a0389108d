#!/usr/bin/python3
"""Loads a model exported by RnnNotebooks (model.SavePyTorchWeights) into torch.nn and compares outputs.

    /usr/bin/python3 tests/fixtures-torch/check_safetensors_export.py MODEL.safetensors IO.safetensors [TOLERANCE]

IO.safetensors holds the input "x" and the C# model's "output". The model file is loaded with
safetensors_torch.TorchSequential (nn.RNN/LSTM/GRU/Embedding/Linear, state_dict loaded strictly);
prints "max_abs_diff <value>" and exits 1 when the outputs differ by more than TOLERANCE (1e-5).
Run by the C# test PyTorchWeightsTests.Export_LoadsIntoTorchNn_AndMatchesOutputs.
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_torch import TorchSequential, read_safetensors  # noqa: E402


def main(model_path, io_path, tolerance=1e-5):
    torch.set_num_threads(1)
    model = TorchSequential(model_path).eval()
    io, _ = read_safetensors(io_path)
    with torch.no_grad():
        output = model(io["x"])
    expected = io["output"]
    if tuple(output.shape) != tuple(expected.shape):
        print(f"shape mismatch: torch {list(output.shape)}, C# {list(expected.shape)}")
        return 1
    diff = (output - expected).abs().max().item()
    print(f"max_abs_diff {diff:.3e} over {expected.numel()} values, torch {torch.__version__}")
    return 0 if diff <= tolerance else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5))
