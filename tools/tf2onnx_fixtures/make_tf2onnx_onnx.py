"""Writes ONNX graphs shaped node for node as tf2onnx (onnx/tensorflow-onnx) emits them for Keras recurrent models,
for OnnxImport's tests, into tests/LstmSharp.Tests/Fixtures/tf2onnx: <name>.onnx and <name>.json (the input, and the
output of an independent numpy implementation of the Keras layers run on the Keras-layout weights, before any
reordering to ONNX's gate order — so a reordering mistake shared by this graph and the importer cannot pass).

TensorFlow and tf2onnx cannot run here, so the graphs are built with onnx.helper after reading tf2onnx's source
(the rewriters and handlers named at each pattern below) and one real tf2onnx 1.16.1 export of a Keras
LSTM-LSTM-Dense-Dense classifier found in a public repository without a licence (so studied, not committed):
its Shape -> Cast(int32) -> Slice -> Concat -> Cast(int64) -> ConstantOfShape -> Unsqueeze zero state, the input
Transpose [1, 0, 2], the LSTM node with three activations and no sequence_lens, Squeeze(axes 1), Transpose back
for return_sequences, Slice(-1:) + Squeeze(0) for the last step, MatMul + Add for Dense, Softmax(axis 1), and its
node and initializer names are reproduced by keras_lstm_stack (at its opset, 9).

What tf2onnx does NOT turn into an RNN node (so it is not here, and OnnxImport refuses the Loop it leaves):
Keras SimpleRNN (no rewriter matches it), GRU(reset_after=False) (rnn_utils.keras_gru_pattern matches only the
reset-after cell), and any masked layer — Embedding(mask_zero=True) or Masking before an LSTM/GRU (the mask's
SelectV2 in the loop body defeats lstm_tf2_rewriter / gru_tf2_rewriter; onnx/tensorflow-onnx issue 1871).
keras_simplernn_loop.onnx stands for those: a Loop node as the graph's recurrent part (its body is a minimal
valid one, not tf2onnx's), used only to check the refusal.

Run: /usr/bin/python3 tools/tf2onnx_fixtures/make_tf2onnx_onnx.py   (Debian python3-onnx 1.12 and python3-numpy)
"""

import json
import os

import numpy as np
from onnx import TensorProto, checker, helper, numpy_helper, save

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "LstmSharp.Tests", "Fixtures", "tf2onnx")
INT32_MAX = 2147483647
rng = np.random.default_rng(15)


def uniform(*shape):
    return rng.uniform(-0.6, 0.6, size=shape).astype(np.float32)


# ---- numpy reference: the Keras layers, on Keras's own weight layouts --------------------------------------------

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def keras_lstm(x, kernel, recurrent, bias, go_backwards=False):
    """keras.layers.LSTM (activation tanh, recurrent_activation sigmoid): kernel [I, 4H], recurrent [H, 4H],
    bias [4H], gates i, f, c, o. Returns the per-step outputs [B, T, H] (in processing order) and the last h."""
    x = x.astype(np.float64)
    b, t, _ = x.shape
    units = recurrent.shape[0]
    h = np.zeros((b, units))
    c = np.zeros((b, units))
    ys = []
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    for s in steps:
        z = x[:, s] @ kernel + h @ recurrent + bias
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        ys.append(h)
    return np.stack(ys, 1), h


def keras_gru(x, kernel, recurrent, bias, go_backwards=False):
    """keras.layers.GRU(reset_after=True): kernel [I, 3H], recurrent [H, 3H], bias [2, 3H] (input, recurrent),
    gates z, r, h; h' = z * h + (1 - z) * tanh(x W_h + b_h + r * (h U_h + rb_h))."""
    x = x.astype(np.float64)
    b, t, _ = x.shape
    units = recurrent.shape[0]
    h = np.zeros((b, units))
    ys = []
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    for s in steps:
        mx = x[:, s] @ kernel + bias[0]
        mh = h @ recurrent + bias[1]
        z = sigmoid(mx[:, :units] + mh[:, :units])
        r = sigmoid(mx[:, units:2 * units] + mh[:, units:2 * units])
        hh = np.tanh(mx[:, 2 * units:] + r * mh[:, 2 * units:])
        h = z * h + (1 - z) * hh
        ys.append(h)
    return np.stack(ys, 1), h


