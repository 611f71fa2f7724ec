"""Writes the PyTorch training fixtures that PyTorchTrainingTest checks DLN's training against, step for step.

Each fixture is a small model trained by torch.optim with the settings its train block names
(optimizer, schedule with warm-up, gradient clipping, regularization), on fixed data in order
(no shuffling), one optimizer step per batch, the scheduler stepped once per epoch:
  <name>.dln                    the model and its train block
  <name>.initial.safetensors    the weights before training, under the DLN names (float32)
  <name>.x.npy, <name>.targets.npy   the examples and their targets (float32)
  <name>.rates.npy              the learning rate of each epoch as the scheduler set it (float64)
  <name>.trained.safetensors    the weights after every epoch's steps

CI has no PyTorch, so the outputs are committed. Rerun with /usr/bin/python3 from anywhere:
    python3 make_training_fixtures.py [NAME ...]
The safetensors writer is make_fixtures.py's (compiler/src/test/resources/pytorch).
"""

import math
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[4] / "compiler/src/test/resources/pytorch"))
from make_fixtures import write_safetensors  # noqa: E402

EXAMPLES = 24
BATCH = 8
INPUTS, HIDDEN, OUTPUTS = 6, 8, 3


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense_1 = nn.Linear(INPUTS, HIDDEN)
        self.dense_2 = nn.Linear(HIDDEN, OUTPUTS)

    def forward(self, x):
        return self.dense_2(torch.tanh(self.dense_1(x)))


def dln(name, settings):
    body = "\n".join("    " + s for s in settings)
    return f"""\
// PyTorch training parity ({name}). Written by make_training_fixtures.py.
model Mlp {{
    input x: [{INPUTS}]
    output y = x -> dense({HIDDEN}) -> tanh -> dense({OUTPUTS})
}}
train Mlp {{
    loss      mse
    batch     {BATCH}
    shuffle   false
{body}
}}
"""


def warmed(opt, warmup, main):
    """DLN's warm-up: LinearLR from lr/(W+1) to lr over W epochs, then the schedule from its epoch 0 (SequentialLR)."""
    ramp = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1 / (warmup + 1), end_factor=1.0, total_iters=warmup)
    return torch.optim.lr_scheduler.SequentialLR(opt, [ramp, main(opt)], milestones=[warmup])


# name: (train block lines, epochs, optimizer, scheduler or None, l2, clip(params) or None)
FIXTURES = {
    "adamw": (["optimizer adamw(lr: 0.02, weight_decay: 0.1)", "regularize l2(0.01)", "epochs    4"], 4,
              lambda p: torch.optim.AdamW(p, lr=0.02, weight_decay=0.1), None, 0.01, None),
    "clip_norm": (["optimizer adam(lr: 0.05)", "clip      norm(0.3)", "regularize l2(0.01)", "epochs    3"], 3,
                  lambda p: torch.optim.Adam(p, lr=0.05), None, 0.01,
                  lambda p: torch.nn.utils.clip_grad_norm_(p, 0.3)),
    "clip_value": (["optimizer sgd(lr: 0.1, momentum: 0.9)", "clip      value(0.02)", "epochs    3"], 3,
                   lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), None, 0.0,
                   lambda p: torch.nn.utils.clip_grad_value_(p, 0.02)),
    "warmup_cosine": (["optimizer adamw(lr: 0.03)", "schedule  cosine(min_lr: 0.001, warmup: 2)", "clip      norm(1.0)",
                       "epochs    6"], 6,
                      lambda p: torch.optim.AdamW(p, lr=0.03),
                      lambda o: warmed(o, 2, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6 - 2, eta_min=0.001)),
                      0.0, lambda p: torch.nn.utils.clip_grad_norm_(p, 1.0)),
    "warmup_step": (["optimizer sgd(lr: 0.2, momentum: 0.5)", "schedule  step(2, 0.5, warmup: 3)", "epochs    7"], 7,
                    lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.5),
                    lambda o: warmed(o, 3, lambda o: torch.optim.lr_scheduler.StepLR(o, 2, 0.5)), 0.0, None),
}


