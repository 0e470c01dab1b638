#!/usr/bin/python3
"""Generate Keras 3 `.weights.h5` import fixtures for the LstmSharp test suite.

Run from anywhere with the *system* Python (Debian's python3-h5py/numpy):

    /usr/bin/python3 tools/keras_fixtures/make_fixtures.py

Keras and TensorFlow are NOT used (and not needed). The script writes, with
h5py, HDF5 files that have the same group/dataset layout that Keras 3's
`model.save_weights("x.weights.h5")` produces for a Sequential model, and
computes the expected model outputs with an independent float64 numpy forward
pass that follows Keras' conventions.

For every model in MODELS it writes, into
tests/LstmSharp.Tests/Fixtures/keras/:

  <name>.weights.h5  the float32 weights, Keras 3 layout (see below).
  <name>.json        {"x": {"shape", "data"}, "expected": {"shape", "data"}}.

The C# tests only read these files; they never need Python.

Keras 3 `.weights.h5` layout (keras/src/saving/saving_lib.py: `_save_state`,
`_save_container_state`, `H5Entry`):

  * Every saveable object visited gets a group `<its path>/vars`; its own
    variables are datasets in it named "0", "1", ... in variable order. The
    model itself is at path "" and gets an (empty) root group `vars`.
  * A Sequential model's layers live in the container `layers`. Keras names
    each entry after the *class* name in snake_case, with `_1`, `_2`, ...
    for repeats (so two LSTMs are `lstm` and `lstm_1`); for default-named
    layers this coincides with the layer names.
  * An RNN layer (LSTM, GRU) owns no variables itself (empty
    `layers/<name>/vars`); its cell is the attribute `cell`, so the weights
    are `layers/<name>/cell/vars/{0,1,2}` = kernel, recurrent_kernel, bias.
  * Bidirectional owns no variables (empty `layers/<name>/vars`); its
    wrapped copies are the attributes `forward_layer` and `backward_layer`,
    each laid out like an RNN layer:
    `layers/<name>/{forward_layer,backward_layer}/cell/vars/{0,1,2}`.
  * Dense: `layers/<name>/vars/0` kernel [in, out], `.../1` bias [out].
  * Embedding: `layers/<name>/vars/0` embeddings [vocab, dim].
  * Every dataset is float32, stored as plain contiguous `<f4` (what
    `group[key] = numpy_array` gives). No attributes are written.

Keras math conventions used by the reference forward pass (x @ W, row
vectors; all initial states zero; no masking; no dropout):

  LSTM  kernel [I,4H], recurrent_kernel [H,4H], bias [4H], gates i,f,c,o:
        z = x@W + h@U + b;  i,f,o = sigmoid(.), g = tanh(.)
        c' = f*c + i*g;  h' = o*tanh(c')
  GRU   reset_after=True (Keras default): kernel [I,3H],
        recurrent_kernel [H,3H], bias [2,3H] (row 0 input bias, row 1
        recurrent bias), gates z,r,h:
        xz,xr,xh = x@W + b[0];  rz,rr,rh = h@U + b[1]
        z = sigmoid(xz+rz); r = sigmoid(xr+rr); hh = tanh(xh + r*rh)
        h' = z*h + (1-z)*hh
  Activations: tanh and the exact logistic sigmoid (not hard_sigmoid).
  Dense on a 3-D input is applied at every time step.
  Bidirectional(LSTM) with return_sequences=False, merge_mode="concat":
        [forward final h (after reading t = T-1),
         backward final h (reads t = T-1 .. 0, so its final h is after t = 0)]

Numerical recipe, per model: rng = numpy.random.default_rng(<fixed seed>);
draw the weights in layer order (kernel, recurrent_kernel, bias; forward layer
before backward layer) as float32 uniform in [-0.5, 0.5), then the input
(float32 uniform in [-1, 1), or integer ids in 1..vocab-1, never 0). The
float32 weights are written to the h5 file; the forward pass runs in float64
on the exact widened float32 values.

JSON number format: float inputs are written as the exact float64 value of the
float32 (so they parse identically as double or float); ids as integers;
"expected" with Python's repr (round-trips float64 exactly).

Self-check (`self_check`): each h5 file is re-opened, its complete tree of
groups and datasets must equal the expected Keras layout (no extra or missing
objects, all float32, right shapes, no attributes, values equal to what was
generated), the JSON is re-parsed, and the output is recomputed from the
weights *read back from the h5 file* by two separate implementations: the
batched one used to make "expected" and a per-sample, per-gate loop written
differently (explicit reversed loop instead of array flips, separate gate
matrices instead of one fused matmul). Both must match "expected" to 1e-12.
"""