def keras_bidirectional(layer, x, fw, bw, return_sequences):
    """keras.layers.Bidirectional(merge_mode='concat'): the backward copy reads the sequence reversed; its
    per-step outputs are reversed back to the input's time order before the concat."""
    yf, hf = layer(x, *fw)
    yb, hb = layer(x, *bw, go_backwards=True)
    if return_sequences:
        return np.concatenate([yf, yb[:, ::-1]], -1)
    return np.concatenate([hf, hb], -1)


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# ---- Keras weights to what tf2onnx writes -------------------------------------------------------------------------

def lstm_wrb(kernel, recurrent, bias):
    """lstm_rewriter.LSTMRewriter._process_weights_and_bias_per_layer (from_keras): Keras's i, f, c, o blocks to
    ONNX's i, o, f, c (_convert_gates_ifco_to_iofc), W = kernel^T and R = recurrent^T with a direction axis,
    B = [Keras bias, zeros] (Keras has one bias; ONNX's Rb is filled with zeros)."""
    units = recurrent.shape[0]
    order = [0, 3, 1, 2]

    def blocks(m):
        return np.concatenate([m[..., k * units:(k + 1) * units] for k in order], -1)

    w = blocks(kernel).T[None]
    r = blocks(recurrent).T[None]
    b = np.concatenate([blocks(bias), np.zeros(4 * units, np.float32)])[None]
    return w.astype(np.float32), r.astype(np.float32), b.astype(np.float32)


def gru_wrb(kernel, recurrent, bias):
    """gru_rewriter.GRUUnitRewriter._process_weights_and_bias_keras: Keras's z, r, h order is ONNX's; W = kernel^T,
    R = recurrent^T, B = [input bias, recurrent bias]; gru_tf2_rewriter sets linear_before_reset = 1."""
    return kernel.T[None].copy(), recurrent.T[None].copy(), np.concatenate([bias[0], bias[1]])[None].astype(np.float32)


