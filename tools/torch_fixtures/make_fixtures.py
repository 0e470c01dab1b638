#!/usr/bin/python3
"""Generate PyTorch reference fixtures for the LstmSharp test suite.

Run from the repository root with the *system* Python (Debian's python3-torch):

    /usr/bin/python3 tools/torch_fixtures/make_fixtures.py

Writes one JSON file per case into tests/LstmSharp.Tests/Fixtures/torch/ and
then re-reads every file and checks it (see `self_check`). The C# tests only
read the JSON; they never need torch.

Numerical recipe for every case:
  1. torch.manual_seed(<fixed seed for the case>).
  2. Build the module in float32 with torch's default init, then draw the
     inputs / initial states / upstream gradients as float32 uniform in
     [-1, 1).  These float32 values are what get stored.
  3. Convert the module and all tensors to float64 (exact widening), run the
     forward and backward in float64, and store outputs and gradients as
     float64.
  The scalar loss that is differentiated is
     L = sum(output * grad_output) + sum(h_n * grad_h_n) [+ sum(c_n * grad_c_n)]
  so "grad.<name>" is exactly the vector-Jacobian product with the stored
  upstream gradients.
  Exception: the Seq2SeqLSTM case has only integer ids as inputs (no float
  inputs, no upstream gradients); its loss is the mean cross-entropy of the
  decoder logits, and "grad.<name>" is the gradient of that loss.
  The Attention cases have no nn module: their parameters are drawn like the
  inputs (float32 uniform in [-1, 1)), the forward is plain tensor ops, and
     L = sum(context * grad_context) + sum(weights * grad_weights).

Number formatting: every value is written with Python's repr of a float64,
which round-trips exactly.  Stored float32 values are written as the exact
float64 value of the float32 (e.g. 0.4962566494941711), so they parse to the
same number whether read as double or as float.
"""

import json
import math
import os
import sys

import torch
import torch.nn as nn

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(REPO_ROOT, "tests", "LstmSharp.Tests", "Fixtures", "torch")

# Tolerance for the reload-and-recompute check, and for the independent
# hand-written reference implementation of the recurrences.
RECOMPUTE_TOL = 1e-12
# Finite-difference check (central differences in float64).
FD_EPS = 1e-6
FD_TOL = 1e-7

# ---------------------------------------------------------------------------
# Case table. Each case has a fixed seed so the output is reproducible.
# ---------------------------------------------------------------------------
RECURRENT_CASES = [
    # file name,   module, seed, constructor kwargs,                                          batch, time
    ("lstm_l1",    "LSTM", 1001, dict(input_size=3,  hidden_size=5,  num_layers=1),                 2, 4),
    ("lstm_l2",    "LSTM", 1002, dict(input_size=4,  hidden_size=6,  num_layers=2),                 3, 5),
    ("lstm_wide",  "LSTM", 1003, dict(input_size=17, hidden_size=19, num_layers=1),                 3, 6),
    ("lstm_bi",    "LSTM", 1004, dict(input_size=3,  hidden_size=4,  num_layers=1, bidirectional=True), 2, 5),
    ("lstm_bi_l2", "LSTM", 1005, dict(input_size=3,  hidden_size=4,  num_layers=2, bidirectional=True), 2, 4),
    ("gru_l1",     "GRU",  2001, dict(input_size=3,  hidden_size=5,  num_layers=1),                 2, 4),
    ("gru_l2",     "GRU",  2002, dict(input_size=4,  hidden_size=6,  num_layers=2),                 3, 5),
    ("gru_wide",   "GRU",  2003, dict(input_size=17, hidden_size=19, num_layers=1),                 3, 6),
    ("rnn_l1",     "RNN",  3001, dict(input_size=3,  hidden_size=5,  num_layers=1, nonlinearity="tanh"), 2, 4),
    ("rnn_l2",     "RNN",  3002, dict(input_size=4,  hidden_size=6,  num_layers=2, nonlinearity="tanh"), 3, 5),
]
LINEAR_SEED = 4001
EMBEDDING_SEED = 5001
SEQ2SEQ_SEED = 6001
# Encoder-decoder sizes: batch, source/target vocab, embedding dim, hidden,
# source length, target length. Id 0 is padding (never used), id 1 is BOS.
SEQ2SEQ = dict(batch=3, src_vocab=7, tgt_vocab=6, embedding_dim=4, hidden_size=5,
               src_time=5, tgt_time=4)
SEQ2SEQ_BOS = 1


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def uniform_f32(*shape):
    """float32 tensor, uniform in [-1, 1), drawn from torch's global RNG."""
    return torch.rand(*shape, dtype=torch.float32) * 2.0 - 1.0


def tensor_entry(t):
    """{"shape": [...], "data": [flat row-major]} for a float32/float64/int tensor."""
    t = t.detach().cpu().contiguous()
    if t.dtype in (torch.int64, torch.int32):
        data = [int(v) for v in t.reshape(-1).tolist()]
    else:
        # .tolist() on a float32 tensor yields the exact float64 value of each
        # float32; on a float64 tensor it yields the float64 itself.
        data = [float(v) for v in t.reshape(-1).tolist()]
        assert all(math.isfinite(v) for v in data)
    return {"shape": list(t.shape), "data": data}