import json
import math
import os

import h5py
import numpy as np

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(REPO_ROOT, "tests", "LstmSharp.Tests", "Fixtures", "keras")

TOL = 1e-12  # max abs difference allowed in the self-check
W_SCALE = 0.5  # weights ~ U[-0.5, 0.5)

# ---------------------------------------------------------------------------
# Model table. Each layer is (kind, h5 name, config). Kinds:
#   "lstm" / "gru"  units, return_sequences
#   "bilstm"        Bidirectional(LSTM(units)), merge concat, last state only
#   "dense"         units (linear activation)
#   "embedding"     vocab, dim
# "input" is ("float", [B, T, I]) or ("ids", [B, T], vocab).
# ---------------------------------------------------------------------------
MODELS = [
    {
        "name": "lstm_dense",
        "seed": 7001,
        "input": ("float", [2, 5, 3]),
        "layers": [
            ("lstm", "lstm", {"units": 4, "return_sequences": False}),
            ("dense", "dense", {"units": 2}),
        ],
    },
    {
        "name": "gru_seq_dense",
        "seed": 7002,
        "input": ("float", [2, 4, 3]),
        "layers": [
            ("gru", "gru", {"units": 5, "return_sequences": True}),
            ("dense", "dense", {"units": 2}),
        ],
    },
    {
        "name": "emb_bilstm_dense",
        "seed": 7003,
        "input": ("ids", [2, 6], 10),
        "layers": [
            ("embedding", "embedding", {"vocab": 10, "dim": 4}),
            ("bilstm", "bidirectional", {"units": 3}),
            ("dense", "dense", {"units": 2}),
        ],
    },
    {
        "name": "lstm2_dense",
        "seed": 7004,
        "input": ("float", [2, 5, 2]),
        "layers": [
            ("lstm", "lstm", {"units": 4, "return_sequences": True}),
            ("lstm", "lstm_1", {"units": 3, "return_sequences": False}),
            ("dense", "dense", {"units": 1}),
        ],
    },
]


# ---------------------------------------------------------------------------
# Weight generation. Returns an ordered list of (h5 dataset path, float32
# array) and the feature size after the layer.
# ---------------------------------------------------------------------------
def uniform32(rng, shape, scale):
    """float32 uniform in [-scale, scale). Drawn in float64 then rounded."""
    return (rng.uniform(-scale, scale, size=shape)).astype(np.float32)


def rnn_cell_weights(rng, prefix, kind, in_dim, units):
    """kernel, recurrent_kernel, bias of an LSTMCell / GRUCell (reset_after)."""
    g = 4 if kind == "lstm" else 3
    bias_shape = (g * units,) if kind == "lstm" else (2, g * units)
    return [
        (prefix + "/cell/vars/0", uniform32(rng, (in_dim, g * units), W_SCALE)),
        (prefix + "/cell/vars/1", uniform32(rng, (units, g * units), W_SCALE)),
        (prefix + "/cell/vars/2", uniform32(rng, bias_shape, W_SCALE)),
    ]


def make_weights(model, rng):
    weights = []  # (path, array)
    empty_groups = ["vars", "layers"]  # root `vars` belongs to the model
    inp = model["input"]
    feat = inp[1][-1] if inp[0] == "float" else None
    for kind, name, cfg in model["layers"]:
        base = "layers/" + name
        empty_groups.append(base)
        if kind in ("lstm", "gru"):
            empty_groups.append(base + "/vars")  # the RNN layer's own (none)
            weights += rnn_cell_weights(rng, base, kind, feat, cfg["units"])
            feat = cfg["units"]
        elif kind == "bilstm":
            empty_groups.append(base + "/vars")
            for sub in ("forward_layer", "backward_layer"):
                empty_groups.append(base + "/" + sub + "/vars")
                weights += rnn_cell_weights(rng, base + "/" + sub, "lstm", feat, cfg["units"])
            feat = 2 * cfg["units"]
        elif kind == "dense":
            weights.append((base + "/vars/0", uniform32(rng, (feat, cfg["units"]), W_SCALE)))
            weights.append((base + "/vars/1", uniform32(rng, (cfg["units"],), W_SCALE)))
            feat = cfg["units"]
        elif kind == "embedding":
            weights.append((base + "/vars/0", uniform32(rng, (cfg["vocab"], cfg["dim"]), W_SCALE)))
            feat = cfg["dim"]
        else:
            raise ValueError(kind)
    return weights, empty_groups


