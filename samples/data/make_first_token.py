"""Writes the data of samples/transformer_encoder.dln: sequences of 12 token ids out of 16, labelled
1 when the first token appears again later in the sequence and 0 when it does not, half of each.
No single position and no count of tokens answers it: the model has to compare the first token
with every later one, which is what attention does. Deterministic: the same files every run.

    python3 make_first_token.py   # writes first_token_ids.npy [N, 12] (uint8), first_token_labels.npy [N] (uint8)
"""
import numpy as np

LENGTH, VOCAB, COUNT = 12, 16, 16000

rng = np.random.default_rng(14)
ids = np.zeros((COUNT, LENGTH), dtype=np.uint8)
labels = np.zeros(COUNT, dtype=np.uint8)
for n in range(COUNT):
    first = rng.integers(VOCAB)
    others = np.delete(np.arange(VOCAB), first)
    ids[n, 0] = first
    ids[n, 1:] = rng.choice(others, LENGTH - 1)
    if n % 2:
        ids[n, rng.integers(1, LENGTH)] = first
        labels[n] = 1
np.save("first_token_ids.npy", ids)
np.save("first_token_labels.npy", labels)
