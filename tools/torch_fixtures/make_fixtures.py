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
  The AttentionSeq2Seq cases are the same with padding and an attention
  decoder; their loss is the mean cross-entropy over the real target steps.
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
# Attention encoder-decoder (OpenNMT-py's input-feeding decoder), with padding
# ---------------------------------------------------------------------------
# src [B, S] ids (0 = padding at the end) -> enc_emb (Embedding, padding_idx=0)
# -> enc_lstm (nn.LSTM over a packed sequence: padded steps are skipped, their
# outputs are 0 and h_n/c_n are the state after each sample's last real step)
# -> its (h_n, c_n) start the decoder; tgt_in [B, T] (BOS 1, 0 = padding) ->
# dec_emb -> dec (an nn.LSTMCell stepped by hand, attending over the encoder
# outputs with the source mask) -> out (Linear H -> V_tgt) on every step.
# Decoder step t (OpenNMT-py's InputFeedRNNDecoder, GlobalAttention):
#   (h_t, c_t) = LSTMCell([x_t ; f_{t-1}], (h_{t-1}, c_{t-1}))   (x_t alone without input feeding)
#   a_t        = softmax_j score(h_t, m_j) over the source's real steps (0 at padding)
#     Concat:  score = v . tanh(W_q h_t + W_m m_j)      weight_query [A,H], weight_memory [A,Dm], v [A]
#     General: score = h_t^T W m_j                      weight_score [H, Dm]
#   f_t        = tanh(weight_out [context ; h_t]),  context = sum_j a_tj m_j, f_0 = 0
# A padded target step keeps h, c, f unchanged and outputs f = 0 and weights 0
# (so its logits are out.bias). The loss is the mean cross-entropy over the real
# target steps (ignore_index=0; LstmSharp: the output mask folded into row weights).
ATT_SEQ2SEQ = dict(batch=2, src_vocab=7, tgt_vocab=6, embedding_dim=4, hidden_size=5,
                   src_time=5, tgt_time=4, attention_units=3)
# Sample 0: full source, target of 2 real steps; sample 1: source of 3 real steps, full target.
ATT_SEQ2SEQ_SRC_LENGTHS = [5, 3]
ATT_SEQ2SEQ_TGT_LENGTHS = [2, 4]
# Torch's default init for H = 5 keeps the encoder outputs small and the weights near uniform (the score
# parameters' gradients fell below the tests' 1e-5 tolerance), so every parameter is multiplied by 2 after init
# and the score's parameters by 4 (powers of two: the values stay float32-exact).
ATT_SEQ2SEQ_WEIGHT_SCALE = 2.0
ATT_SEQ2SEQ_SCORE_SCALE = 4.0
ATT_SEQ2SEQ_SCORE_PARAMS = ("dec.weight_query", "dec.weight_memory", "dec.v", "dec.weight_score")
ATT_SEQ2SEQ_CASES = [
    # file name,                  seed, score,     input feeding
    ("attention_seq2seq",         8001, "Concat",  True),
    ("attention_seq2seq_general", 8002, "General", False),
]


class AttentionDecoderCell(nn.LSTMCell):
    """nn.LSTMCell (weight_ih [4H, I(+H)], weight_hh, bias_ih, bias_hh; gates i, f, g, o) plus the attention's
    parameters, so the state_dict names are the layer's own: weight_out and weight_query/weight_memory/v or
    weight_score. The extra parameters start like the cell's: uniform in +-1/sqrt(fan_in)."""

    def __init__(self, input_size, hidden, memory_size, attention_units, score, input_feeding):
        super().__init__(input_size + (hidden if input_feeding else 0), hidden, bias=True)
        self.score, self.input_feeding = score, input_feeding
        def extra(*shape):
            return nn.Parameter(torch.empty(*shape).uniform_(-1 / math.sqrt(shape[-1]), 1 / math.sqrt(shape[-1])))
        self.weight_out = extra(hidden, memory_size + hidden)
        if score == "Concat":
            self.weight_query = extra(attention_units, hidden)
            self.weight_memory = extra(attention_units, memory_size)
            self.v = nn.Parameter(torch.empty(attention_units).uniform_(-1 / math.sqrt(attention_units), 1 / math.sqrt(attention_units)))
        else:
            self.weight_score = extra(hidden, memory_size)

    def step(self, x, state, memory, memory_mask, keys):
        """One decoder step for every row: x [B, I], state (h, c, f) [B, H] each, memory [B, S, Dm],
        memory_mask [B, S] bool, keys [B, S, A] (Concat: memory W_m^T, else None). Returns f, a, (h, c, f)."""
        h, c, f = state
        inp = torch.cat([x, f], dim=1) if self.input_feeding else x
        h, c = super().forward(inp, (h, c))
        if self.score == "Concat":
            s = torch.tanh((h @ self.weight_query.T)[:, None, :] + keys) @ self.v          # [B, S]
        else:
            s = torch.einsum("bd,de,bse->bs", h, self.weight_score, memory)
        a = torch.softmax(s.masked_fill(~memory_mask, -math.inf), dim=1)                 # exactly 0 at padding
        context = torch.einsum("bs,bse->be", a, memory)
        f = torch.tanh(torch.cat([context, h], dim=1) @ self.weight_out.T)
        return f, a, (h, c, f)