def make_input(model, rng):
    inp = model["input"]
    if inp[0] == "float":
        return uniform32(rng, inp[1], 1.0)
    # ids in 1..vocab-1: 0 (often the padding id) never appears
    return rng.integers(1, inp[2], size=inp[1], dtype=np.int64)


# ---------------------------------------------------------------------------
# h5 writer: exactly the groups/datasets Keras 3 creates, nothing else.
# ---------------------------------------------------------------------------
def write_h5(path, weights, empty_groups):
    if os.path.exists(path):
        os.remove(path)
    with h5py.File(path, "w") as f:  # same defaults as keras' H5IOStore
        for g in empty_groups:
            f.require_group(g)
        for p, arr in weights:
            assert arr.dtype == np.float32
            f[p] = arr  # plain contiguous <f4 dataset, like H5Entry.__setitem__


def read_h5_tree(path):
    """Every object in the file: {path: ("group", None) | ("dataset", array)}.
    Also asserts there are no attributes anywhere."""
    tree = {}
    with h5py.File(path, "r") as f:
        assert len(f.attrs) == 0

        def visit(name, obj):
            assert len(obj.attrs) == 0, name
            if isinstance(obj, h5py.Dataset):
                assert obj.dtype == np.dtype("<f4"), (name, obj.dtype)
                assert obj.chunks is None and obj.compression is None, name
                tree[name] = ("dataset", obj[()])
            else:
                tree[name] = ("group", None)

        f.visititems(visit)
    return tree


# ---------------------------------------------------------------------------
# Reference forward pass, batched float64 numpy (used to make "expected").
# `w` maps h5 dataset path -> float64 array.
# ---------------------------------------------------------------------------
def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def lstm_seq(x, k, u, b):
    """x [B,T,I] -> all hidden states [B,T,H]. Gates i,f,c,o."""
    B, T, _ = x.shape
    H = u.shape[0]
    h = np.zeros((B, H))
    c = np.zeros((B, H))
    out = np.zeros((B, T, H))
    for t in range(T):
        z = x[:, t, :] @ k + h @ u + b
        i = sigmoid(z[:, 0 * H:1 * H])
        f = sigmoid(z[:, 1 * H:2 * H])
        g = np.tanh(z[:, 2 * H:3 * H])
        o = sigmoid(z[:, 3 * H:4 * H])
        c = f * c + i * g
        h = o * np.tanh(c)
        out[:, t, :] = h
    return out


def gru_seq(x, k, u, b):
    """x [B,T,I] -> all hidden states [B,T,H]. reset_after=True, gates z,r,h."""
    B, T, _ = x.shape
    H = u.shape[0]
    h = np.zeros((B, H))
    out = np.zeros((B, T, H))
    for t in range(T):
        xi = x[:, t, :] @ k + b[0]
        hr = h @ u + b[1]
        z = sigmoid(xi[:, :H] + hr[:, :H])
        r = sigmoid(xi[:, H:2 * H] + hr[:, H:2 * H])
        hh = np.tanh(xi[:, 2 * H:] + r * hr[:, 2 * H:])
        h = z * h + (1.0 - z) * hh
        out[:, t, :] = h
    return out


def forward(model, w, x):
    a = x
    for kind, name, cfg in model["layers"]:
        base = "layers/" + name
        if kind in ("lstm", "gru"):
            cw = base + "/cell/vars/"
            seq = (lstm_seq if kind == "lstm" else gru_seq)(a, w[cw + "0"], w[cw + "1"], w[cw + "2"])
            a = seq if cfg["return_sequences"] else seq[:, -1, :]
        elif kind == "bilstm":
            fw = base + "/forward_layer/cell/vars/"
            bw = base + "/backward_layer/cell/vars/"
            h_f = lstm_seq(a, w[fw + "0"], w[fw + "1"], w[fw + "2"])[:, -1, :]
            # go_backwards: reads x[T-1], ..., x[0]; last output = after x[0]
            h_b = lstm_seq(a[:, ::-1, :], w[bw + "0"], w[bw + "1"], w[bw + "2"])[:, -1, :]
            a = np.concatenate([h_f, h_b], axis=-1)
        elif kind == "dense":
            a = a @ w[base + "/vars/0"] + w[base + "/vars/1"]  # per step if 3-D
        elif kind == "embedding":
            a = w[base + "/vars/0"][a]
    return a