class Graph:
    """A graph under construction, with tf2onnx's naming: unique suffixes "__<n>", Keras scopes in node names."""

    def __init__(self, opset):
        self.opset = opset
        self.nodes = []
        self.inits = []
        self.n = 30

    def uid(self, stem):
        self.n += 1
        return f"{stem}__{self.n}"

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, name=None, outputs=1, **attrs):
        name = name or self.uid(op)
        outs = [f"{name}:{k}" for k in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, **attrs))
        return outs if outputs > 1 else outs[0]

    def ints(self, values, stem="const"):
        return self.init(self.uid(stem), np.array(values, np.int64))

    def slice(self, x, starts, ends, axes, name=None):
        """tf2onnx GraphBuilder.make_slice: attributes before opset 10, constant inputs after."""
        if self.opset < 10:
            return self.node("Slice", [x], name, starts=starts, ends=ends, axes=axes)
        return self.node("Slice", [x, self.ints(starts), self.ints(ends), self.ints(axes)], name)

    def squeeze(self, x, axes, name=None):
        """GraphBuilder.make_squeeze: the axes an attribute before opset 13, an input after."""
        if self.opset < 13:
            return self.node("Squeeze", [x], name, axes=axes)
        return self.node("Squeeze", [x, self.ints(axes)], name)

    def unsqueeze(self, x, axes, name=None):
        if self.opset < 13:
            return self.node("Unsqueeze", [x], name, axes=axes)
        return self.node("Unsqueeze", [x, self.ints(axes)], name)

    def zero_state(self, x, scope, units):
        """Keras's zero initial state, tf.zeros([tf.shape(inputs)[0], units]): tf2onnx's Shape, the StridedSlice
        of the batch size as Cast(int32) + Slice (onnx_opset/tensor.py StridedSlice; the shrink's Squeeze and
        Pack's Unsqueeze folded away by the optimizer), Pack as Concat with the constant units, Fill as
        Cast(int64) + ConstantOfShape (as the real export), then the rewriter's Unsqueeze(axes 0)
        (lstm_tf2_rewriter / gru_tf2_rewriter: make_unsqueeze of the while loop's initial state)."""
        shape = self.node("Shape", [x], f"{scope}/Shape")
        shape32 = self.node("Cast", [shape], self.uid(f"{scope}/Shape"), to=TensorProto.INT32)
        batch = self.slice(shape32, [0], [1], [0], f"{scope}/strided_slice")
        units_const = self.init(self.uid("const_fold_opt"), np.array([units], np.int32))
        packed = self.node("Concat", [batch, units_const], self.uid(f"{scope}/zeros/packed_Concat"), axis=0)
        packed64 = self.node("Cast", [packed], self.uid(f"{scope}/zeros"), to=TensorProto.INT64)
        zeros = self.node("ConstantOfShape", [packed64], f"{scope}/zeros_1",
                          value=helper.make_tensor("value", TensorProto.FLOAT, [1], [0.0]))
        return self.unsqueeze(zeros, [0], self.uid("Unsqueeze"))

    def recurrent(self, op, x_time_major, w, r, b, init, units, scope, bidirectional=False):
        """lstm_rewriter.create_single_rnn_node / gru_rewriter.create_rnn_node: X, W, R, B, no sequence_lens,
        the initial state(s); bilstm_rewriter.process_bilstm / bigru_rewriter: one bidirectional node with W, R, B
        concatenated on the direction axis and the activations of both directions."""
        acts = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"]}[op]
        attrs = {"hidden_size": units, "direction": "bidirectional" if bidirectional else "forward",
                 "activations": acts * (2 if bidirectional else 1)}
        if op == "GRU":
            attrs["linear_before_reset"] = 1
        stem = "W0" if not bidirectional else "W"
        inputs = [x_time_major, self.init(self.uid(stem), w), self.init(self.uid(stem.replace("W", "R")), r),
                  self.init(self.uid(stem.replace("W", "B")), b), ""] + [init] * (2 if op == "LSTM" else 1)
        return self.node(op, inputs, self.uid(op), outputs=3 if op == "LSTM" else 2, **attrs)

    def dense(self, x, scope, kernel, bias, activation=None, output=None):
        """Keras Dense on [batch, features]: MatMul by the ReadVariableOp constant, BiasAdd as Add, then its activation."""
        mm = self.node("MatMul", [x, self.init(f"StatefulPartitionedCall/sequential/{scope}/MatMul/ReadVariableOp:0", kernel)],
                       f"StatefulPartitionedCall/sequential/{scope}/MatMul")
        add = self.node("Add", [mm, self.init(f"StatefulPartitionedCall/sequential/{scope}/BiasAdd/ReadVariableOp:0", bias)],
                        f"StatefulPartitionedCall/sequential/{scope}/BiasAdd")
        if activation is None:
            return add
        kw = {"axis": 1} if activation == "Softmax" else {}
        return self.node(activation, [add], f"StatefulPartitionedCall/sequential/{scope}/{activation}", **kw)

    def save(self, name, inp, out, x, y):
        graph = helper.make_graph(self.nodes, "tf2onnx", [inp], [out], self.inits)
        opsets = [helper.make_opsetid("", self.opset), helper.make_opsetid("ai.onnx.ml", 2)]
        model = helper.make_model(graph, opset_imports=opsets, producer_name="tf2onnx", producer_version="1.16.1 15c810")
        model.ir_version = 4 if self.opset < 10 else 8
        # The graph's last node writes the declared output (tf2onnx names it after the Keras layer).
        model.graph.node[-1].output[0] = out.name
        checker.check_model(model, full_check=True)
        save(model, os.path.join(OUT, name + ".onnx"))
        doc = {"input": {"shape": list(x.shape), "data": [float(v) for v in x.ravel()]},
               "output": {"shape": list(y.shape), "data": [float(v) for v in np.asarray(y, np.float64).ravel()]}}
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(doc, f)
            f.write("\n")
        print(name, os.path.getsize(os.path.join(OUT, name + ".onnx")), "bytes")