class AttentionSeq2Seq(nn.Module):
    """Parameter names enc_emb.*, enc_lstm.*, dec_emb.*, dec.*, out.* (construction order = init draw order)."""

    def __init__(self, cfg, score, input_feeding):
        super().__init__()
        E, H = cfg["embedding_dim"], cfg["hidden_size"]
        self.enc_emb = nn.Embedding(cfg["src_vocab"], E, padding_idx=0)
        self.enc_lstm = nn.LSTM(E, H, num_layers=1, bias=True, batch_first=True)
        self.dec_emb = nn.Embedding(cfg["tgt_vocab"], E, padding_idx=0)
        self.dec = AttentionDecoderCell(E, H, H, cfg["attention_units"], score, input_feeding)
        self.out = nn.Linear(H, cfg["tgt_vocab"], bias=True)

    def encode(self, src):
        """memory [B, S, H] (0 at padding), memory mask [B, S], (h_n, c_n) [B, H] at each sample's last real step."""
        mask = src != 0
        lengths = mask.sum(dim=1)
        packed = nn.utils.rnn.pack_padded_sequence(self.enc_emb(src), lengths, batch_first=True, enforce_sorted=False)
        out, (h_n, c_n) = self.enc_lstm(packed)
        memory, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        return memory, mask, h_n[0], c_n[0]

    def keys(self, memory):
        return memory @ self.dec.weight_memory.T if self.dec.score == "Concat" else None

    def decode_step(self, token, state, memory, memory_mask, keys):
        """One-step decoder: token [B] ids, state (h, c, f). A padding token (0) keeps the state and gives f = 0,
        weights 0. Returns logits [B, V], weights [B, S], the next state."""
        f, a, new = self.dec.step(self.dec_emb(token), state, memory, memory_mask, keys)
        real = (token != 0)[:, None]
        state = tuple(torch.where(real, n, o) for n, o in zip(new, state))
        return self.out(f * real), a * real, state

    def forward(self, src, tgt_in):
        memory, mmask, h, c = self.encode(src)
        keys = self.keys(memory)
        state = (h, c, torch.zeros_like(h))
        logits, weights = [], []
        for t in range(tgt_in.shape[1]):
            lg, a, state = self.decode_step(tgt_in[:, t], state, memory, mmask, keys)
            logits.append(lg)
            weights.append(a)
        return torch.stack(logits, 1), torch.stack(weights, 1), memory, h, c, state


def att_seq2seq_loss(logits, tgt_out):
    """Mean cross-entropy over the real (non-padding) target steps."""
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=0)


def run_att_seq2seq(mod, src, tgt_in, tgt_out):
    mod.zero_grad(set_to_none=True)
    logits, weights, memory, h, c, (dh, dc, df) = mod(src, tgt_in)
    loss = att_seq2seq_loss(logits, tgt_out)
    loss.backward()
    # The one-step decoder from the encoder state with BOS: its logits must be step 0's.
    with torch.no_grad():
        memory1, mmask1, h1, c1 = mod.encode(src)
        step0, _, _ = mod.decode_step(tgt_in[:, 0], (h1, c1, torch.zeros_like(h1)), memory1, mmask1, mod.keys(memory1))
    outs = {"logits": logits, "weights": weights, "memory": memory, "enc_h_n": h, "enc_c_n": c,
            "dec_h_n": dh, "dec_c_n": dc, "loss": loss, "step0_logits": step0}
    if mod.dec.input_feeding:
        outs["dec_f_n"] = df
    grads = {"grad." + n: p.grad for n, p in mod.named_parameters()}
    return {k: v.detach().clone() for k, v in outs.items()}, \
           {k: v.detach().clone() for k, v in grads.items()}


