"""Writes the PyTorch parity fixtures that PyTorchParityTest checks `dlnc` against.

For each small model below: the .dln source, the equivalent torch.nn module, trained for a few SGD
steps on random data (so the weights are trained, not initial), then saved as
  <name>.dln                  the model in DLN
  <name>.safetensors          its weights under the DLN parameter names (float32)
  <name>.<input>.input.npy    a batch of 5 examples per model input (float32, or int64 token ids)
  <name>.output.npy           PyTorch's output in eval mode (float32)

CI has no PyTorch, so the outputs of this script are committed. Rerun it from anywhere with
    python make_fixtures.py [NAME ...]   (all fixtures, or the ones named)
(torch and numpy needed; the safetensors package is not: the writer below follows the format
https://github.com/huggingface/safetensors#format). Same torch version, same bytes.

The eval-mode outputs are computed in float64 from the float32 weights and inputs, so they are the
exact values of the float32 model, rounded once; the float32 PyTorch forward is checked against them.
"""

import json
import struct
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
BATCH = 5
TRAIN_STEPS = 5
TRAIN_BATCH = 16
LR = 0.05
MOMENTUM = 0.9


# ---- safetensors

def write_safetensors(path, tensors):
    """Float32 tensors (and int64 ones, as batch norm's step counter), little-endian, named and ordered
    by name, header padded with spaces to 8 bytes."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        integer = tensors[name].dtype == torch.int64
        data = np.ascontiguousarray(tensors[name].detach().cpu().numpy(), dtype="<i8" if integer else "<f4").tobytes()
        header[name] = {"dtype": "I64" if integer else "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def read_safetensors(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    return {k: np.frombuffer(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]],
                             "<i8" if v["dtype"] == "I64" else "<f4").reshape(v["shape"])
            for k, v in header.items()}


def dln_names(module):
    """The state dict under DLN names: submodules are named as DLN names layers (dense_1, lstm_1),
    recurrent layers drop PyTorch's layer suffix (weight_ih_l0 -> weight_ih, weight_ih_l0_reverse ->
    weight_ih_reverse). A model that holds a PyTorch block whole maps its submodules' prefixes onto DLN's
    layer names in DLN_NAMES (encoder.linear1. -> dense_1.). Batch norm's integer
    step counter stays in, as in any PyTorch state dict: DLN reads it and ignores it."""
    out = {}
    renamed = getattr(module, "DLN_NAMES", {})
    for key, value in module.state_dict().items():
        prefix = next((p for p in renamed if key.startswith(p)), None)
        if prefix is not None:
            key = renamed[prefix] + key[len(prefix):]
        out[key.replace("_l0_reverse", "_reverse").removesuffix("_l0")] = value
    return out


# ---- the models: DLN source and the same network in PyTorch

class Maxout(nn.Module):
    """DLN's maxout: one affine map to units*pieces values, row u*pieces+k is piece k of unit u."""

    def __init__(self, inputs, units, pieces):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = nn.Linear(inputs, units * pieces)

    def forward(self, x):
        return self.linear(x).view(x.shape[0], self.units, self.pieces).amax(-1)


class Mlp(nn.Module):
    DLN = """\
// PyTorch parity: a multilayer perceptron. Written by make_fixtures.py.
model Mlp {
    input x: [12]
    output y = x -> dense(16) -> relu -> dense(8) -> tanh -> dense(3) -> softmax
}
"""
    INPUTS = {"x": (12,)}

    def __init__(self):
        super().__init__()
        self.dense_1 = nn.Linear(12, 16)
        self.dense_2 = nn.Linear(16, 8)
        self.dense_3 = nn.Linear(8, 3)

    def forward(self, x):
        x = torch.tanh(self.dense_2(F.relu(self.dense_1(x))))
        return F.softmax(self.dense_3(x), dim=-1)


