"""Writes the fixtures of PyTorchNamesTest: a PyTorch state dict saved as PyTorch names it.

The network below is a torch.nn.Module whose attributes are named as DLN names the layers of
names.dln (lstm_1, gru_1, rnn_1, batchnorm_1, dense_1), so its state_dict() is what
`save_file(model.state_dict(), "w.safetensors")` writes: recurrent weights as `lstm_1.weight_ih_l0`
and `lstm_1.weight_ih_l0_reverse`, batch norm's int64 `num_batches_tracked`. Written here:
  names.dln                   the network in DLN
  names.safetensors           model.state_dict() as it is (float32, the counter int64)
  names.f16.safetensors       model.half().state_dict() (float16, the counter int64)
  names.series.input.npy      a batch of 5 inputs (float32)
  names.output.npy            PyTorch's output for them in eval mode
  names.f16.output.npy        the same with the float16 weights
  mismatched.safetensors      the state dict with dense_1.bias removed, dense_1.weight transposed,
                              an extra float tensor `extra.weight` and an int64 `extra.step`
  stacked.safetensors         the state dict of the network with lstm_1 = nn.LSTM(num_layers=2)
  stacked.dln                 that network in DLN, two lstm layers where PyTorch stacks two in one
  stacked.output.npy          its output for names.series.input.npy

CI has no PyTorch, so the outputs are committed. Rerun with
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 make_fixtures.py
(torch and numpy; the safetensors package is not needed: write_safetensors below follows
https://github.com/huggingface/safetensors#format). Same torch version, same bytes.
"""

import json
import struct
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
DTYPES = {torch.float32: ("F32", "<f4"), torch.float16: ("F16", "<f2"), torch.int64: ("I64", "<i8")}

DLN = """\
// A PyTorch state dict loads under PyTorch's own names (PyTorchNamesTest). Written by make_fixtures.py.
model Names {
    input series: [6, 3]
    output y = series -> lstm(4, sequences: true, bidirectional: true)   // [6, 8]
        -> gru(5, sequences: true)                                          // [6, 5]
        -> rnn(4)                                                           // [4]
        -> batchnorm -> dense(2)
}
"""

STACKED_DLN = """\
// nn.LSTM(num_layers=2) is two lstm layers in DLN (PyTorchNamesTest). Written by make_fixtures.py.
model Stacked {
    input series: [6, 3]
    output y = series -> lstm(4, sequences: true, bidirectional: true)   // PyTorch's lstm_1, layer 0
        -> lstm(4, sequences: true, bidirectional: true)                    // PyTorch's lstm_1, layer 1
        -> gru(5, sequences: true) -> rnn(4) -> batchnorm -> dense(2)
}
"""


class Names(nn.Module):
    def __init__(self, lstm_layers=1):
        super().__init__()
        self.lstm_1 = nn.LSTM(3, 4, num_layers=lstm_layers, batch_first=True, bidirectional=True)
        self.gru_1 = nn.GRU(8, 5, batch_first=True)
        self.rnn_1 = nn.RNN(5, 4, nonlinearity="tanh", batch_first=True)
        self.batchnorm_1 = nn.BatchNorm1d(4)
        self.dense_1 = nn.Linear(4, 2)

    def forward(self, series):
        h, _ = self.lstm_1(series)
        h, _ = self.gru_1(h)
        _, h_n = self.rnn_1(h)
        return self.dense_1(self.batchnorm_1(h_n[0]))


def write_safetensors(path, tensors):
    """Tensors as save_file writes them: sorted by name, little-endian, header padded to 8 bytes."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        dtype, layout = DTYPES[tensors[name].dtype]
        data = np.ascontiguousarray(tensors[name].detach().numpy(), dtype=layout).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def trained(model, generator):
    """Weights as given, batch norm's affine parameters moved off 1 and 0, and its running
    statistics (and step counter) from three batches in training mode."""
    with torch.no_grad():
        model.batchnorm_1.weight.uniform_(0.5, 1.5, generator=generator)
        model.batchnorm_1.bias.normal_(0, 0.3, generator=generator)
        model.train()
        for _ in range(3):
            model(torch.randn(16, 6, 3, generator=generator))
    model.eval()
    return model


def output(model, x):
    """The eval-mode output in float64 from the model's weights as they are."""
    with torch.no_grad():
        return model.double()(x.double()).float().numpy()


def main():
    torch.manual_seed(15)
    generator = torch.Generator().manual_seed(15)
    model = trained(Names(), generator)
    x = torch.randn(5, 6, 3, generator=generator)
    (HERE / "names.dln").write_text(DLN)
    np.save(HERE / "names.series.input.npy", x.numpy())

    state = {k: v.clone() for k, v in model.state_dict().items()}
    write_safetensors(HERE / "names.safetensors", state)
    np.save(HERE / "names.output.npy", output(model, x))

    half = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    write_safetensors(HERE / "names.f16.safetensors", half)
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in half.items()})
    np.save(HERE / "names.f16.output.npy", output(model, x))

    mismatched = dict(state)
    del mismatched["dense_1.bias"]
    mismatched["dense_1.weight"] = state["dense_1.weight"].t().contiguous()
    mismatched["extra.weight"] = torch.randn(3, generator=generator)
    mismatched["extra.step"] = torch.tensor(7, dtype=torch.int64)
    write_safetensors(HERE / "mismatched.safetensors", mismatched)

    stacked = Names(lstm_layers=2)
    write_safetensors(HERE / "stacked.safetensors", trained(stacked, generator).state_dict())
    (HERE / "stacked.dln").write_text(STACKED_DLN)
    np.save(HERE / "stacked.output.npy", output(stacked, x))
    for k, v in state.items():
        print(f"{k:40} {str(v.dtype):14} {list(v.shape)}")


if __name__ == "__main__":
    main()