def att_seq2seq_ids(cfg):
    """src, tgt_in, tgt_out, right-padded with 0 to the case's lengths. Targets come from 2..V-1 (1 is BOS)."""
    B, S, T = cfg["batch"], cfg["src_time"], cfg["tgt_time"]
    src = torch.randint(1, cfg["src_vocab"], (B, S), dtype=torch.int64)
    tgt_out = torch.randint(SEQ2SEQ_BOS + 1, cfg["tgt_vocab"], (B, T), dtype=torch.int64)
    for b in range(B):
        src[b, ATT_SEQ2SEQ_SRC_LENGTHS[b]:] = 0
        tgt_out[b, ATT_SEQ2SEQ_TGT_LENGTHS[b]:] = 0
    tgt_in = torch.cat([torch.full((B, 1), SEQ2SEQ_BOS, dtype=torch.int64), tgt_out[:, :-1]], dim=1)
    for b in range(B):
        tgt_in[b, ATT_SEQ2SEQ_TGT_LENGTHS[b]:] = 0
    return src, tgt_in, tgt_out


def make_att_seq2seq_case(name, seed, score, input_feeding):
    torch.manual_seed(seed)
    cfg = ATT_SEQ2SEQ
    mod = AttentionSeq2Seq(cfg, score, input_feeding)      # float32
    with torch.no_grad():
        for n, p in mod.named_parameters():
            p.mul_(ATT_SEQ2SEQ_SCORE_SCALE if n in ATT_SEQ2SEQ_SCORE_PARAMS else ATT_SEQ2SEQ_WEIGHT_SCALE)
    src, tgt_in, tgt_out = att_seq2seq_ids(cfg)             # draw order: src, tgt_out
    params32 = {k: v.detach().clone() for k, v in mod.state_dict().items()}
    mod = mod.double()
    outs, grads = run_att_seq2seq(mod, src, tgt_in, tgt_out)
    assert torch.all(grads["grad.enc_emb.weight"][0] == 0) and torch.all(grads["grad.dec_emb.weight"][0] == 0)
    assert torch.all(outs["weights"][(src == 0)[:, None, :].expand_as(outs["weights"])] == 0)
    assert torch.equal(outs["step0_logits"], outs["logits"][:, 0])

    config = dict(cfg)
    config.update(score=score, input_feeding=input_feeding, num_layers=1, bias=True, batch_first=True,
                  padding_idx=0, bos_id=SEQ2SEQ_BOS, teacher_forcing=True,
                  src_lengths=ATT_SEQ2SEQ_SRC_LENGTHS, tgt_lengths=ATT_SEQ2SEQ_TGT_LENGTHS,
                  weight_scale=ATT_SEQ2SEQ_WEIGHT_SCALE, score_scale=ATT_SEQ2SEQ_SCORE_SCALE,
                  decoder_name="dec", loss="cross_entropy_mean_over_real_steps", loss_shape=[])
    tensors = {"src": src.double(), "tgt_in": tgt_in.double(), "tgt_out": tgt_out.double()}
    tensors.update(params32)
    tensors.update(outs)
    tensors.update(grads)
    doc = {
        "module": "AttentionSeq2Seq",
        "torch_version": torch.__version__,
        "config": config,
        "tensors": {k: tensor_entry(v) for k, v in tensors.items()},
    }
    return write_fixture(name, doc)


def att_seq2seq_reference(cfg, P, src, tgt_in, tgt_out):
    """Independent forward for the self-check: gathers, the hand-written LSTM recurrence run one sample at a time
    over its real steps only, a per-row softmax over the real memory steps, a log-sum-exp cross-entropy."""
    H, T, S, V = cfg["hidden_size"], cfg["tgt_time"], cfg["src_time"], cfg["tgt_vocab"]
    feeding, score = cfg["input_feeding"], cfg["score"]
    lcfg = {"hidden_size": H, "num_layers": 1, "bidirectional": False}
    enc = {k[len("enc_lstm."):]: v for k, v in P.items() if k.startswith("enc_lstm.")}
    zero = torch.zeros(H, dtype=torch.float64)

    def cell(x, h, c):
        g = x @ P["dec.weight_ih"].T + P["dec.bias_ih"] + h @ P["dec.weight_hh"].T + P["dec.bias_hh"]
        i, fg, gg, o = g[:H], g[H:2*H], g[2*H:3*H], g[3*H:]
        c = torch.sigmoid(fg) * c + torch.sigmoid(i) * torch.tanh(gg)
        return torch.sigmoid(o) * torch.tanh(c), c

    logits, weights, losses = [], [], []
    for b in range(src.shape[0]):
        n = int((src[b] != 0).sum())
        r = manual_recurrent("LSTM", lcfg, n, P["enc_emb.weight"][src[b, :n]][None],
                             zero[None, None], zero[None, None], enc)
        mem = r["output"][0]                                            # [n, H]: the real steps only
        h, c, f = r["h_n"][0, 0], r["c_n"][0, 0], zero
        for t in range(T):
            tok = int(tgt_in[b, t])
            if tok == 0:
                weights.append(torch.zeros(S, dtype=torch.float64))
                logits.append(P["out.bias"])
                continue
            x = P["dec_emb.weight"][tok]
            h, c = cell(torch.cat([x, f]) if feeding else x, h, c)
            if score == "Concat":
                s = torch.stack([(P["dec.v"] * torch.tanh(P["dec.weight_query"] @ h + P["dec.weight_memory"] @ m)).sum()
                                 for m in mem])
            else:
                s = torch.stack([h @ P["dec.weight_score"] @ m for m in mem])
            a = torch.softmax(s, dim=0)
            f = torch.tanh(P["dec.weight_out"] @ torch.cat([(a[:, None] * mem).sum(0), h]))
            lg = P["out.weight"] @ f + P["out.bias"]
            weights.append(torch.cat([a, torch.zeros(S - n, dtype=torch.float64)]))
            logits.append(lg)
            losses.append(torch.logsumexp(lg, 0) - lg[int(tgt_out[b, t])])
    B = src.shape[0]
    return (torch.stack(logits).reshape(B, T, V), torch.stack(weights).reshape(B, T, S),
            torch.stack(losses).mean())


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