class TwoOutputs(nn.Module):
    """A shared hidden layer with two heads: class scores y (cross-entropy) and a regression z (mse)."""

    def __init__(self):
        super().__init__()
        self.dense_1 = nn.Linear(INPUTS, HIDDEN)
        self.dense_2 = nn.Linear(HIDDEN, OUTPUTS)
        self.dense_3 = nn.Linear(HIDDEN, 2)

    def forward(self, x):
        h = torch.tanh(self.dense_1(x))
        return self.dense_2(h), self.dense_3(h)


TWO_OUTPUTS_DLN = f"""\
// PyTorch training parity (two_outputs): a loss per output, weighted. Written by make_training_fixtures.py.
// The targets file holds each example's class of y, then its two values of z.
model TwoOutputs {{
    input x: [{INPUTS}]
    h = x -> dense({HIDDEN}) -> tanh
    output y = h -> dense({OUTPUTS}) -> softmax
    output z = h -> dense(2)
}}
train TwoOutputs {{
    loss         y: cross_entropy, z: mse
    loss_weights y: 0.7, z: 2.5
    optimizer    sgd(lr: 0.1, momentum: 0.9)
    batch        {BATCH}
    shuffle      false
    epochs       3
}}
"""


def two_outputs():
    """The total loss 0.7·cross_entropy(y) + 2.5·mse(z), as DLN's loss_weights say."""
    torch.manual_seed(200)
    model = TwoOutputs()
    x = torch.randn(EXAMPLES, INPUTS)
    labels = torch.randint(0, OUTPUTS, (EXAMPLES,))
    z = torch.randn(EXAMPLES, 2)
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        for start in range(0, EXAMPLES, BATCH):
            opt.zero_grad()
            logits, out = model(x[start:start + BATCH])
            loss = 0.7 * nn.functional.cross_entropy(logits, labels[start:start + BATCH]) \
                + 2.5 * nn.functional.mse_loss(out, z[start:start + BATCH])
            loss.backward()
            opt.step()
    name = "two_outputs"
    (HERE / f"{name}.dln").write_text(TWO_OUTPUTS_DLN)
    write_safetensors(HERE / f"{name}.initial.safetensors", initial)
    write_safetensors(HERE / f"{name}.trained.safetensors", model.state_dict())
    np.save(HERE / f"{name}.x.npy", x.numpy())
    np.save(HERE / f"{name}.targets.npy", torch.cat([labels[:, None].float(), z], dim=1).numpy())
    np.save(HERE / f"{name}.rates.npy", np.array([0.1] * 3, dtype=np.float64))
    print(f"{name}: written")


def train(name):
    if name == "two_outputs":
        return two_outputs()
    settings, epochs, optimizer, scheduler, l2, clip = FIXTURES[name]
    torch.manual_seed(100 + list(FIXTURES).index(name))
    model = Mlp()
    x = torch.randn(EXAMPLES, INPUTS)
    targets = torch.randn(EXAMPLES, OUTPUTS)
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    params = list(model.parameters())
    opt = optimizer(params)
    sched = scheduler(opt) if scheduler else None
    rates, clipped = [], 0
    for _ in range(epochs):
        rates.append(opt.param_groups[0]["lr"])
        for start in range(0, EXAMPLES, BATCH):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x[start:start + BATCH]), targets[start:start + BATCH])
            # DLN's l2(λ) is the penalty (λ/2)·‖W‖² on weights (parameters of rank 2 or more), not biases
            loss = loss + sum(0.5 * l2 * (p ** 2).sum() for p in params if p.dim() >= 2)
            loss.backward()
            if clip:
                before = [p.grad.clone() for p in params]
                clip(params)
                clipped += any(not torch.equal(b, p.grad) for b, p in zip(before, params))
            opt.step()
        if sched:
            sched.step()
    (HERE / f"{name}.dln").write_text(dln(name, settings))
    write_safetensors(HERE / f"{name}.initial.safetensors", initial)
    write_safetensors(HERE / f"{name}.trained.safetensors", model.state_dict())
    np.save(HERE / f"{name}.x.npy", x.numpy())
    np.save(HERE / f"{name}.targets.npy", targets.numpy())
    np.save(HERE / f"{name}.rates.npy", np.array(rates, dtype=np.float64))
    assert not clip or clipped > 0, name + ": clipping never acted"
    print(f"{name}: rates {[round(r, 6) for r in rates]}, {clipped} steps clipped")


if __name__ == "__main__":
    for fixture in sys.argv[1:] or [*FIXTURES, "two_outputs"]:
        train(fixture)
