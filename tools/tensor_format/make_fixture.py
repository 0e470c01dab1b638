#!/usr/bin/python3
"""Writes tests/LstmSharp.Tests/Fixtures/tensor_format/numpy_str.json: float32 arrays and what numpy's str() prints
for them with the default print options (threshold 1000, edgeitems 3, linewidth 75, precision 8), the oracle of
Tensor.ToString's values.

Run with Debian's interpreter: /usr/bin/python3 tools/tensor_format/make_fixture.py (needs python3-numpy). The output
is deterministic (seeded draws); each value is written as the double equal to the float32, so C# reads it exactly.
"""
import json
import os

import numpy as np

rng = np.random.default_rng(15)
f32 = np.float32
nan, inf = float("nan"), float("inf")

cases = {
    "vector": np.array([1.5, 2.25, 3.0], f32),
    "matrix_halves": np.arange(6, dtype=f32).reshape(2, 3) * f32(0.5),
    "negative_and_wide": np.array([[-10.25, 1.5], [100.0, 0.0]], f32),
    "tenths": np.array([0.1, 0.2, 0.3], f32),
    "all_zero": np.zeros((2, 2), f32),
    "negative_zero": np.array([-0.0, 1.0, 2.5], f32),
    "integers": np.array([1.0, 20.0, 300.0], f32),
    "small_scientific": np.array([1e-5, 1.0, 123.456], f32),
    "large_scientific": np.array([1e9, -2.5], f32),
    "ratio_over_1000": np.array([0.001, 2000.0], f32),
    "eight_digits_cut": np.array([0.0001234567, 0.1], f32),
    "nan_and_inf": np.array([nan, 1.5, -inf, 2.0], f32),
    "only_nan": np.array([nan, nan], f32),
    "scientific_with_nan": np.array([[1e-5, 1.0], [nan, -3.0]], f32),
    "cube": (np.arange(24, dtype=f32).reshape(2, 3, 4) - f32(12)) / f32(4),
    "random_normal": rng.standard_normal((3, 4)).astype(f32),
    "wrapped_row": rng.standard_normal(40).astype(f32),
    "wrapped_matrix": rng.uniform(-1, 1, (3, 20)).astype(f32),
    "empty": np.zeros((0, 3), f32),
    "summarised_vector": np.arange(2000, dtype=f32),
    "summarised_matrix": rng.standard_normal((40, 30)).astype(f32),
    "summarised_cube": rng.uniform(0, 10, (4, 5, 100)).astype(f32),
    "summarised_rows_only": rng.standard_normal((500, 3)).astype(f32),
    "thousand_not_summarised": (np.arange(1000, dtype=f32) % f32(7)).reshape(10, 100),
}


def number(v):
    v = float(v)
    if v != v:
        return "NaN"
    if v in (inf, -inf):
        return "Infinity" if v > 0 else "-Infinity"
    return repr(v)


out = [{"name": name, "shape": list(a.shape), "values": [number(v) for v in a.ravel()], "text": str(a)}
       for name, a in cases.items()]
path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "LstmSharp.Tests", "Fixtures", "tensor_format", "numpy_str.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump({"numpy": np.__version__, "cases": out}, f, indent=1)
    f.write("\n")
print(f"wrote {len(out)} cases to {os.path.normpath(path)}")