def dumps(doc):
    """JSON with 2-space indentation for structure but each "data"/"shape"
    array on one line (keeps files small and diffs readable). Floats use
    Python's repr (shortest round-trip)."""
    lines = ["{"]
    top = list(doc.items())
    for i, (k, v) in enumerate(top):
        comma = "," if i < len(top) - 1 else ""
        if k == "tensors":
            lines.append('  "tensors": {')
            items = list(v.items())
            for j, (name, ent) in enumerate(items):
                c2 = "," if j < len(items) - 1 else ""
                lines.append("    %s: {" % json.dumps(name))
                lines.append('      "shape": %s,' % json.dumps(ent["shape"]))
                lines.append('      "data": %s' % json.dumps(ent["data"]))
                lines.append("    }" + c2)
            lines.append("  }" + comma)
        else:  # "module", "torch_version", "config" (config on one line)
            lines.append("  %s: %s%s" % (json.dumps(k), json.dumps(v), comma))
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # must be valid JSON
    return text


def write_fixture(name, doc):
    path = os.path.join(OUT_DIR, name + ".json")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(dumps(doc))
    return path


def from_entry(ent, dtype=torch.float64):
    return torch.tensor(ent["data"], dtype=dtype).reshape(ent["shape"])


# ---------------------------------------------------------------------------
# Recurrent modules (LSTM / GRU / RNN)
# ---------------------------------------------------------------------------
def make_recurrent_module(kind, kwargs):
    cls = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN": nn.RNN}[kind]
    return cls(batch_first=True, bias=True, dropout=0.0, **kwargs)


def run_recurrent(mod, kind, x, h0, c0, g_out, g_hn, g_cn):
    """float64 forward + backward of L. Returns (outputs, grads) dicts."""
    x = x.detach().clone().requires_grad_(True)
    h0 = h0.detach().clone().requires_grad_(True)
    mod.zero_grad(set_to_none=True)
    if kind == "LSTM":
        c0 = c0.detach().clone().requires_grad_(True)
        output, (h_n, c_n) = mod(x, (h0, c0))
        loss = (output * g_out).sum() + (h_n * g_hn).sum() + (c_n * g_cn).sum()
    else:
        output, h_n = mod(x, h0)
        loss = (output * g_out).sum() + (h_n * g_hn).sum()
    loss.backward()
    outs = {"output": output, "h_n": h_n}
    if kind == "LSTM":
        outs["c_n"] = c_n
    grads = {"grad.x": x.grad, "grad.h0": h0.grad}
    if kind == "LSTM":
        grads["grad.c0"] = c0.grad
    for pname, p in mod.named_parameters():
        grads["grad." + pname] = p.grad
    return {k: v.detach().clone() for k, v in outs.items()}, \
           {k: v.detach().clone() for k, v in grads.items()}


def make_recurrent_case(name, kind, seed, kwargs, batch, time):
    torch.manual_seed(seed)
    mod = make_recurrent_module(kind, kwargs)          # float32, default init
    H = kwargs["hidden_size"]
    L = kwargs["num_layers"]
    D = 2 if kwargs.get("bidirectional", False) else 1
    # Draw order is fixed: x, h0, [c0], grad_output, grad_h_n, [grad_c_n].
    x = uniform_f32(batch, time, kwargs["input_size"])
    h0 = uniform_f32(L * D, batch, H)
    c0 = uniform_f32(L * D, batch, H) if kind == "LSTM" else None
    g_out = uniform_f32(batch, time, D * H)
    g_hn = uniform_f32(L * D, batch, H)
    g_cn = uniform_f32(L * D, batch, H) if kind == "LSTM" else None

    params32 = {k: v.detach().clone() for k, v in mod.state_dict().items()}

    mod = mod.double()
    dbl = lambda t: None if t is None else t.double()
    outs, grads = run_recurrent(mod, kind, dbl(x), dbl(h0), dbl(c0),
                                dbl(g_out), dbl(g_hn), dbl(g_cn))

    config = dict(kwargs)
    config.setdefault("bidirectional", False)
    config.update(bias=True, batch_first=True, dropout=0.0, batch=batch, time=time)

    tensors = {"x": x, "h0": h0}
    if kind == "LSTM":
        tensors["c0"] = c0
    tensors.update(params32)                       # state_dict names, float32 values
    tensors.update(outs)                           # float64
    tensors["grad_output"] = g_out
    tensors["grad_h_n"] = g_hn
    if kind == "LSTM":
        tensors["grad_c_n"] = g_cn
    tensors.update(grads)                          # float64
    doc = {
        "module": kind,
        "torch_version": torch.__version__,
        "config": config,
        "tensors": {k: tensor_entry(v) for k, v in tensors.items()},
    }
    return write_fixture(name, doc)