def float_input(name, *dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))


def keras_lstm_stack():
    """Sequential([LSTM(5, return_sequences=True), Dropout, LSTM(4), Dropout, Dense(4, relu), Dense(3, softmax)]),
    saved_model -> tf2onnx at opset 9, as the real export this mirrors (Dropout leaves nothing at inference)."""
    steps, features = 6, 3
    l1 = (uniform(features, 20), uniform(5, 20), uniform(20))
    l2 = (uniform(5, 16), uniform(4, 16), uniform(16))
    d1 = (uniform(4, 4), uniform(4))
    d2 = (uniform(4, 3), uniform(3))
    x = rng.uniform(-1, 1, size=(3, steps, features)).astype(np.float32)
    y1, _ = keras_lstm(x, *l1)
    _, h2 = keras_lstm(y1, *l2)
    y = softmax(np.maximum(h2 @ d1[0] + d1[1], 0) @ d2[0] + d2[1])

    g = Graph(opset=9)
    inp = "lstm_input:0"
    s1, s2 = "StatefulPartitionedCall/sequential/lstm", "StatefulPartitionedCall/sequential/lstm_1"
    init1 = g.zero_state(inp, s1, 5)
    xt = g.node("Transpose", [inp], f"{s1}/PartitionedCall/transpose", perm=[1, 0, 2])
    y_1 = g.recurrent("LSTM", xt, *lstm_wrb(*l1), init1, 5, s1)[0]
    seq1 = g.node("Transpose", [g.squeeze(y_1, [1], g.uid("Squeeze"))], f"{s1}/PartitionedCall/transpose_1", perm=[1, 0, 2])
    init2 = g.zero_state(seq1, s2, 4)
    xt2 = g.node("Transpose", [seq1], f"{s2}/PartitionedCall/transpose", perm=[1, 0, 2])
    y_2 = g.recurrent("LSTM", xt2, *lstm_wrb(*l2), init2, 4, s2)[0]
    # outputs[-1] of the time-major stack: StridedSlice(shrink) -> Slice(-1:INT32_MAX) + Squeeze(0).
    last = g.slice(g.squeeze(y_2, [1], g.uid("Squeeze")), [-1], [INT32_MAX], [0], f"{s2}/PartitionedCall/strided_slice_2")
    last = g.squeeze(last, [0], g.uid(f"{s2}/PartitionedCall/strided_slice_2"))
    hidden = g.dense(last, "dense", *d1, "Relu")
    g.dense(hidden, "dense_1", *d2, "Softmax")
    g.save("keras_lstm_stack", float_input(inp, "unk__93", steps, features), float_input("dense_1", "unk__94", 3), x, y)