def rerun_seq2seq(path, run, mod, ids, sd, tens, stored, cmp):
    """The encoder-decoder cases' shared checks: zero padding rows (and their gradients) in both embeddings, the
    stored outputs and gradients recomputed by `run` from the stored weights, and no tensor missing or extra."""
    for n in ("enc_emb.weight", "dec_emb.weight"):
        assert torch.all(tens[n][0] == 0), "padding row expected zero at init"
        assert torch.all(tens["grad." + n][0] == 0), "padding row gradient expected zero"
    outs, grads = run(mod, ids["src"], ids["tgt_in"], ids["tgt_out"])
    for k, v in list(outs.items()) + list(grads.items()):
        cmp(k, v)
    expected = {"src", "tgt_in", "tgt_out"} | set(sd) | set(outs) | set(grads)
    assert expected == set(stored), (path, expected ^ set(stored))


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
        rerun_seq2seq(path, run_seq2seq, mod, ids, sd, tens, T_, cmp)

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
    elif kind == "AttentionSeq2Seq":
        mod = AttentionSeq2Seq(cfg, cfg["score"], cfg["input_feeding"]).double()
        sd = {k: tens[k] for k in mod.state_dict().keys()}
        mod.load_state_dict(sd)
        for n in sd:
            check_f32_exact(n, T_[n])
        ids = {}
        for n, vocab in (("src", cfg["src_vocab"]), ("tgt_in", cfg["tgt_vocab"]), ("tgt_out", cfg["tgt_vocab"])):
            assert all(float(v).is_integer() for v in T_[n]["data"]), n
            ids[n] = tens[n].long()
            assert int(ids[n].min()) >= 0 and int(ids[n].max()) < vocab, n
        for n, lengths in (("src", cfg["src_lengths"]), ("tgt_in", cfg["tgt_lengths"]), ("tgt_out", cfg["tgt_lengths"])):
            assert (ids[n] != 0).sum(dim=1).tolist() == lengths, n          # right padding only
            for b, L in enumerate(lengths):
                assert torch.all(ids[n][b, :L] != 0) and torch.all(ids[n][b, L:] == 0), n
        assert min(cfg["src_lengths"]) < cfg["src_time"] and min(cfg["tgt_lengths"]) < cfg["tgt_time"], "padding expected"
        assert torch.all(ids["tgt_in"][:, 0] == cfg["bos_id"])
        real = ids["tgt_in"][:, 1:] != 0
        assert torch.equal(ids["tgt_in"][:, 1:][real], ids["tgt_out"][:, :-1][real])
        rerun_seq2seq(path, run_att_seq2seq, mod, ids, sd, tens, T_, cmp)

        # Independent forward (one sample at a time over its real steps, no packing, no masks); its gradients too.
        P = {k: tens[k].clone().requires_grad_(True) for k in sd}
        logits, weights, loss = att_seq2seq_reference(cfg, P, ids["src"], ids["tgt_in"], ids["tgt_out"])
        cmp("logits", logits)
        cmp("weights", weights)
        cmp("loss", loss)
        loss.backward()
        for k, v in P.items():
            g = v.grad.clone()
            if k.endswith("emb.weight"):
                g[0] = 0                                           # never gathered here; torch's padding rule
            cmp("grad." + k, g)

        def loss_fn():
            with torch.no_grad():
                return att_seq2seq_loss(mod(ids["src"], ids["tgt_in"])[0], ids["tgt_out"]).item()

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
    paths += [make_att_seq2seq_case(*c) for c in ATT_SEQ2SEQ_CASES]
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