# ---------------------------------------------------------------------------
# Linear
# ---------------------------------------------------------------------------
def make_linear_case():
    torch.manual_seed(LINEAR_SEED)
    mod = nn.Linear(7, 5, bias=True)
    x = uniform_f32(2, 3, 7)
    g_out = uniform_f32(2, 3, 5)
    w32 = mod.weight.detach().clone()
    b32 = mod.bias.detach().clone()
    mod = mod.double()
    xd = x.double().requires_grad_(True)
    out = mod(xd)
    (out * g_out.double()).sum().backward()
    doc = {
        "module": "Linear",
        "torch_version": torch.__version__,
        "config": {"in_features": 7, "out_features": 5, "bias": True, "batch": 2, "time": 3},
        "tensors": {k: tensor_entry(v) for k, v in [
            ("x", x), ("weight", w32), ("bias", b32), ("output", out),
            ("grad_output", g_out), ("grad.x", xd.grad),
            ("grad.weight", mod.weight.grad), ("grad.bias", mod.bias.grad)]},
    }
    return write_fixture("linear", doc)


# ---------------------------------------------------------------------------
# Embedding
# ---------------------------------------------------------------------------
def make_embedding_case():
    torch.manual_seed(EMBEDDING_SEED)
    # Default init is N(0, 1); with padding_idx=0 torch zeroes row 0 at init.
    mod = nn.Embedding(10, 4, padding_idx=0)
    ids = torch.randint(0, 10, (2, 6), dtype=torch.int64)
    # Force the interesting cases deterministically: several padding ids and
    # repeated ids (gradient accumulation into one row).
    ids[0, 4] = 0
    ids[1, 0] = 0
    ids[1, 5] = 0
    ids[1, 2] = ids[0, 1]
    ids[1, 3] = ids[0, 1]
    assert (ids == 0).sum() >= 3
    assert len(set(ids[ids != 0].tolist())) < int((ids != 0).sum())
    g_out = uniform_f32(2, 6, 4)
    w32 = mod.weight.detach().clone()
    mod = mod.double()
    out = mod(ids)
    (out * g_out.double()).sum().backward()
    assert torch.all(mod.weight.grad[0] == 0)
    doc = {
        "module": "Embedding",
        "torch_version": torch.__version__,
        "config": {"num_embeddings": 10, "embedding_dim": 4, "padding_idx": 0, "batch": 2, "time": 6},
        "tensors": {k: tensor_entry(v) for k, v in [
            ("ids", ids), ("weight", w32), ("output", out),
            ("grad_output", g_out), ("grad.weight", mod.weight.grad)]},
    }
    return write_fixture("embedding", doc)


# ---------------------------------------------------------------------------
# Encoder-decoder LSTM with teacher forcing
# ---------------------------------------------------------------------------
class Seq2SeqLSTM(nn.Module):
    """Embedding -> LSTM encoder; its final (h_n, c_n) start the decoder
    Embedding -> LSTM; Linear on every decoder step. Parameter names are
    enc_emb.*, enc_lstm.*, dec_emb.*, dec_lstm.*, out.* (construction order,
    which is also the order of the default-init RNG draws)."""

    def __init__(self, cfg):
        super().__init__()
        E, H = cfg["embedding_dim"], cfg["hidden_size"]
        self.enc_emb = nn.Embedding(cfg["src_vocab"], E, padding_idx=0)
        self.enc_lstm = nn.LSTM(E, H, num_layers=1, bias=True, batch_first=True)
        self.dec_emb = nn.Embedding(cfg["tgt_vocab"], E, padding_idx=0)
        self.dec_lstm = nn.LSTM(E, H, num_layers=1, bias=True, batch_first=True)
        self.out = nn.Linear(H, cfg["tgt_vocab"], bias=True)

    def forward(self, src, tgt_in):
        _, (h_n, c_n) = self.enc_lstm(self.enc_emb(src))
        dec_out, _ = self.dec_lstm(self.dec_emb(tgt_in), (h_n, c_n))
        return self.out(dec_out), h_n, c_n


def seq2seq_loss(logits, tgt_out):
    """PyTorch's mean cross-entropy over all batch*tgt_time steps."""
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                       tgt_out.reshape(-1))


def run_seq2seq(mod, src, tgt_in, tgt_out):
    """float64 forward + backward of the cross-entropy loss. Ids are int64.
    Returns (outputs, grads) dicts; enc_h_n/enc_c_n drop the num_layers axis."""
    mod.zero_grad(set_to_none=True)
    logits, h_n, c_n = mod(src, tgt_in)
    loss = seq2seq_loss(logits, tgt_out)
    loss.backward()
    outs = {"logits": logits, "enc_h_n": h_n[0], "enc_c_n": c_n[0], "loss": loss}
    grads = {"grad." + n: p.grad for n, p in mod.named_parameters()}
    return {k: v.detach().clone() for k, v in outs.items()}, \
           {k: v.detach().clone() for k, v in grads.items()}


