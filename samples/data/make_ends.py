"""Writes the data of samples/sequence_gru.dln: sequences of 20 symbols out of 8 (ids 0 to 7), and
whether the first and the last symbol are the same (class 1) or not (class 0), half of each.
Deterministic: the same files every run.

    python3 make_ends.py      # writes ends_x.npy [N, 20] (uint8 ids) and ends_y.npy [N] (class indices)
"""
import numpy as np

N, T, SYMBOLS = 4000, 20, 8
rng = np.random.default_rng(11)
symbols = rng.integers(0, SYMBOLS, size=(N, T))
same = np.arange(N) % 2 == 1
# class 1: the last symbol copies the first; class 0: it is one of the other symbols
other = (symbols[:, 0] + rng.integers(1, SYMBOLS, size=N)) % SYMBOLS
symbols[:, -1] = np.where(same, symbols[:, 0], other)
order = rng.permutation(N)
np.save("ends_x.npy", symbols[order].astype(np.uint8))
np.save("ends_y.npy", same[order].astype(np.float32))