def keras_bidirectional_stack():
    """Input(shape=(None, 2)) -> Bidirectional(LSTM(4, return_sequences=True)) -> Bidirectional(GRU(3)) ->
    Dense(2, sigmoid), tf2onnx.convert.from_keras at its default opset 15. bilstm_rewriter / bigru_rewriter merge
    each forward + go_backwards pair into one bidirectional node; rnn_utils.slice_birnn_for_original_rnn_consumers
    gives each direction's old consumers a Slice of Y on axis 1 ([0:1] forward, [1:2] backward) and removes the
    backward copy's ReverseV2 (its sequence is then in input time order) or turns its tail slice outputs[-1] into
    [0:1] + Squeeze(0) (the backward direction's last processed step is at time 0); process_single_init_node
    concatenates the two directions' initial states. The transpose optimizer (_concat_handler) moves the two
    [1, 0, 2] Transposes after the Concat of the directions (axis 2 -> 2), and cancels that Transpose against
    the next layer's input Transpose."""
    features = 2
    fw1 = (uniform(features, 16), uniform(4, 16), uniform(16))
    bw1 = (uniform(features, 16), uniform(4, 16), uniform(16))
    fw2 = (uniform(8, 9), uniform(3, 9), uniform(2, 9))
    bw2 = (uniform(8, 9), uniform(3, 9), uniform(2, 9))
    d = (uniform(6, 2), uniform(2))
    x = rng.uniform(-1, 1, size=(2, 5, features)).astype(np.float32)
    y1 = keras_bidirectional(keras_lstm, x, fw1, bw1, True)
    h2 = keras_bidirectional(keras_gru, y1, fw2, bw2, False)
    y = sigmoid(h2 @ d[0] + d[1])

    g = Graph(opset=15)
    inp = "input_1"
    s1, s2 = "StatefulPartitionedCall/sequential/bidirectional", "StatefulPartitionedCall/sequential/bidirectional_1"
    zf = g.zero_state(inp, f"{s1}/forward_lstm", 4)
    zb = g.zero_state(inp, f"{s1}/backward_lstm", 4)
    init1 = g.node("Concat", [zf, zb], g.uid("Concat"), axis=0)
    xt = g.node("Transpose", [inp], f"{s1}/forward_lstm/PartitionedCall/transpose", perm=[1, 0, 2])
    wf, rf, bf = lstm_wrb(*fw1)
    wb, rb, bb = lstm_wrb(*bw1)
    y_1 = g.recurrent("LSTM", xt, np.concatenate([wf, wb]), np.concatenate([rf, rb]), np.concatenate([bf, bb]), init1, 4, s1, True)[0]
    fw_seq = g.squeeze(g.slice(y_1, [0], [1], [1], g.uid("Slice")), [1], g.uid("Squeeze"))
    bw_seq = g.squeeze(g.slice(y_1, [1], [2], [1], g.uid("Slice")), [1], g.uid("Squeeze"))
    joined = g.node("Concat", [fw_seq, bw_seq], f"{s1}/concat", axis=2)  # time-major [T, B, 8]
    # The next layer's zero state reads the batch size from the batch-first sequence; its Shape goes through the
    # Transpose the optimizer kept for that consumer.
    batch_first = g.node("Transpose", [joined], g.uid("Transpose"), perm=[1, 0, 2])
    zf2 = g.zero_state(batch_first, f"{s2}/forward_gru", 3)
    zb2 = g.zero_state(batch_first, f"{s2}/backward_gru", 3)
    init2 = g.node("Concat", [zf2, zb2], g.uid("Concat"), axis=0)
    wf, rf, bf = gru_wrb(*fw2)
    wb, rb, bb = gru_wrb(*bw2)
    y_2 = g.recurrent("GRU", joined, np.concatenate([wf, wb]), np.concatenate([rf, rb]), np.concatenate([bf, bb]), init2, 3, s2, True)[0]
    fw_last = g.squeeze(g.slice(g.squeeze(g.slice(y_2, [0], [1], [1]), [1]), [-1], [INT32_MAX], [0], f"{s2}/forward_gru/PartitionedCall/strided_slice_2"), [0])
    bw_last = g.squeeze(g.slice(g.squeeze(g.slice(y_2, [1], [2], [1]), [1]), [0], [1], [0]), [0])
    h = g.node("Concat", [fw_last, bw_last], f"{s2}/concat", axis=1)
    g.dense(h, "dense", *d, "Sigmoid")
    g.save("keras_bidirectional_stack", float_input(inp, "unk__120", "unk__121", features), float_input("dense", "unk__122", 2), x, y)