def make_seq2seq_case():
    torch.manual_seed(SEQ2SEQ_SEED)
    cfg = SEQ2SEQ
    mod = Seq2SeqLSTM(cfg)                              # float32, default init
    B, Ts, Tt = cfg["batch"], cfg["src_time"], cfg["tgt_time"]
    # Draw order is fixed: src, tgt_out. No padding (all ids >= 1); BOS (1) is
    # reserved for the decoder's first input, so targets are drawn from 2..V-1.
    src = torch.randint(1, cfg["src_vocab"], (B, Ts), dtype=torch.int64)
    tgt_out = torch.randint(SEQ2SEQ_BOS + 1, cfg["tgt_vocab"], (B, Tt), dtype=torch.int64)
    # Teacher forcing: decoder input is the target shifted right behind BOS.
    tgt_in = torch.cat([torch.full((B, 1), SEQ2SEQ_BOS, dtype=torch.int64),
                        tgt_out[:, :-1]], dim=1)

    params32 = {k: v.detach().clone() for k, v in mod.state_dict().items()}

    mod = mod.double()
    outs, grads = run_seq2seq(mod, src, tgt_in, tgt_out)
    assert torch.all(grads["grad.enc_emb.weight"][0] == 0)
    assert torch.all(grads["grad.dec_emb.weight"][0] == 0)

    config = dict(cfg)
    config.update(num_layers=1, bias=True, batch_first=True, padding_idx=0,
                  bos_id=SEQ2SEQ_BOS, teacher_forcing=True,
                  loss="cross_entropy_mean", loss_shape=[])

    # Ids are stored as float values (exact small integers).
    tensors = {"src": src.double(), "tgt_in": tgt_in.double(), "tgt_out": tgt_out.double()}
    tensors.update(params32)                       # "enc_emb.weight", ..., float32 values
    tensors.update(outs)                           # float64
    tensors.update(grads)                          # float64
    doc = {
        "module": "Seq2SeqLSTM",
        "torch_version": torch.__version__,
        "config": config,
        "tensors": {k: tensor_entry(v) for k, v in tensors.items()},
    }
    return write_fixture("seq2seq_lstm", doc)


# ---------------------------------------------------------------------------
# Attention (Luong et al. 2015; Keras's Attention / AdditiveAttention)
# ---------------------------------------------------------------------------
# Plain tensor ops, no nn module: query [B, Tq, D], value [B, Tv, Dv], key
# [B, Tv, D] (the value when absent). Parameters are stored under our layer's
# parameter keys in a Model ("<layer>.<parameter>"), drawn float32 uniform in
# [-1, 1) in the order of the table's params. The masks are 1 = keep.
# The loss is L = sum(context * grad_context) + sum(weights * grad_weights).
ATTENTION_B, ATTENTION_TQ, ATTENTION_TV, ATTENTION_D = 2, 3, 4, 3
# Sample 0 keeps only value step 0, sample 1 drops its last; sample 0's query 2 is padding.
ATTENTION_VALUE_MASK = [[1, 0, 0, 0], [1, 1, 1, 0]]
ATTENTION_QUERY_MASK = [[1, 1, 0], [1, 1, 1]]
# Causal case: sample 0 drops value step 0, so its query 0 has nothing to attend to.
ATTENTION_CAUSAL_VALUE_MASK = [[0, 1, 1, 1], [1, 1, 1, 0]]
ATTENTION_CASES = [
    # file name,           seed, layer name,           score,      learn_scale, scale_by_dim, causal, key,  units, params [(name, shape)]
    ("attention_dot",      7001, "attention",          "Dot",      True,  True,  False, False, None,
     [("scale", [1])]),
    ("attention_general",  7002, "attention",          "General",  False, False, False, False, None,
     [("weight", [3, 3])]),
    ("attention_concat",   7003, "attention",          "Concat",   False, False, False, True,  5,
     [("weight_query", [5, 3]), ("weight_key", [5, 3]), ("v", [5])]),
    ("attention_additive", 7004, "additive_attention", "Additive", True,  False, True,  False, None,
     [("scale", [3])]),
]


def attention_forward(cfg, query, value, key, P, value_mask, query_mask):
    """(context, weights) in float64 with autograd: scores by einsum, a masked
    softmax as an explicit renormalised exp (a row with no kept step gets zero
    weights and no NaN), the context zeroed at padded query steps."""
    name, score = cfg["name"], cfg["score"]
    k = value if key is None else key
    if score == "Dot":
        s = torch.einsum("bid,bjd->bij", query, k)
    elif score == "General":
        s = torch.einsum("bid,de,bje->bij", query, P[name + ".weight"], k)
    elif score == "Concat":
        u = torch.einsum("bid,ad->bia", query, P[name + ".weight_query"])
        z = torch.einsum("bjd,ad->bja", k, P[name + ".weight_key"])
        s = torch.einsum("bija,a->bij", torch.tanh(u[:, :, None, :] + z[:, None, :, :]), P[name + ".v"])
    else:  # Additive
        s = torch.einsum("bijd,d->bij", torch.tanh(query[:, :, None, :] + k[:, None, :, :]), P[name + ".scale"])
    if cfg["learn_scale"] and score != "Additive":
        s = s * P[name + ".scale"][0]
    if cfg["scale_by_dimension"]:
        s = s / math.sqrt(query.shape[-1])
    B, Tq, Tv = s.shape
    keep = value_mask[:, None, :].expand(B, Tq, Tv) != 0
    if cfg["causal"]:
        keep = keep & torch.tril(torch.ones(Tq, Tv, dtype=torch.bool))[None]
    m = s.detach().masked_fill(~keep, -math.inf).amax(dim=-1, keepdim=True)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    e = torch.exp(s - m) * keep
    total = e.sum(dim=-1, keepdim=True)
    weights = e / torch.where(total > 0, total, torch.ones_like(total))
    context = torch.einsum("bij,bje->bie", weights, value) * query_mask[:, :, None]
    return context, weights


