#!/usr/bin/python3
"""Generate PyTorch *model import* fixtures for the LstmSharp test suite.

Run from anywhere with the *system* Python (Debian's python3-torch 1.13):

    /usr/bin/python3 tools/torch_import_fixtures/make_fixtures.py

For every model in MODELS below it writes, into
tests/LstmSharp.Tests/Fixtures/torch_import/:

  <name>.safetensors  the model's state_dict(), under exactly the names PyTorch
                      gives them (e.g. "lstm.weight_hh_l0_reverse"), float32.
  <name>.json         {"x": {"shape", "data"}, "expected": {"shape", "data"}}:
                      the model input and the model output computed in float64.

The C# tests only read these files; they never need torch.

Numerical recipe, per model:
  1. torch.manual_seed(<fixed seed of the model>).
  2. Build the nn.Module in float32 with torch's default init (every weight
     and bias is random). Then draw the input: integer ids in [1, vocab) for
     the embedding model (0 never appears), otherwise float32 uniform in
     [-1, 1).
  3. The float32 parameters are written to the safetensors file unchanged.
  4. A deep copy of the module is converted with .double() (exact widening of
     the stored float32 values), the input is widened to float64, and the
     forward pass runs in float64. That output is "expected".

Number formatting in the JSON: Python's float repr (shortest string that
round-trips a float64). Float inputs are float32 values written as the exact
float64 value of that float32, so they parse to the same number as double or
as float. Ids are written as JSON integers.

The safetensors files are written by hand (the Python `safetensors` package is
not available): 8-byte little-endian u64 header length N, then N bytes of UTF-8
JSON padded with trailing spaces so that N % 8 == 0, then the tensor data,
float32 little-endian, contiguous, in state_dict() order, no gaps.

Self-check (see `self_check`): every file is read back with an independent
reader written here, a *fresh* module (different seed, so different weights)
is rebuilt from the safetensors tensors with load_state_dict(strict=True), the
forward is recomputed in float64 and must match "expected" to 1e-12. The
output is also recomputed by a hand-written float64 implementation of the
recurrences (no nn.LSTM/nn.GRU/nn.RNN) as an independent cross-check of the
conventions the C# importer must follow. Running the script twice gives
byte-identical files.
"""

import copy
import json
import math
import os
import struct

import torch
import torch.nn as nn

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(REPO_ROOT, "tests", "LstmSharp.Tests", "Fixtures", "torch_import")

TOL = 1e-12  # max abs difference allowed in the self-check


# ---------------------------------------------------------------------------
# The models. One small nn.Module per fixture. batch_first=True everywhere.
# ---------------------------------------------------------------------------
class EmbBiLstm2Fc(nn.Module):
    """Embedding(20, 8) -> 2-layer bidirectional LSTM(8, 16) -> last layer's
    final states cat(h_n[-2], h_n[-1]) [batch, 32] -> Linear(32, 3)."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(20, 8)
        self.lstm = nn.LSTM(8, 16, num_layers=2, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(32, 3)

    def forward(self, ids):
        _, (h_n, _) = self.lstm(self.embedding(ids))
        # h_n is [num_layers*2, batch, 16], indexed layer*2 + direction:
        # h_n[-2] = last layer forward (its state after t = T-1),
        # h_n[-1] = last layer reverse (its state after t = 0).
        return self.fc(torch.cat((h_n[-2], h_n[-1]), dim=1))


class GruFcSeq(nn.Module):
    """GRU(5, 12) -> output sequence [batch, T, 12] -> Linear(12, 4) per step."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(5, 12, num_layers=1, batch_first=True)
        self.fc = nn.Linear(12, 4)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.fc(out)  # Linear acts on the last dim: [batch, T, 4]


class Rnn2Fc(nn.Module):
    """2-layer tanh RNN(4, 10) -> output[:, -1, :] [batch, 10] -> Linear(10, 1)."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(4, 10, num_layers=2, nonlinearity="tanh", batch_first=True)
        self.fc = nn.Linear(10, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


class LstmFc(nn.Module):
    """LSTM(6, 9) -> output[:, -1, :] [batch, 9] -> Linear(9, 2)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(6, 9, batch_first=True)
        self.fc = nn.Linear(9, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1, :])