class Conv(nn.Module):
    DLN = """\
// PyTorch parity: 2-D convolutions (strided, dilated), max pooling that drops a column as
// PyTorch's does, and padded average pooling that counts the padding (count_include_pad=True).
// Written by make_fixtures.py.
model Conv {
    input image: [2, 11, 9]
    output y = image
        -> conv2d(4, kernel: 3, stride: 2, padding: 1) -> relu           // [4, 6, 5]
        -> maxpool2d(2)                                                  // [4, 3, 2]
        -> conv2d(6, kernel: 3, dilation: 2, padding: 2) -> relu         // [6, 3, 2]
        -> avgpool2d(2, stride: 1, padding: 1)                           // [6, 4, 3]
        -> flatten                                                       // [72]
        -> dense(5) -> sigmoid
}
"""
    INPUTS = {"image": (2, 11, 9)}

    def __init__(self):
        super().__init__()
        self.conv2d_1 = nn.Conv2d(2, 4, 3, stride=2, padding=1)
        self.conv2d_2 = nn.Conv2d(4, 6, 3, dilation=2, padding=2)
        self.dense_1 = nn.Linear(72, 5)

    def forward(self, image):
        x = F.max_pool2d(F.relu(self.conv2d_1(image)), 2)
        x = F.avg_pool2d(F.relu(self.conv2d_2(x)), 2, stride=1, padding=1, count_include_pad=True)
        return torch.sigmoid(self.dense_1(x.flatten(1)))


class Conv1d3d(nn.Module):
    DLN = """\
// PyTorch parity: a 1-D and a 3-D convolution branch, flattened and concatenated.
// Written by make_fixtures.py.
model Conv1d3d {
    input signal: [3, 10]
    input volume: [2, 5, 6, 4]

    s = signal -> conv1d(4, kernel: 3, padding: 1, dilation: 2) -> relu  // [4, 8]
        -> maxpool1d(2)                                                  // [4, 4]
    v = volume -> conv3d(3, kernel: 3, stride: 2, padding: 1) -> tanh    // [3, 3, 3, 2]
        -> avgpool3d(2, stride: 1)                                       // [3, 2, 2, 1]
    output y = concat(flatten(s), flatten(v)) -> dense(4)                // [16 + 12] -> [4]
}
"""
    INPUTS = {"signal": (3, 10), "volume": (2, 5, 6, 4)}

    def __init__(self):
        super().__init__()
        self.conv1d_1 = nn.Conv1d(3, 4, 3, padding=1, dilation=2)
        self.conv3d_1 = nn.Conv3d(2, 3, 3, stride=2, padding=1)
        self.dense_1 = nn.Linear(28, 4)

    def forward(self, signal, volume):
        s = F.max_pool1d(F.relu(self.conv1d_1(signal)), 2)
        v = F.avg_pool3d(torch.tanh(self.conv3d_1(volume)), 2, stride=1)
        return self.dense_1(torch.cat([s.flatten(1), v.flatten(1)], dim=1))


class Bn(nn.Module):
    DLN = """\
// PyTorch parity: batch normalization (running statistics at inference) and dropout.
// Written by make_fixtures.py.
model Bn {
    input x: [6]
    output y = x -> dense(10) -> batchnorm -> relu -> dropout(0.3) -> dense(2)
}
"""
    INPUTS = {"x": (6,)}

    def __init__(self):
        super().__init__()
        self.dense_1 = nn.Linear(6, 10)
        self.batchnorm_1 = nn.BatchNorm1d(10, eps=1e-5, momentum=0.1)
        self.dropout = nn.Dropout(0.3)
        self.dense_2 = nn.Linear(10, 2)

    def forward(self, x):
        return self.dense_2(self.dropout(F.relu(self.batchnorm_1(self.dense_1(x)))))


class Bn2d(nn.Module):
    DLN = """\
// PyTorch parity: batch normalization per channel after a convolution.
// Written by make_fixtures.py.
model Bn2d {
    input image: [3, 6, 6]
    output y = image -> conv2d(4, kernel: 3) -> batchnorm -> relu       // [4, 4, 4]
        -> global_avgpool -> dense(2)
}
"""
    INPUTS = {"image": (3, 6, 6)}

    def __init__(self):
        super().__init__()
        self.conv2d_1 = nn.Conv2d(3, 4, 3)
        self.batchnorm_1 = nn.BatchNorm2d(4, eps=1e-5, momentum=0.1)
        self.dense_1 = nn.Linear(4, 2)

    def forward(self, image):
        x = F.relu(self.batchnorm_1(self.conv2d_1(image)))
        return self.dense_1(x.mean(dim=(2, 3)))