def attention_reference(cfg, query, value, key, P, value_mask, query_mask):
    """An independent loop-per-row version (softmax over the kept steps only) for the self-check."""
    name, score = cfg["name"], cfg["score"]
    k = value if key is None else key
    B, Tq, D = query.shape
    Tv, Dv = value.shape[1], value.shape[2]
    factor = 1.0
    if cfg["learn_scale"] and score != "Additive":
        factor = factor * P[name + ".scale"][0]
    if cfg["scale_by_dimension"]:
        factor = factor / math.sqrt(D)
    ctx_rows, w_rows = [], []
    for b in range(B):
        for i in range(Tq):
            q = query[b, i]
            scores = []
            for j in range(Tv):
                kj = k[b, j]
                if score == "Dot":
                    sc = (q * kj).sum()
                elif score == "General":
                    sc = q @ P[name + ".weight"] @ kj
                elif score == "Concat":
                    sc = (P[name + ".v"] * torch.tanh(P[name + ".weight_query"] @ q + P[name + ".weight_key"] @ kj)).sum()
                else:
                    sc = (P[name + ".scale"] * torch.tanh(q + kj)).sum()
                scores.append(factor * sc)
            kept = [j for j in range(Tv) if value_mask[b, j] != 0 and (not cfg["causal"] or j <= i)]
            w = [torch.zeros((), dtype=torch.float64)] * Tv
            if kept:
                sm = torch.softmax(torch.stack([scores[j] for j in kept]), dim=0)
                for n, j in enumerate(kept):
                    w[j] = sm[n]
            w = torch.stack(w)
            c = (w[:, None] * value[b]).sum(dim=0)
            if query_mask[b, i] == 0:
                c = torch.zeros(Dv, dtype=torch.float64)
            ctx_rows.append(c)
            w_rows.append(w)
    return torch.stack(ctx_rows).reshape(B, Tq, Dv), torch.stack(w_rows).reshape(B, Tq, Tv)


def attention_loss(cfg, tens, P):
    key = tens.get("key")
    ctx, w = attention_forward(cfg, tens["query"], tens["value"], key, P, tens["value_mask"], tens["query_mask"])
    return ctx, w, (ctx * tens["grad_context"]).sum() + (w * tens["grad_weights"]).sum()


def make_attention_case(name, seed, layer, score, learn_scale, scale_by_dimension, causal, has_key, units, params):
    torch.manual_seed(seed)
    B, Tq, Tv, D = ATTENTION_B, ATTENTION_TQ, ATTENTION_TV, ATTENTION_D
    Dv = 2 if has_key else D
    cfg = dict(name=layer, score=score, learn_scale=learn_scale, scale_by_dimension=scale_by_dimension,
               causal=causal, has_key=has_key, units=units, batch=B, query_time=Tq, value_time=Tv,
               query_dim=D, value_dim=Dv, loss="sum(context*grad_context)+sum(weights*grad_weights)")
    # Draw order: parameters (table order), query, value, key, grad_context, grad_weights.
    p32 = {layer + "." + n: uniform_f32(*shape) for n, shape in params}
    inputs32 = {"query": uniform_f32(B, Tq, D), "value": uniform_f32(B, Tv, Dv)}
    if has_key:
        inputs32["key"] = uniform_f32(B, Tv, D)
    g_c = uniform_f32(B, Tq, Dv)
    g_w = uniform_f32(B, Tq, Tv)
    vmask = torch.tensor(ATTENTION_CAUSAL_VALUE_MASK if causal else ATTENTION_VALUE_MASK, dtype=torch.float64)
    qmask = torch.tensor(ATTENTION_QUERY_MASK, dtype=torch.float64)

    leaves = {k: v.double().requires_grad_(True) for k, v in list(inputs32.items()) + list(p32.items())}
    tens = {k: leaves[k] for k in inputs32}
    tens.update(value_mask=vmask, query_mask=qmask, grad_context=g_c.double(), grad_weights=g_w.double())
    ctx, w, loss = attention_loss(cfg, tens, {k: leaves[k] for k in p32})
    loss.backward()
    assert torch.all(torch.isfinite(ctx)) and torch.all(torch.isfinite(w))
    if causal:
        assert torch.all(w[0, 0] == 0) and torch.all(ctx[0, 0] == 0), "sample 0's query 0 attends to nothing"

    tensors = dict(inputs32)
    tensors.update(value_mask=vmask, query_mask=qmask)
    tensors.update(p32)
    tensors.update(grad_context=g_c, grad_weights=g_w, context=ctx, weights=w)
    tensors.update({"grad." + k: v.grad for k, v in leaves.items()})
    doc = {
        "module": "Attention",
        "torch_version": torch.__version__,
        "config": cfg,
        "tensors": {k: tensor_entry(v) for k, v in tensors.items()},
    }
    return write_fixture(name, doc)


