"""Fixtures for ImportCommandTest: small PyTorch models exported with torch.onnx, with inputs and
PyTorch's outputs to compare `dlnc import` against.

Run from this folder with torch 1.13 (Debian's python3-torch):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 make_import_fixtures.py
For each model NAME it writes NAME.onnx, NAME_x.npy (3 examples) and NAME_y.npy (PyTorch's outputs
in eval mode). The ResNet keeps its BatchNormalization nodes. Batch norm's running statistics are randomized so that inference form matters.
"""
import numpy as np
import torch
from torch import nn

OPSET = 13


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 32)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(32, 16)
        self.out = nn.Linear(16, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = self.drop(torch.relu(self.fc1(x)))
        x = torch.tanh(self.fc2(x))
        return torch.softmax(self.out(x), dim=-1)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = nn.functional.avg_pool2d(torch.sigmoid(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = torch.relu(self.fc1(x))
        x = nn.functional.leaky_relu(self.fc2(x), 0.1)
        return self.fc3(x)


class Residual(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return torch.relu(h + x)


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.block1 = Residual(8)
        self.block2 = Residual(8)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(8, 5)

    def forward(self, x):
        x = torch.relu(self.bn(self.stem(x)))
        x = self.block2(self.block1(x))
        return self.head(torch.flatten(self.pool(x), 1))


class Lstm(nn.Module):
    """Two stacked LSTMs; the last step of the second's output (out[:, -1]), its final state."""

    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTM(3, 8, batch_first=True)
        self.lstm2 = nn.LSTM(8, 6, batch_first=True)
        self.head = nn.Linear(6, 2)

    def forward(self, x):
        seq, _ = self.lstm1(x)
        out, _ = self.lstm2(seq)
        return self.head(out[:, -1])


class Gru(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 5, batch_first=True, bidirectional=True)
        self.head = nn.Linear(10, 3)

    def forward(self, x):
        _, h = self.gru(x)
        return torch.softmax(self.head(torch.cat([h[0], h[1]], -1)), dim=-1)


class Tagger(nn.Module):
    """Integer ids: an embedding, a linear layer on every step (MatMul + Add), a GRU's last state."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.proj = nn.Linear(4, 6)
        self.gru = nn.GRU(6, 5, batch_first=True)
        self.head = nn.Linear(5, 3)

    def forward(self, ids):
        h = torch.relu(self.proj(self.embed(ids)))
        _, last = self.gru(h)
        return self.head(last[-1])


def randomize_batchnorm(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)


def save(name, model, example_shape, input_name="x", output_name="y", training=torch.onnx.TrainingMode.EVAL, integer=False):
    torch.manual_seed(1)
    model.eval()
    randomize_batchnorm(model)
    x = torch.randint(0, 10, (3, *example_shape)) if integer else torch.randn(3, *example_shape)
    with torch.no_grad():
        y = model(x)
    torch.onnx.export(model, x, name + ".onnx", opset_version=OPSET, do_constant_folding=True,
                      training=training,
                      input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}})
    np.save(name + "_x.npy", x.numpy().astype(np.int64 if integer else np.float32))
    np.save(name + "_y.npy", y.numpy().astype(np.float32))


if __name__ == "__main__":
    torch.manual_seed(0)
    save("mlp", Mlp(), (1, 8, 8), "image", "probs")
    torch.manual_seed(0)
    save("lenet5", LeNet5(), (1, 28, 28), "image", "logits")
    torch.manual_seed(0)
    # PRESERVE keeps BatchNormalization nodes (EVAL folds them into the convolutions).
    save("resnet", ResNet(), (3, 12, 12), training=torch.onnx.TrainingMode.PRESERVE)
    torch.manual_seed(0)
    save("lstm", Lstm(), (10, 3), "series", "next")
    torch.manual_seed(0)
    save("gru", Gru(), (7, 4), "seq", "probs")
    torch.manual_seed(0)
    save("tagger", Tagger(), (6,), "ids", "scores", integer=True)