def keras_embedding_gru():
    """Input(shape=(7,)) (Keras's default float32) -> Embedding(12, 4) -> GRU(5, return_sequences=True) ->
    GRU(3) -> Dense(2), tf2onnx.convert.from_keras at opset 13. Keras's Embedding casts non-integer ids to int32
    (Cast(to=INT32), onnx_opset Cast) and looks them up with ResourceGather (Gather, axis 0, on the table
    constant); the GRUs are gru_tf2_rewriter's reset-after nodes; the first GRU's sequence is Squeeze(1) of its Y
    (time-major), which the transpose optimizer leaves feeding the second GRU directly (its Transpose [1, 0, 2]
    cancelled against the next input Transpose)."""
    vocab, dim, steps = 12, 4, 7
    table = uniform(vocab, dim)
    g1 = (uniform(dim, 15), uniform(5, 15), uniform(2, 15))
    g2 = (uniform(5, 9), uniform(3, 9), uniform(2, 9))
    d = (uniform(3, 2), uniform(2))
    ids = rng.integers(0, vocab, size=(3, steps)).astype(np.float32)
    e = table[ids.astype(np.int64)]
    y1, _ = keras_gru(e, *g1)
    _, h2 = keras_gru(y1, *g2)
    y = h2 @ d[0] + d[1]

    g = Graph(opset=13)
    inp = "input_1"
    s = "StatefulPartitionedCall/sequential"
    idx = g.node("Cast", [inp], f"{s}/embedding/Cast", to=TensorProto.INT32)
    emb = g.node("Gather", [g.init(f"{s}/embedding/embedding_lookup/ReadVariableOp:0", table), idx], f"{s}/embedding/embedding_lookup", axis=0)
    init1 = g.zero_state(emb, f"{s}/gru", 5)
    xt = g.node("Transpose", [emb], f"{s}/gru/PartitionedCall/transpose", perm=[1, 0, 2])
    y_1 = g.recurrent("GRU", xt, *gru_wrb(*g1), init1, 5, f"{s}/gru")[0]
    seq = g.squeeze(y_1, [1], g.uid("Squeeze"))  # time-major [T, B, 5]
    batch_first = g.node("Transpose", [seq], f"{s}/gru/PartitionedCall/transpose_1", perm=[1, 0, 2])
    init2 = g.zero_state(batch_first, f"{s}/gru_1", 3)
    y_2 = g.recurrent("GRU", seq, *gru_wrb(*g2), init2, 3, f"{s}/gru_1")[0]
    last = g.squeeze(g.slice(g.squeeze(y_2, [1], g.uid("Squeeze")), [-1], [INT32_MAX], [0], f"{s}/gru_1/PartitionedCall/strided_slice_2"), [0])
    g.dense(last, "dense", *d)
    g.node("Identity", [g.nodes[-1].output[0]], "Identity")
    g.save("keras_embedding_gru", float_input(inp, "unk__60", steps), float_input("dense", "unk__61", 2), ids, y)


def keras_simplernn_loop():
    """What tf2onnx leaves for a Keras SimpleRNN (or a masked LSTM/GRU): the while loop as an ONNX Loop. The body
    here is a minimal valid one (carry h through), not tf2onnx's; only the refusal is tested on this file."""
    g = Graph(opset=15)
    inp = "input_1"
    trip = g.init("trip", np.array(4, np.int64))
    cond = g.init("cond", np.array(True))
    h0 = g.init("h0", np.zeros((1, 3), np.float32))
    body = helper.make_graph(
        [helper.make_node("Identity", ["c_in"], ["c_out"]), helper.make_node("Identity", ["h_in"], ["h_out"])],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []), helper.make_tensor_value_info("c_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("h_in", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("c_out", TensorProto.BOOL, []), helper.make_tensor_value_info("h_out", TensorProto.FLOAT, [1, 3])])
    xt = g.node("Transpose", [inp], "StatefulPartitionedCall/sequential/simple_rnn/transpose", perm=[1, 0, 2])
    loop = g.node("Loop", [trip, cond, h0], "StatefulPartitionedCall/sequential/simple_rnn/while_loop", body=body)
    g.node("Add", [loop, g.node("ReduceSum", [xt, g.ints([0, 2])], keepdims=0)], "out")
    x = np.zeros((1, 4, 3), np.float32)
    g.save("keras_simplernn_loop", float_input(inp, 1, 4, 3), float_input("out", 1, 3), x, np.zeros((1, 3)))


def main():
    os.makedirs(OUT, exist_ok=True)
    keras_lstm_stack()
    keras_bidirectional_stack()
    keras_embedding_gru()
    keras_simplernn_loop()


main()