# ---------------------------------------------------------------------------
# Independent hand-written recurrences (documents the PyTorch weight layout)
# ---------------------------------------------------------------------------
def manual_recurrent(kind, cfg, T, x, h0, c0, P):
    """Pure-tensor reimplementation of nn.LSTM/GRU/RNN (batch_first).

    Weight layout (rows of weight_ih/weight_hh/bias_*, each block H rows):
      LSTM: [i, f, g, o]      c' = f*c + i*g,  h' = o*tanh(c')
      GRU:  [r, z, n]         n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))
                              h' = (1 - z) * n + z * h
      RNN:  single block      h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
    Direction index in h0/h_n is layer*num_directions + direction; the reverse
    direction walks t = T-1..0 and writes output[:, t, H:2H].
    """
    H, L = cfg["hidden_size"], cfg["num_layers"]
    D = 2 if cfg["bidirectional"] else 1
    layer_in = x
    h_n, c_n = [], []
    for l in range(L):
        dir_outs = []
        for d in range(D):
            sfx = "_l%d%s" % (l, "_reverse" if d == 1 else "")
            Wih, Whh = P["weight_ih" + sfx], P["weight_hh" + sfx]
            bih, bhh = P["bias_ih" + sfx], P["bias_hh" + sfx]
            h = h0[l * D + d]
            c = c0[l * D + d] if kind == "LSTM" else None
            outs = [None] * T
            steps = range(T - 1, -1, -1) if d == 1 else range(T)
            for t in steps:
                gi = layer_in[:, t] @ Wih.T + bih
                gh = h @ Whh.T + bhh
                if kind == "LSTM":
                    g = gi + gh
                    i, f, gg, o = g[:, :H], g[:, H:2*H], g[:, 2*H:3*H], g[:, 3*H:]
                    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(gg)
                    h = torch.sigmoid(o) * torch.tanh(c)
                elif kind == "GRU":
                    r = torch.sigmoid(gi[:, :H] + gh[:, :H])
                    z = torch.sigmoid(gi[:, H:2*H] + gh[:, H:2*H])
                    n = torch.tanh(gi[:, 2*H:] + r * gh[:, 2*H:])
                    h = (1 - z) * n + z * h
                else:
                    h = torch.tanh(gi + gh)
                outs[t] = h
            dir_outs.append(torch.stack(outs, dim=1))
            h_n.append(h)
            if kind == "LSTM":
                c_n.append(c)
        layer_in = torch.cat(dir_outs, dim=2)
    res = {"output": layer_in, "h_n": torch.stack(h_n)}
    if kind == "LSTM":
        res["c_n"] = torch.stack(c_n)
    return res


# ---------------------------------------------------------------------------
# Self-check: reload, rebuild from stored weights, recompute, compare.
# ---------------------------------------------------------------------------
def max_abs_diff(a, b):
    return (a - b).abs().max().item() if a.numel() else 0.0


def check_f32_exact(name, ent):
    """Stored inputs/weights must be exactly representable in float32."""
    t64 = torch.tensor(ent["data"], dtype=torch.float64)
    assert torch.equal(t64.float().double(), t64), name + " is not float32-exact"


def fd_check(path, targets, loss_fn, tens):
    """Central differences of loss_fn at 3 seeded entries of each (name, tensor) in targets, against the stored
    gradients "grad.<name>"; returns how many entries were checked."""
    gen = torch.Generator().manual_seed(7)
    checked = 0
    for n, t in targets:
        flat = t.data.view(-1)
        for idx in torch.randperm(flat.numel(), generator=gen)[:3].tolist():
            orig = flat[idx].item()
            flat[idx] = orig + FD_EPS
            lp = loss_fn()
            flat[idx] = orig - FD_EPS
            lm = loss_fn()
            flat[idx] = orig
            fd = (lp - lm) / (2 * FD_EPS)
            an = tens["grad." + n].view(-1)[idx].item()
            assert abs(fd - an) <= FD_TOL * max(1.0, abs(an)), (path, n, idx, fd, an)
            checked += 1
    return checked