class Lstm(nn.Module):
    DLN = """\
// PyTorch parity: an embedding and an LSTM that keeps its last hidden state.
// Written by make_fixtures.py.
model Lstm {
    input tokens: int[7]
    output y = tokens -> embedding(20, dim: 5) -> lstm(6) -> dense(1)
}
"""
    INPUTS = {"tokens": (7,)}
    VOCAB = 20

    def __init__(self):
        super().__init__()
        self.embedding_1 = nn.Embedding(20, 5)
        self.lstm_1 = nn.LSTM(5, 6, batch_first=True)
        self.dense_1 = nn.Linear(6, 1)

    def forward(self, tokens):
        h, _ = self.lstm_1(self.embedding_1(tokens))
        return self.dense_1(h[:, -1])


class Rnn(nn.Module):
    DLN = """\
// PyTorch parity: a tanh RNN that returns every step, feeding an LSTM.
// Written by make_fixtures.py.
model Rnn {
    input series: [8, 3]
    output y = series -> rnn(4, sequences: true) -> lstm(5) -> dense(2)
}
"""
    INPUTS = {"series": (8, 3)}

    def __init__(self):
        super().__init__()
        self.rnn_1 = nn.RNN(3, 4, nonlinearity="tanh", batch_first=True)
        self.lstm_1 = nn.LSTM(4, 5, batch_first=True)
        self.dense_1 = nn.Linear(5, 2)

    def forward(self, series):
        h, _ = self.rnn_1(series)
        h, _ = self.lstm_1(h)
        return self.dense_1(h[:, -1])


class Activations(nn.Module):
    DLN = """\
// PyTorch parity: leaky_relu, elu, prelu (a slope per channel and per feature), maxout, global
// pooling and a residual add. Written by make_fixtures.py.
model Activations {
    input image: [3, 8, 8]

    c = image -> conv2d(4, kernel: 3, padding: 1) -> prelu             // [4, 8, 8]
    r = c -> conv2d(4, kernel: 3, padding: 1) -> elu(alpha: 0.5)       // [4, 8, 8]
    s = add(c, r)                                                      // residual
    h = concat(global_avgpool(s), global_maxpool(s))                   // [8]
        -> dense(10) -> leaky_relu(0.1)
        -> maxout(6, pieces: 3)                                        // [6]
        -> prelu                                                       // [6]
    output y = h -> dense(3) -> elu
}
"""
    INPUTS = {"image": (3, 8, 8)}

    def __init__(self):
        super().__init__()
        self.conv2d_1 = nn.Conv2d(3, 4, 3, padding=1)
        self.prelu_1 = nn.PReLU(num_parameters=4, init=0.25)
        self.conv2d_2 = nn.Conv2d(4, 4, 3, padding=1)
        self.dense_1 = nn.Linear(8, 10)
        self.maxout_1 = Maxout(10, 6, 3)
        self.prelu_2 = nn.PReLU(num_parameters=6, init=0.25)
        self.dense_2 = nn.Linear(6, 3)

    def forward(self, image):
        c = self.prelu_1(self.conv2d_1(image))
        s = c + F.elu(self.conv2d_2(c), alpha=0.5)
        h = torch.cat([s.mean(dim=(2, 3)), s.amax(dim=(2, 3))], dim=1)
        h = self.prelu_2(self.maxout_1(F.leaky_relu(self.dense_1(h), 0.1)))
        return F.elu(self.dense_2(h))

    def state_dict(self, *args, **kwargs):
        # maxout's affine map is DLN's maxout_1.weight / maxout_1.bias, not maxout_1.linear.*
        return {k.replace("maxout_1.linear.", "maxout_1."): v for k, v in super().state_dict(*args, **kwargs).items()}


class LayerNormed(nn.Module):
    DLN = """\
// PyTorch parity: layer normalization over the last axis of a sequence and of a vector.
// Written by make_fixtures.py.
model LayerNormed {
    input x: [3, 8]
    output y = x -> layernorm -> flatten -> dense(6) -> layernorm(eps: 1e-3) -> tanh -> dense(2)
}
"""
    INPUTS = {"x": (3, 8)}

    def __init__(self):
        super().__init__()
        self.layernorm_1 = nn.LayerNorm(8, eps=1e-5)
        self.dense_1 = nn.Linear(24, 6)
        self.layernorm_2 = nn.LayerNorm(6, eps=1e-3)
        self.dense_2 = nn.Linear(6, 2)

    def forward(self, x):
        h = self.layernorm_1(x).flatten(1)
        return self.dense_2(torch.tanh(self.layernorm_2(self.dense_1(h))))


