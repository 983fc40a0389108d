#!/usr/bin/python3
"""Safetensors without the `safetensors` package, and an RnnNotebooks export as torch.nn modules.

    read_safetensors(path)  -> (dict name -> torch.Tensor, metadata dict)
    write_safetensors(path, tensors, metadata=None)
    TorchSequential(path)   -> a torch.nn.Module that runs a model exported by
                               Sequential.SavePyTorchWeights (docs/pytorch-interop.md)

The format: 8-byte little-endian header length N, N bytes of JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}},
then the raw little-endian data.
"""

import json
import struct

import numpy as np
import torch
from torch import nn

DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4"}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[8 + n + begin : 8 + n + end], dtype=DTYPES[info["dtype"]])
        tensors[name] = torch.from_numpy(array.reshape(info["shape"]).copy())
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """float32 tensors, in the given order, header padded with spaces to 8 bytes (as the reference writer)."""
    header, offset, chunks = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name, tensor in tensors.items():
        raw = tensor.detach().cpu().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        chunks.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def keras_activation(name, x):
    if name in (None, "linear"):
        return x
    if name == "softmax":
        return torch.softmax(x, dim=-1)
    if name == "hard_sigmoid":
        return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)
    return {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[name](x)


class RecurrentBlock(nn.Module):
    """nn.RNN / nn.LSTM / nn.GRU plus what Keras does around it: go_backwards, return_sequences, merge_mode."""

    def __init__(self, args):
        super().__init__()
        kind = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[args["module"]]
        options = dict(
            input_size=args["input_size"],
            hidden_size=args["hidden_size"],
            num_layers=1,
            bias=args["bias"],
            batch_first=True,
            bidirectional=args["bidirectional"],
        )
        if kind is nn.RNN:
            options["nonlinearity"] = args["nonlinearity"]
        self.rnn = kind(**options)
        self.args = args

    def forward(self, x):
        a, u = self.args, self.args["hidden_size"]
        if a["go_backwards"]:  # Keras reads x_{T-1} .. x_0 and returns outputs in that order
            x = x.flip(1)
        out, _ = self.rnn(x)
        if not a["bidirectional"]:
            return out if a["return_sequences"] else out[:, -1]
        if a["return_sequences"]:
            forward, backward = out[..., :u], out[..., u:]
        else:  # the reverse direction's last step is its output at position 0
            forward, backward = out[:, -1, :u], out[:, 0, u:]
        mode = a["merge_mode"]
        if mode == "concat":
            return torch.cat([forward, backward], dim=-1)
        return {"sum": forward + backward, "mul": forward * backward, "ave": (forward + backward) / 2}[mode]


class TorchSequential(nn.Module):
    """The layers listed in the file's "rnnnotebooks.layers" metadata, with its state_dict loaded (strict)."""

    def __init__(self, path):
        super().__init__()
        tensors, metadata = read_safetensors(path)
        self.steps = []
        for layer in json.loads(metadata["rnnnotebooks.layers"]):
            name, args, config = layer["name"], layer["torch"], layer["config"]
            if args is None:  # no weights: Dropout (identity at inference), Flatten, Activation
                kind = layer["class_name"]
                if kind == "Flatten":
                    self.steps.append(lambda x: x.flatten(1))
                elif kind == "Activation":
                    self.steps.append(lambda x, f=config["activation"]: keras_activation(f, x))
                elif kind == "Dropout":
                    self.steps.append(lambda x: x)
                else:
                    raise ValueError(f"layer {name}: no torch equivalent for {kind}")
                continue
            if args["module"] == "Embedding":
                module = nn.Embedding(args["num_embeddings"], args["embedding_dim"])
                self.add_module(name, module)
                self.steps.append(lambda x, m=module: m(x.long()))
            elif args["module"] == "Linear":
                module = nn.Linear(args["in_features"], args["out_features"], bias=args["bias"])
                self.add_module(name, module)
                self.steps.append(lambda x, m=module, f=args["activation"]: keras_activation(f, m(x)))
            else:
                module = RecurrentBlock(args)
                self.add_module(name, module)
                self.steps.append(module)
        # RecurrentBlock keeps its module as .rnn: map "<name>.weight_ih_l0" to "<name>.rnn.weight_ih_l0".
        recurrent = {n for n, m in self.named_children() if isinstance(m, RecurrentBlock)}
        state = {
            (k.replace(".", ".rnn.", 1) if k.split(".")[0] in recurrent else k): v for k, v in tensors.items()
        }
        self.load_state_dict(state, strict=True)

    def forward(self, x):
        for step in self.steps:
            x = step(x)
        return x