class BiGruNoBiasFc(nn.Module):
    """Bidirectional GRU(5, 6, bias=False) -> output sequence [batch, T, 12] -> Linear(12, 3) per step."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(5, 6, bias=False, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(12, 3)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.fc(out)


# name, module class, seed, input kind, input shape
#   input kind "ids": integer ids uniform in [1, 20) (never 0)
#   input kind "f32": float32 uniform in [-1, 1)
MODELS = [
    ("emb_bilstm2_fc", EmbBiLstm2Fc, 6001, "ids", (3, 7)),
    ("gru_fc_seq",     GruFcSeq,     6002, "f32", (2, 6, 5)),
    ("rnn2_fc",        Rnn2Fc,       6003, "f32", (3, 5, 4)),
    ("lstm_fc",        LstmFc,       6004, "f32", (2, 4, 6)),
    ("bigru_nobias_fc", BiGruNoBiasFc, 6005, "f32", (2, 5, 5)),
]
VOCAB = 20


# ---------------------------------------------------------------------------
# safetensors writer / reader (hand-written, F32 only)
# ---------------------------------------------------------------------------
def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, float32 tensor) in the order to store them."""
    header = {"__metadata__": dict(metadata)}
    blobs = []
    offset = 0
    for name, t in tensors:
        assert t.dtype == torch.float32
        t = t.detach().cpu().contiguous()
        # '<f' = little-endian float32, independent of the host byte order.
        blob = struct.pack("<%df" % t.numel(), *t.reshape(-1).tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    # Compact JSON; ensure_ascii keeps it plain ASCII (a subset of UTF-8).
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)  # pad with spaces: N % 8 == 0
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    """Independent reader. Returns (metadata, [(name, float32 tensor)]) in
    data-offset order, and validates the layout strictly."""
    with open(path, "rb") as f:
        raw = f.read()
    assert len(raw) >= 8
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0, "header length not a multiple of 8"
    assert 8 + n <= len(raw)
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    expect_begin = 0
    out = []
    for name, e in entries:
        assert e["dtype"] == "F32"
        begin, end = e["data_offsets"]
        count = math.prod(e["shape"])
        assert begin == expect_begin, name + ": gap or overlap"
        assert end - begin == 4 * count, name + ": size mismatch"
        values = struct.unpack("<%df" % count, data[begin:end])
        out.append((name, torch.tensor(values, dtype=torch.float32).reshape(e["shape"])))
        expect_begin = end
    assert expect_begin == len(data), "trailing bytes after the last tensor"
    return metadata, out


# ---------------------------------------------------------------------------
# JSON helpers
# ---------------------------------------------------------------------------
def tensor_entry(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.int64:
        data = [int(v) for v in t.reshape(-1).tolist()]
    else:
        # .tolist() of a float32 tensor gives the exact float64 value of each
        # float32; of a float64 tensor, the float64 itself.
        data = [float(v) for v in t.reshape(-1).tolist()]
        assert all(math.isfinite(v) for v in data)
    return {"shape": list(t.shape), "data": data}


def dumps(doc):
    """Two-space indented JSON with every shape/data array on one line.
    json.dumps writes floats with repr, which round-trips float64 exactly."""
    lines = ["{"]
    items = list(doc.items())
    for i, (k, ent) in enumerate(items):
        lines.append("  %s: {" % json.dumps(k))
        lines.append('    "shape": %s,' % json.dumps(ent["shape"]))
        lines.append('    "data": %s' % json.dumps(ent["data"]))
        lines.append("  }" + ("," if i < len(items) - 1 else ""))
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)
    return text


def from_entry(ent, dtype):
    return torch.tensor(ent["data"], dtype=dtype).reshape(ent["shape"])


# ---------------------------------------------------------------------------
# Hand-written float64 reference (independent of nn.LSTM / nn.GRU / nn.RNN).
# Documents the conventions the C# importer has to reproduce.
# ---------------------------------------------------------------------------
def _cell(kind, p, sfx, x, h, c):
    """One step. p: state_dict of the recurrent layer (float64), sfx: '_l{k}'
    or '_l{k}_reverse'. Returns (h', c')."""
    w_ih, w_hh = p["weight_ih" + sfx], p["weight_hh" + sfx]
    b_ih, b_hh = p.get("bias_ih" + sfx, 0.0), p.get("bias_hh" + sfx, 0.0)  # bias=False: none
    gi = x @ w_ih.T + b_ih
    gh = h @ w_hh.T + b_hh
    if kind == "LSTM":  # rows [i, f, g, o]
        i, f, g, o = (gi + gh).chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c
    if kind == "GRU":  # rows [r, z, n]; b_hn inside the reset product
        ir, iz, i_n = gi.chunk(3, dim=1)
        hr, hz, hn = gh.chunk(3, dim=1)
        r = torch.sigmoid(ir + hr)
        z = torch.sigmoid(iz + hz)
        n = torch.tanh(i_n + r * hn)
        return (1 - z) * n + z * h, None
    return torch.tanh(gi + gh), None  # RNN tanh


def manual_recurrent(kind, p, x, hidden, num_layers, bidirectional):
    """Zero initial states. Returns (output [B,T,dirs*H], h_n [layers*dirs,B,H])."""
    B, T, _ = x.shape
    dirs = 2 if bidirectional else 1
    layer_in = x
    h_n = []
    for k in range(num_layers):
        outs = []
        for d in range(dirs):
            sfx = "_l%d" % k + ("_reverse" if d == 1 else "")
            h = torch.zeros(B, hidden, dtype=torch.float64)
            c = torch.zeros(B, hidden, dtype=torch.float64)
            steps = range(T) if d == 0 else range(T - 1, -1, -1)
            seq = [None] * T
            for t in steps:
                h, c = _cell(kind, p, sfx, layer_in[:, t, :], h, c)
                seq[t] = h  # reverse output at t is aligned with input step t
            outs.append(torch.stack(seq, dim=1))
            h_n.append(h)
        layer_in = torch.cat(outs, dim=2)
    return layer_in, torch.stack(h_n, dim=0)