class Upsampled(nn.Module):
    DLN = """\
// PyTorch parity: gelu (the exact erf form) and silu, after a dense layer, a convolution and on
// their own, and nearest-neighbour upsampling in 1-D and 2-D. Written by make_fixtures.py.
model Upsampled {
    input image: [2, 5, 5]
    input signal: [3, 6]

    a = image -> conv2d(3, kernel: 3, padding: 1) -> gelu -> upsample(2)   // [3, 10, 10]
    b = a -> conv2d(2, kernel: 4, stride: 2) -> silu -> flatten            // [2, 4, 4] -> [32]
    c = signal -> upsample(3) -> conv1d(2, kernel: 3, stride: 3)          // [3, 18] -> [2, 6]
        -> flatten -> silu -> gelu                                         // [12]
    output y = concat(b, c) -> dense(8) -> gelu -> dense(3) -> silu
}
"""
    INPUTS = {"image": (2, 5, 5), "signal": (3, 6)}

    def __init__(self):
        super().__init__()
        self.conv2d_1 = nn.Conv2d(2, 3, 3, padding=1)
        self.conv2d_2 = nn.Conv2d(3, 2, 4, stride=2)
        self.conv1d_1 = nn.Conv1d(3, 2, 3, stride=3)
        self.dense_1 = nn.Linear(44, 8)
        self.dense_2 = nn.Linear(8, 3)

    def forward(self, image, signal):
        a = F.interpolate(F.gelu(self.conv2d_1(image)), scale_factor=2, mode="nearest")
        b = F.silu(self.conv2d_2(a)).flatten(1)
        c = F.gelu(F.silu(self.conv1d_1(nn.Upsample(scale_factor=3, mode="nearest")(signal)).flatten(1)))
        return F.silu(self.dense_2(F.gelu(self.dense_1(torch.cat([b, c], dim=1)))))



class Gru(nn.Module):
    DLN = """\
// PyTorch parity: a GRU that returns every step, feeding a GRU that keeps its last state.
// Written by make_fixtures.py.
model Gru {
    input series: [6, 3]
    output y = series -> gru(5, sequences: true) -> gru(4) -> dense(2)
}
"""
    INPUTS = {"series": (6, 3)}

    def __init__(self):
        super().__init__()
        self.gru_1 = nn.GRU(3, 5, batch_first=True)
        self.gru_2 = nn.GRU(5, 4, batch_first=True)
        self.dense_1 = nn.Linear(4, 2)

    def forward(self, series):
        h, _ = self.gru_1(series)
        _, h_n = self.gru_2(h)
        return self.dense_1(h_n[0])


class Bidirectional(nn.Module):
    DLN = """\
// PyTorch parity: bidirectional rnn, lstm and gru; the sequences are the forward half then the
// backward half of each step, the last gru's output both directions' h_n. Written by make_fixtures.py.
model Bidirectional {
    input series: [7, 3]
    output y = series -> rnn(3, sequences: true, bidirectional: true)
        -> lstm(4, sequences: true, bidirectional: true)
        -> gru(3, bidirectional: true) -> dense(2)
}
"""
    INPUTS = {"series": (7, 3)}

    def __init__(self):
        super().__init__()
        self.rnn_1 = nn.RNN(3, 3, batch_first=True, bidirectional=True)
        self.lstm_1 = nn.LSTM(6, 4, batch_first=True, bidirectional=True)
        self.gru_1 = nn.GRU(8, 3, batch_first=True, bidirectional=True)
        self.dense_1 = nn.Linear(6, 2)

    def forward(self, series):
        h, _ = self.rnn_1(series)
        h, _ = self.lstm_1(h)
        _, h_n = self.gru_1(h)
        return self.dense_1(torch.cat([h_n[0], h_n[1]], -1))


class Positional(nn.Module):
    """DLN's positional(max_len): a learned [max_len, D] added to the first T positions."""

    def __init__(self, max_len, width):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(max_len, width))

    def forward(self, x):
        return x + self.weight[: x.shape[1]]


