"""Helpers shared by the fixture generators that write one JSON file of cases
(make_crf_fixture.py, make_char_encoder_fixture.py): float32 draws, exact number
lists, the case-per-line JSON layout, and the self-check comparisons."""

import json
import math

import torch


def uniform_f32(*shape):
    """float32 tensor, uniform in [-1, 1), drawn from torch's global RNG."""
    return torch.rand(*shape, dtype=torch.float32) * 2.0 - 1.0


def floats(t):
    """Flat list of Python floats (exact float64 values); -0.0 becomes 0.0."""
    out = [float(v) + 0.0 for v in t.detach().reshape(-1).tolist()]
    assert all(math.isfinite(v) for v in out)
    return out


def ints(t):
    return [int(v) for v in t.detach().reshape(-1).tolist()]


def dumps(doc):
    """2-space indented structure, every field of a case on one line. Floats
    use Python's repr (shortest round-trip)."""
    lines = ["{", '  "description": %s,' % json.dumps(doc["description"]), '  "cases": [']
    for ci, case in enumerate(doc["cases"]):
        lines.append("    {")
        items = list(case.items())
        for i, (k, v) in enumerate(items):
            comma = "," if i < len(items) - 1 else ""
            lines.append("      %s: %s%s" % (json.dumps(k), json.dumps(v, allow_nan=False), comma))
        lines.append("    }" + ("," if ci < len(doc["cases"]) - 1 else ""))
    lines.append("  ]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == doc
    return text


def max_diff(a, b):
    assert len(a) == len(b)
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


def check_f32_exact(name, values):
    t = torch.tensor(values, dtype=torch.float64)
    assert torch.equal(t.float().double(), t), name + " is not float32-exact"