def manual_forward(name, sd, x):
    """sd: {state_dict name: float64 tensor}."""
    def sub(prefix):
        return {k[len(prefix):]: v for k, v in sd.items() if k.startswith(prefix)}

    def fc(v):
        return v @ sd["fc.weight"].T + sd["fc.bias"]

    if name == "emb_bilstm2_fc":
        emb = sd["embedding.weight"][x]  # plain gather
        out, h_n = manual_recurrent("LSTM", sub("lstm."), emb, 16, 2, True)
        # Sanity on the bidirectional convention: the reverse final state is
        # the reverse output at t = 0, the forward one is at t = T-1.
        assert torch.equal(h_n[-1], out[:, 0, 16:])
        assert torch.equal(h_n[-2], out[:, -1, :16])
        return fc(torch.cat((h_n[-2], h_n[-1]), dim=1))
    if name == "gru_fc_seq":
        out, _ = manual_recurrent("GRU", sub("gru."), x, 12, 1, False)
        return fc(out)
    if name == "rnn2_fc":
        out, _ = manual_recurrent("RNN", sub("rnn."), x, 10, 2, False)
        return fc(out[:, -1, :])
    if name == "bigru_nobias_fc":
        out, _ = manual_recurrent("GRU", sub("gru."), x, 6, 1, True)
        return fc(out)
    if name == "lstm_fc":
        out, _ = manual_recurrent("LSTM", sub("lstm."), x, 9, 1, False)
        return fc(out[:, -1, :])
    raise KeyError(name)


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------
def forward_f64(model, x):
    m = copy.deepcopy(model).double().eval()
    xin = x if x.dtype == torch.int64 else x.double()
    with torch.no_grad():
        return m(xin)


def generate(name, cls, seed, kind, shape):
    torch.manual_seed(seed)
    model = cls()  # float32, default init: all weights and biases random
    if kind == "ids":
        x = torch.randint(1, VOCAB, shape, dtype=torch.int64)
    else:
        x = torch.rand(*shape, dtype=torch.float32) * 2.0 - 1.0
    expected = forward_f64(model, x)
    assert expected.dtype == torch.float64

    sd = model.state_dict()
    metadata = {"format": "pt", "model": name,
                "generator": "tools/torch_import_fixtures/make_fixtures.py"}
    write_safetensors(os.path.join(OUT_DIR, name + ".safetensors"),
                      list(sd.items()), metadata)
    with open(os.path.join(OUT_DIR, name + ".json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(dumps({"x": tensor_entry(x), "expected": tensor_entry(expected)}))
    return sd


def self_check(name, cls, seed, kind, shape, original_sd):
    # --- reload the files with the independent reader ---
    metadata, tensors = read_safetensors(os.path.join(OUT_DIR, name + ".safetensors"))
    assert metadata.get("format") == "pt"
    with open(os.path.join(OUT_DIR, name + ".json"), encoding="utf-8") as f:
        doc = json.load(f)
    assert sorted(doc) == ["expected", "x"]
    if kind == "ids":
        assert all(isinstance(v, int) and 1 <= v < VOCAB for v in doc["x"]["data"])
        x = from_entry(doc["x"], torch.int64)
    else:
        x64 = from_entry(doc["x"], torch.float64)
        assert torch.equal(x64.float().double(), x64), "x is not float32-exact"
        x = x64.float()
    assert list(x.shape) == list(shape)
    expected = from_entry(doc["expected"], torch.float64)

    # --- names/shapes/values must equal the original state_dict exactly ---
    loaded = dict(tensors)
    assert list(loaded) == list(original_sd), "key set/order differs from state_dict()"
    for k, v in original_sd.items():
        assert torch.equal(loaded[k], v), k

    # --- rebuild a fresh module (different weights) from the file ---
    torch.manual_seed(seed + 12345)
    fresh = cls()
    fresh.load_state_dict(loaded, strict=True)
    got = forward_f64(fresh, x)
    assert got.shape == expected.shape
    err = (got - expected).abs().max().item()
    assert err <= TOL, "%s: rebuilt model differs by %g" % (name, err)

    # --- independent hand-written recurrence ---
    sd64 = {k: v.double() for k, v in loaded.items()}
    man = manual_forward(name, sd64, x if kind == "ids" else x.double())
    merr = (man - expected).abs().max().item()
    assert merr <= TOL, "%s: manual reference differs by %g" % (name, merr)
    return err, merr


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, cls, seed, kind, shape in MODELS:
        sd = generate(name, cls, seed, kind, shape)
        err, merr = self_check(name, cls, seed, kind, shape, sd)
        print("%s: rebuilt err %.3g, manual err %.3g" % (name, err, merr))
        for k, v in sd.items():
            print("    %-28s %s" % (k, list(v.shape)))
        for ext in (".safetensors", ".json"):
            p = os.path.join(OUT_DIR, name + ext)
            print("    %-28s %d bytes" % (name + ext, os.path.getsize(p)))


if __name__ == "__main__":
    main()