class Attention(nn.Module):
    DLN = """\
// PyTorch parity: an encoder block: embedding, learned positions, self-attention with a residual
// and layer norm, the mean over time.
// Written by make_fixtures.py.
model Attention {
    input tokens: int[6]
    e = tokens -> embedding(11, dim: 8) -> positional(9)
    a = add(e, e -> attention(2)) -> layernorm
    output y = a -> mean -> dense(2)
}
"""
    INPUTS = {"tokens": (6,)}
    VOCAB = 11

    def __init__(self):
        super().__init__()
        self.embedding_1 = nn.Embedding(11, 8)
        self.positional_1 = Positional(9, 8)
        self.attention_1 = nn.MultiheadAttention(8, 2, batch_first=True)
        self.layernorm_1 = nn.LayerNorm(8)
        self.dense_1 = nn.Linear(8, 2)

    def forward(self, tokens):
        e = self.positional_1(self.embedding_1(tokens))
        a = self.layernorm_1(e + self.attention_1(e, e, e, need_weights=False)[0])
        return self.dense_1(a.mean(dim=1))


class AttentionCausal(nn.Module):
    DLN = """\
// PyTorch parity: causal self-attention (each step sees itself and earlier steps), three heads.
// Written by make_fixtures.py.
model AttentionCausal {
    input x: [5, 6]
    output y = x -> attention(3, causal: true) -> flatten -> dense(2)
}
"""
    INPUTS = {"x": (5, 6)}

    def __init__(self):
        super().__init__()
        self.attention_1 = nn.MultiheadAttention(6, 3, batch_first=True)
        self.dense_1 = nn.Linear(30, 2)

    def forward(self, x):
        t = x.shape[1]
        mask = torch.triu(torch.full((t, t), float("-inf"), dtype=x.dtype), diagonal=1)
        return self.dense_1(self.attention_1(x, x, x, attn_mask=mask, need_weights=False)[0].flatten(1))


class ConvTransposed(nn.Module):
    DLN = """\
// PyTorch parity: transposed convolutions (strided with output padding, dilated, without bias).
// Written by make_fixtures.py.
model ConvTransposed {
    input signal: [3, 5]
    input image: [2, 4, 3]

    s = signal
        -> conv_transpose1d(4, kernel: 3, stride: 2, padding: 1, output_padding: 1) -> relu      // [4, 10]
        -> conv_transpose1d(2, kernel: 2, dilation: 3)                                          // [2, 13]
    i = image
        -> conv_transpose2d(3, kernel: [3, 2], stride: [2, 3], padding: [1, 0], output_padding: [1, 2]) -> tanh  // [3, 8, 10]
        -> conv_transpose2d(2, kernel: 3, padding: 1, bias: false)                              // [2, 8, 10]
    output y = concat(flatten(s), flatten(i)) -> dense(4)                                       // [26 + 160] -> [4]
}
"""
    INPUTS = {"signal": (3, 5), "image": (2, 4, 3)}

    def __init__(self):
        super().__init__()
        self.conv_transpose1d_1 = nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1)
        self.conv_transpose1d_2 = nn.ConvTranspose1d(4, 2, 2, dilation=3)
        self.conv_transpose2d_1 = nn.ConvTranspose2d(2, 3, (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2))
        self.conv_transpose2d_2 = nn.ConvTranspose2d(3, 2, 3, padding=1, bias=False)
        self.dense_1 = nn.Linear(186, 4)

    def forward(self, signal, image):
        s = self.conv_transpose1d_2(F.relu(self.conv_transpose1d_1(signal)))
        i = self.conv_transpose2d_2(torch.tanh(self.conv_transpose2d_1(image)))
        return self.dense_1(torch.cat([s.flatten(1), i.flatten(1)], dim=1))


class EncoderLayer(nn.Module):
    """nn.TransformerEncoderLayer itself (post-norm, as PyTorch's default), written out in DLN."""
    DLN = """\
// PyTorch parity: a whole transformer encoder layer, nn.TransformerEncoderLayer(8, 2, 16, dropout=0,
// batch_first=True, activation="gelu"): self-attention, residual, layer norm, the feed-forward network
// (a dense layer on every step, gelu, a dense layer on every step), residual, layer norm.
// Written by make_fixtures.py.
model EncoderLayer {
    input x: [6, 8]
    a = add(x, x -> attention(2)) -> layernorm
    output y = add(a, a -> dense(16, per_step: true) -> gelu -> dense(8, per_step: true)) -> layernorm
}
"""
    INPUTS = {"x": (6, 8)}
    DLN_NAMES = {"encoder.self_attn.": "attention_1.", "encoder.norm1.": "layernorm_1.", "encoder.linear1.": "dense_1.",
                 "encoder.linear2.": "dense_2.", "encoder.norm2.": "layernorm_2."}

    def __init__(self):
        super().__init__()
        self.encoder = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, activation="gelu")

    def forward(self, x):
        return self.encoder(x)


