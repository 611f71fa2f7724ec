"""Writes the data of samples/sequence_lstm.dln: windows of 30 steps of noisy sine waves and the
value that follows each window. Deterministic: the same files every run.

    python3 make_sine.py      # writes sine_windows.npy [N, 30, 1] and sine_next.npy [N, 1]
"""
import numpy as np

rng = np.random.default_rng(7)
windows, nexts = [], []
for _ in range(1200):
    freq = rng.uniform(0.05, 0.25)          # cycles per step
    phase = rng.uniform(0, 2 * np.pi)
    amp = rng.uniform(0.5, 1.5)
    t = np.arange(31)
    wave = amp * np.sin(2 * np.pi * freq * t + phase) + rng.normal(0, 0.05, 31)
    windows.append(wave[:30, None])
    nexts.append(wave[30:31])
np.save("sine_windows.npy", np.asarray(windows, dtype=np.float32))
np.save("sine_next.npy", np.asarray(nexts, dtype=np.float32))