def self_check(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    assert list(doc.keys()) == ["module", "torch_version", "config", "tensors"]
    kind, cfg, T_ = doc["module"], doc["config"], doc["tensors"]
    tens = {k: from_entry(v) for k, v in T_.items() if k != "ids"}
    worst = 0.0

    def cmp(name, got):
        nonlocal worst
        exp = tens[name]
        assert list(got.shape) == list(exp.shape), (path, name, got.shape, exp.shape)
        d = max_abs_diff(got.double(), exp)
        worst = max(worst, d)
        assert d <= RECOMPUTE_TOL, (path, name, d)

    fd_checked = 0
    if kind in ("LSTM", "GRU", "RNN"):
        kwargs = {k: cfg[k] for k in ("input_size", "hidden_size", "num_layers", "bidirectional")}
        if kind == "RNN":
            kwargs["nonlinearity"] = cfg["nonlinearity"]
        mod = make_recurrent_module(kind, kwargs).double()
        sd = {k: tens[k] for k in mod.state_dict().keys()}
        mod.load_state_dict(sd)
        f32_names = ["x", "h0", "grad_output", "grad_h_n"] + list(sd.keys())
        if kind == "LSTM":
            f32_names += ["c0", "grad_c_n"]
        for n in f32_names:
            check_f32_exact(n, T_[n])
        c0 = tens.get("c0")
        outs, grads = run_recurrent(mod, kind, tens["x"], tens["h0"], c0,
                                    tens["grad_output"], tens["grad_h_n"], tens.get("grad_c_n"))
        for k, v in list(outs.items()) + list(grads.items()):
            cmp(k, v)
        # Every tensor present must be accounted for (no extra/missing keys).
        expected = set(f32_names) | set(outs) | set(grads)
        assert expected == set(T_), (path, expected ^ set(T_))

        # Independent hand-written recurrence (checks the documented layout).
        man = manual_recurrent(kind, cfg, cfg["time"], tens["x"], tens["h0"], c0, sd)
        for k, v in man.items():
            cmp(k, v)

        # Finite differences of L on a few entries of inputs/states/params.
        def loss_fn():
            with torch.no_grad():
                if kind == "LSTM":
                    o, (hn, cn) = mod(tens["x"], (tens["h0"], tens["c0"]))
                    return ((o * tens["grad_output"]).sum() + (hn * tens["grad_h_n"]).sum()
                            + (cn * tens["grad_c_n"]).sum()).item()
                o, hn = mod(tens["x"], tens["h0"])
                return ((o * tens["grad_output"]).sum() + (hn * tens["grad_h_n"]).sum()).item()

        params = dict(mod.named_parameters())
        targets = [("x", tens["x"]), ("h0", tens["h0"])]
        if kind == "LSTM":
            targets.append(("c0", tens["c0"]))
        targets += [(n, params[n].data) for n in params]
        fd_checked += fd_check(path, targets, loss_fn, tens)

    elif kind == "Linear":
        for n in ("x", "weight", "bias", "grad_output"):
            check_f32_exact(n, T_[n])
        x = tens["x"].clone().requires_grad_(True)
        w = tens["weight"].clone().requires_grad_(True)
        b = tens["bias"].clone().requires_grad_(True)
        out = x @ w.T + b                                  # independent of nn.Linear
        (out * tens["grad_output"]).sum().backward()
        cmp("output", out)
        cmp("grad.x", x.grad)
        cmp("grad.weight", w.grad)
        cmp("grad.bias", b.grad)
        # FD on a few weights.
        for idx in (0, 11, 34):
            wf = tens["weight"].clone().view(-1)
            def L_(delta):
                wf2 = wf.clone(); wf2[idx] += delta
                return ((x.detach() @ wf2.view(5, 7).T + b.detach()) * tens["grad_output"]).sum().item()
            fd = (L_(FD_EPS) - L_(-FD_EPS)) / (2 * FD_EPS)
            assert abs(fd - tens["grad.weight"].view(-1)[idx].item()) <= FD_TOL
            fd_checked += 1

    elif kind == "Embedding":
        for n in ("weight", "grad_output"):
            check_f32_exact(n, T_[n])
        ids = torch.tensor(T_["ids"]["data"], dtype=torch.int64).reshape(T_["ids"]["shape"])
        assert all(float(v).is_integer() for v in T_["ids"]["data"])
        w = tens["weight"].clone().requires_grad_(True)
        out = w[ids]                                        # plain gather
        cmp("output", out)
        (out * tens["grad_output"]).sum().backward()
        g = w.grad.clone()
        g[cfg["padding_idx"]] = 0                            # torch's padding rule
        cmp("grad.weight", g)
        assert torch.all(tens["weight"][0] == 0), "padding row expected zero at init"
        fd_checked = 0

    elif kind == "Seq2SeqLSTM":
        mod = Seq2SeqLSTM(cfg).double()
        sd = {k: tens[k] for k in mod.state_dict().keys()}
        mod.load_state_dict(sd)
        for n in sd:
            check_f32_exact(n, T_[n])
        ids = {}
        for n, vocab in (("src", cfg["src_vocab"]), ("tgt_in", cfg["tgt_vocab"]),
                         ("tgt_out", cfg["tgt_vocab"])):
            assert all(float(v).is_integer() for v in T_[n]["data"]), n
            ids[n] = tens[n].long()
            assert int(ids[n].min()) >= 1 and int(ids[n].max()) < vocab, n
        assert list(ids["src"].shape) == [cfg["batch"], cfg["src_time"]]
        assert list(ids["tgt_out"].shape) == [cfg["batch"], cfg["tgt_time"]]
        assert torch.all(ids["tgt_in"][:, 0] == cfg["bos_id"])
        assert torch.equal(ids["tgt_in"][:, 1:], ids["tgt_out"][:, :-1])
        assert list(T_["loss"]["shape"]) == cfg["loss_shape"]
        for n in ("enc_emb.weight", "dec_emb.weight"):
            assert torch.all(tens[n][0] == 0), "padding row expected zero at init"
            assert torch.all(tens["grad." + n][0] == 0), "padding row gradient expected zero"

        outs, grads = run_seq2seq(mod, ids["src"], ids["tgt_in"], ids["tgt_out"])
        for k, v in list(outs.items()) + list(grads.items()):
            cmp(k, v)
        expected = {"src", "tgt_in", "tgt_out"} | set(sd) | set(outs) | set(grads)
        assert expected == set(T_), (path, expected ^ set(T_))

        # Independent forward: gather, hand-written recurrences, x @ W.T + b,
        # log-sum-exp cross-entropy; its autograd gradients must match too.
        P = {k: tens[k].clone().requires_grad_(True) for k in sd}
        lcfg = {"hidden_size": cfg["hidden_size"], "num_layers": 1, "bidirectional": False}
        def sub(prefix):
            return {k[len(prefix):]: v for k, v in P.items() if k.startswith(prefix)}
        B, H = cfg["batch"], cfg["hidden_size"]
        zeros = torch.zeros(1, B, H, dtype=torch.float64)
        enc = manual_recurrent("LSTM", lcfg, cfg["src_time"], P["enc_emb.weight"][ids["src"]],
                               zeros, zeros, sub("enc_lstm."))
        dec = manual_recurrent("LSTM", lcfg, cfg["tgt_time"], P["dec_emb.weight"][ids["tgt_in"]],
                               enc["h_n"], enc["c_n"], sub("dec_lstm."))
        logits = dec["output"] @ P["out.weight"].T + P["out.bias"]
        flat = logits.reshape(-1, cfg["tgt_vocab"])
        picked = flat.gather(1, ids["tgt_out"].reshape(-1, 1))[:, 0]
        loss = (torch.logsumexp(flat, dim=1) - picked).mean()
        cmp("logits", logits)
        cmp("enc_h_n", enc["h_n"][0])
        cmp("enc_c_n", enc["c_n"][0])
        cmp("loss", loss)
        loss.backward()
        for k, v in P.items():
            cmp("grad." + k, v.grad)                 # no id 0 occurs: no padding rule needed

        # Finite differences of the loss on 3 random entries of every parameter.
        def loss_fn():
            with torch.no_grad():
                lg, _, _ = mod(ids["src"], ids["tgt_in"])
                return seq2seq_loss(lg, ids["tgt_out"]).item()

        fd_checked += fd_check(path, list(mod.named_parameters()), loss_fn, tens)
    elif kind == "Attention":
        layer = cfg["name"]
        P = {k: tens[k] for k in T_ if k.startswith(layer + ".")}
        inputs = ["query", "value"] + (["key"] if cfg["has_key"] else [])
        for n in inputs + list(P) + ["grad_context", "grad_weights"]:
            check_f32_exact(n, T_[n])
        for n in ("value_mask", "query_mask"):
            assert all(v in (0.0, 1.0) for v in T_[n]["data"]), n
        expected = (set(inputs) | set(P) | {"value_mask", "query_mask", "grad_context", "grad_weights",
                                            "context", "weights"} | {"grad." + n for n in inputs + list(P)})
        assert expected == set(T_), (path, expected ^ set(T_))
        leaves = {n: tens[n].clone().requires_grad_(True) for n in inputs + list(P)}
        t2 = dict(tens)
        t2.update({n: leaves[n] for n in inputs})
        ctx, w, loss = attention_loss(cfg, t2, {n: leaves[n] for n in P})
        cmp("context", ctx)
        cmp("weights", w)
        loss.backward()
        for n, v in leaves.items():
            cmp("grad." + n, v.grad)
        # Independent per-row softmax over the kept steps, and its autograd gradients.
        leaves = {n: tens[n].clone().requires_grad_(True) for n in inputs + list(P)}
        ctx, w = attention_reference(cfg, leaves["query"], leaves["value"], leaves.get("key"),
                                     {n: leaves[n] for n in P}, tens["value_mask"], tens["query_mask"])
        cmp("context", ctx)
        cmp("weights", w)
        ((ctx * tens["grad_context"]).sum() + (w * tens["grad_weights"]).sum()).backward()
        for n, v in leaves.items():
            cmp("grad." + n, v.grad)

        def loss_fn():
            with torch.no_grad():
                return attention_loss(cfg, tens, P)[2].item()

        fd_checked += fd_check(path, [(n, tens[n]) for n in inputs + list(P)], loss_fn, tens)
    else:
        raise AssertionError(kind)
    return worst, fd_checked


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    paths = [make_recurrent_case(*c) for c in RECURRENT_CASES]
    paths.append(make_linear_case())
    paths.append(make_embedding_case())
    paths.append(make_seq2seq_case())
    paths += [make_attention_case(*c) for c in ATTENTION_CASES]
    print("torch", torch.__version__)
    for p in paths:
        worst, nfd = self_check(p)
        size = os.path.getsize(p)
        assert size < 200 * 1024, (p, size)
        print("%-24s %7d bytes  max|recompute diff|=%.1e  fd-checks=%d"
              % (os.path.basename(p), size, worst, nfd))
    print("all fixtures written and verified in", os.path.relpath(OUT_DIR, REPO_ROOT))


if __name__ == "__main__":
    sys.exit(main())