# ---------------------------------------------------------------------------
# Second, deliberately different implementation for the self-check: one
# sample at a time, scalar-per-gate matrices sliced up front, explicit time
# index order, Python math for the activations.
# ---------------------------------------------------------------------------
def _sig(v):
    return np.array([1.0 / (1.0 + math.exp(-e)) for e in v])


def _tanh(v):
    return np.array([math.tanh(e) for e in v])


def lstm_last_or_seq_1(xs, k, u, b, order):
    """xs [T,I] for one sample; visits time steps in `order`; returns the list
    of hidden states in visiting order."""
    H = u.shape[0]
    Wi, Wf, Wc, Wo = (k[:, j * H:(j + 1) * H] for j in range(4))
    Ui, Uf, Uc, Uo = (u[:, j * H:(j + 1) * H] for j in range(4))
    bi, bf, bc, bo = (b[j * H:(j + 1) * H] for j in range(4))
    h = np.zeros(H)
    c = np.zeros(H)
    hs = []
    for t in order:
        xt = xs[t]
        i = _sig(xt @ Wi + h @ Ui + bi)
        f = _sig(xt @ Wf + h @ Uf + bf)
        g = _tanh(xt @ Wc + h @ Uc + bc)
        o = _sig(xt @ Wo + h @ Uo + bo)
        c = f * c + i * g
        h = o * _tanh(c)
        hs.append(h)
    return hs


def gru_seq_1(xs, k, u, b):
    H = u.shape[0]
    Wz, Wr, Wh = (k[:, j * H:(j + 1) * H] for j in range(3))
    Uz, Ur, Uh = (u[:, j * H:(j + 1) * H] for j in range(3))
    bz_i, br_i, bh_i = (b[0, j * H:(j + 1) * H] for j in range(3))
    bz_r, br_r, bh_r = (b[1, j * H:(j + 1) * H] for j in range(3))
    h = np.zeros(H)
    hs = []
    for t in range(xs.shape[0]):
        xt = xs[t]
        z = _sig(xt @ Wz + bz_i + h @ Uz + bz_r)
        r = _sig(xt @ Wr + br_i + h @ Ur + br_r)
        hh = _tanh(xt @ Wh + bh_i + r * (h @ Uh + bh_r))
        h = z * h + (1.0 - z) * hh
        hs.append(h)
    return hs


def forward_loop(model, w, x):
    outs = []
    for s in range(x.shape[0]):
        a = x[s]  # [T, I] or [T] ids
        for kind, name, cfg in model["layers"]:
            base = "layers/" + name
            if kind == "lstm":
                cw = base + "/cell/vars/"
                hs = lstm_last_or_seq_1(a, w[cw + "0"], w[cw + "1"], w[cw + "2"], range(a.shape[0]))
                a = np.stack(hs) if cfg["return_sequences"] else hs[-1]
            elif kind == "gru":
                cw = base + "/cell/vars/"
                hs = gru_seq_1(a, w[cw + "0"], w[cw + "1"], w[cw + "2"])
                a = np.stack(hs) if cfg["return_sequences"] else hs[-1]
            elif kind == "bilstm":
                fw = base + "/forward_layer/cell/vars/"
                bw = base + "/backward_layer/cell/vars/"
                T = a.shape[0]
                hf = lstm_last_or_seq_1(a, w[fw + "0"], w[fw + "1"], w[fw + "2"], range(T))[-1]
                hb = lstm_last_or_seq_1(a, w[bw + "0"], w[bw + "1"], w[bw + "2"], range(T - 1, -1, -1))[-1]
                a = np.concatenate([hf, hb])
            elif kind == "dense":
                kern, bias = w[base + "/vars/0"], w[base + "/vars/1"]
                if a.ndim == 1:
                    a = np.array([sum(a[i] * kern[i, j] for i in range(a.shape[0])) + bias[j]
                                  for j in range(kern.shape[1])])
                else:
                    a = np.stack([np.array([sum(v[i] * kern[i, j] for i in range(v.shape[0])) + bias[j]
                                            for j in range(kern.shape[1])]) for v in a])
            elif kind == "embedding":
                table = w[base + "/vars/0"]
                a = np.stack([table[int(i)] for i in a])
        outs.append(a)
    return np.stack(outs)


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------
def tensor_entry(arr):
    arr = np.asarray(arr)
    if arr.dtype.kind == "i":
        data = [int(v) for v in arr.reshape(-1)]
    else:
        # float(np.float32) is the exact float64 value of the float32;
        # float(np.float64) is the value itself. json writes repr().
        data = [float(v) for v in arr.reshape(-1)]
        assert all(math.isfinite(v) for v in data)
    return {"shape": [int(d) for d in arr.shape], "data": data}


