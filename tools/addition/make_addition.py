#!/usr/bin/env python3
"""Writes data/addition.tsv: the Keras "addition RNN" example's data (keras-io examples/nlp/addition_rnn.py).

50,000 distinct questions "a+b" with a and b of 1 to 3 random digits (Keras's DIGITS = 3), each with its answer;
the `reversed` column is the question written backwards, the input Keras feeds its LSTM (REVERSE = True).
Seeded, so the file is reproducible: python3 tools/addition/make_addition.py > data/addition.tsv
"""
import random

DIGITS = 3
random.seed(1234)
seen = set()
rows = []
while len(rows) < 50000:
    f = lambda: int("".join(random.choice("0123456789") for _ in range(random.randint(1, DIGITS))))
    a, b = f(), f()
    key = tuple(sorted((a, b)))  # Keras skips a question whose operands it has seen in either order
    if key in seen:
        continue
    seen.add(key)
    q = f"{a}+{b}"
    rows.append((q, q[::-1], str(a + b)))
print("question\treversed\tanswer")
for q, r, s in rows:
    print(f"{q}\t{r}\t{s}")