class EncoderLayerRelu(nn.Module):
    """nn.TransformerEncoderLayer with relu (fused into the first dense layer) at odd sizes."""
    DLN = """\
// PyTorch parity: nn.TransformerEncoderLayer(6, 3, 10, dropout=0, batch_first=True) (relu, its
// default, which runs inside the first per-step dense layer), over 5 steps.
// Written by make_fixtures.py.
model EncoderLayerRelu {
    input x: [5, 6]
    a = add(x, x -> attention(3)) -> layernorm
    output y = add(a, a -> dense(10, per_step: true) -> relu -> dense(6, per_step: true)) -> layernorm
}
"""
    INPUTS = {"x": (5, 6)}
    DLN_NAMES = EncoderLayer.DLN_NAMES

    def __init__(self):
        super().__init__()
        self.encoder = nn.TransformerEncoderLayer(6, 3, 10, dropout=0.0, batch_first=True)

    def forward(self, x):
        return self.encoder(x)


MODELS = {"mlp": Mlp, "conv": Conv, "conv1d3d": Conv1d3d, "bn": Bn, "bn2d": Bn2d, "lstm": Lstm, "rnn": Rnn,
          "activations": Activations, "layernorm": LayerNormed, "upsampled": Upsampled, "gru": Gru,
          "bidirectional": Bidirectional, "attention": Attention, "attention_causal": AttentionCausal,
          "convtranspose": ConvTransposed, "encoder_layer": EncoderLayer, "encoder_layer_relu": EncoderLayerRelu}


# ---- training and fixtures

def random_inputs(cls, n, generator):
    out = []
    for shape in cls.INPUTS.values():
        if hasattr(cls, "VOCAB"):
            out.append(torch.randint(0, cls.VOCAB, (n, *shape), generator=generator))
        else:
            out.append(torch.randn((n, *shape), generator=generator))
    return out


def train(model, cls, generator):
    """A few steps of SGD with momentum, as torch.optim.SGD takes them, towards random targets, in training mode
    (dropout on, batch norm updating its statistics). Written out because importing torch.optim pulls in
    torch._dynamo, which fails with some system sympy versions."""
    params = list(model.parameters())
    velocity = [torch.zeros_like(p) for p in params]
    model.train()
    for _ in range(TRAIN_STEPS):
        xs = random_inputs(cls, TRAIN_BATCH, generator)
        y = model(*xs)
        loss = F.mse_loss(y, torch.randn(y.shape, generator=generator))
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, v, g in zip(params, velocity, grads):
                v.mul_(MOMENTUM).add_(g)
                p.sub_(LR * v)


def make(name, cls, seed):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = cls()
    before = {k: v.clone() for k, v in dln_names(model).items()}
    train(model, cls, generator)
    weights = dln_names(model)
    assert any(not torch.equal(before[k], weights[k]) for k in weights), name + ": training changed nothing"

    (HERE / f"{name}.dln").write_text(cls.DLN)
    write_safetensors(HERE / f"{name}.safetensors", weights)
    reread = read_safetensors(HERE / f"{name}.safetensors")
    assert all(np.array_equal(reread[k], weights[k].numpy()) for k in weights), name + ": safetensors round trip"

    xs = random_inputs(cls, BATCH, generator)
    for input_name, x in zip(cls.INPUTS, xs):
        np.save(HERE / f"{name}.{input_name}.input.npy", x.numpy())

    model.eval()
    with torch.no_grad():
        y32 = model(*xs)
        model.double()
        y64 = model(*[x if x.dtype == torch.int64 else x.double() for x in xs])
    assert torch.allclose(y32.double(), y64, rtol=1e-5, atol=1e-6), name + ": float32 and float64 forward disagree"
    np.save(HERE / f"{name}.output.npy", y64.float().numpy())
    print(f"{name}: {sum(v.numel() for v in weights.values())} weights, output {tuple(y64.shape)}")


def main(names):
    """Writes every fixture, or those named on the command line (`python make_fixtures.py layernorm`)."""
    for seed, (name, cls) in enumerate(MODELS.items(), start=1):
        if not names or name in names:
            make(name, cls, seed)


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