def dumps(doc):
    """Two-space indented JSON with every shape/data array on one line."""
    lines = ["{"]
    items = list(doc.items())
    for n, (k, ent) in enumerate(items):
        lines.append("  %s: {" % json.dumps(k))
        lines.append('    "shape": %s,' % json.dumps(ent["shape"]))
        lines.append('    "data": %s' % json.dumps(ent["data"]))
        lines.append("  }" + ("," if n < len(items) - 1 else ""))
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)
    return text


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------
def generate(model):
    rng = np.random.default_rng(model["seed"])
    weights, empty_groups = make_weights(model, rng)
    x = make_input(model, rng)
    w64 = {p: a.astype(np.float64) for p, a in weights}
    x64 = x if x.dtype.kind == "i" else x.astype(np.float64)
    expected = forward(model, w64, x64)

    name = model["name"]
    write_h5(os.path.join(OUT_DIR, name + ".weights.h5"), weights, empty_groups)
    with open(os.path.join(OUT_DIR, name + ".json"), "w") as f:
        f.write(dumps({"x": tensor_entry(x), "expected": tensor_entry(expected)}))
    return weights, empty_groups, x, expected


def self_check(model, weights, empty_groups, x, expected):
    name = model["name"]
    h5_path = os.path.join(OUT_DIR, name + ".weights.h5")
    tree = read_h5_tree(h5_path)

    # 1. The exact set of objects: the given groups, every ancestor group of
    #    every dataset, and the datasets. Nothing more, nothing less.
    want_groups = set(empty_groups)
    for p, _ in weights:
        parts = p.split("/")
        for n in range(1, len(parts)):
            want_groups.add("/".join(parts[:n]))
    got_groups = {p for p, (t, _) in tree.items() if t == "group"}
    got_ds = {p: a for p, (t, a) in tree.items() if t == "dataset"}
    assert got_groups == want_groups, (name, got_groups ^ want_groups)
    assert set(got_ds) == {p for p, _ in weights}, name
    for p, a in weights:
        assert got_ds[p].shape == a.shape and np.array_equal(got_ds[p], a), (name, p)
        assert got_ds[p].dtype == np.float32

    # 2. The JSON round-trips.
    with open(os.path.join(OUT_DIR, name + ".json")) as f:
        doc = json.load(f)
    if x.dtype.kind == "i":
        xj = np.array(doc["x"]["data"], dtype=np.int64).reshape(doc["x"]["shape"])
        assert xj.min() >= 1 and xj.max() < model["input"][2]
        assert all(isinstance(v, int) for v in doc["x"]["data"])
    else:
        xj = np.array(doc["x"]["data"], dtype=np.float64).reshape(doc["x"]["shape"])
        assert np.array_equal(xj.astype(np.float32).astype(np.float64), xj), "x not float32-exact"
    assert np.array_equal(xj, x), name
    ej = np.array(doc["expected"]["data"], dtype=np.float64).reshape(doc["expected"]["shape"])
    assert np.array_equal(ej, expected), name

    # 3. Recompute from the weights read back from the file, two ways.
    w = {p: a.astype(np.float64) for p, a in got_ds.items()}
    x64 = xj if xj.dtype.kind == "i" else xj
    y1 = forward(model, w, x64)
    y2 = forward_loop(model, w, x64)
    assert y1.shape == ej.shape == y2.shape, (y1.shape, ej.shape, y2.shape)
    d1 = float(np.max(np.abs(y1 - ej)))
    d2 = float(np.max(np.abs(y2 - ej)))
    assert d1 <= TOL and d2 <= TOL, (name, d1, d2)
    return d1, d2


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for model in MODELS:
        weights, groups, x, expected = generate(model)
        d1, d2 = self_check(model, weights, groups, x, expected)
        name = model["name"]
        print("%s: x %s -> expected %s   (self-check max|diff| batched %.1e, loop %.1e)"
              % (name, list(x.shape), list(expected.shape), d1, d2))
        for p, a in weights:
            print("    %-44s %s float32" % (p, list(a.shape)))
        for ext in (".weights.h5", ".json"):
            fp = os.path.join(OUT_DIR, name + ext)
            print("    %s: %d bytes" % (os.path.relpath(fp, REPO_ROOT), os.path.getsize(fp)))
    print("all fixtures written and checked")


if __name__ == "__main__":
    main()
