#!/usr/bin/python3
"""Write Keras model files in the formats Keras itself writes, with PyTorch outputs as the oracle.

    /usr/bin/python3 tools/keras_fixtures/make_keras_archives.py

No Keras or TensorFlow (not installable here): the files are written by hand, following Keras's own saving code:

  * `.keras` (Keras 3, keras/src/saving/saving_lib.py): a zip of metadata.json, config.json and model.weights.h5.
    config.json is `serialize_keras_object(model)`: {"module", "class_name", "config", "registered_name",
    "build_config"}; a Sequential's config lists its layers (the InputLayer first, with "batch_shape"); a Functional's
    layers also carry "name" and "inbound_nodes" = [{"args": [<__keras_tensor__ with keras_history [layer, node,
    tensor]>], "kwargs": {}}] (keras/src/models/functional.py, serialize_node), and "input_layers"/"output_layers"
    are [layer, node, tensor] leaves. model.weights.h5 has Keras 3's layout (see make_fixtures.py): the layers
    container keyed by snake_case class names (`gru`, `lstm`, `simple_rnn`, `dense`, `dense_1`, …) whatever the
    layers are called, RNN weights under cell/vars, a Bidirectional's under forward_layer/backward_layer, a
    TimeDistributed's under layer.
  * legacy `.h5` (Keras 2, keras/src/legacy/saving/legacy_h5_format.py): `model.save` puts the weights under
    model_weights/<layer>/<weight name> with weight names such as `lstm/lstm_cell/kernel:0` (so the dataset is
    model_weights/lstm/lstm/lstm_cell/kernel:0), attributes layer_names, weight_names, keras_version and backend;
    `model.save_weights("w.h5")` writes the same without the model_weights group.

The expected outputs come from torch 1.13 (nn.LSTM, nn.GRU, nn.RNN, nn.Linear, nn.Embedding in float64) with the
Keras weights mapped as Keras defines them: kernels transposed, GRU blocks (z, r, h) reordered to PyTorch's
(r, z, n), Keras's one LSTM/RNN bias as bias_ih with bias_hh zero, a reset_after GRU's two bias rows as bias_ih and
bias_hh. Writes into tests/LstmSharp.Tests/Fixtures/keras/: <name>.keras or <name>.h5, and <name>.json with
{"x": {"shape", "data"}, "expected": [{"shape", "data"}, …]} (one entry per model output).
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "LstmSharp.Tests", "Fixtures", "keras")
DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def layer(class_name, config, build_shape=None, **extra):
    entry = {"module": "keras.layers", "class_name": class_name, "config": dict(config), "registered_name": None}
    entry["config"].setdefault("trainable", True)
    entry["config"].setdefault("dtype", DTYPE)
    if build_shape is not None:
        entry["build_config"] = {"input_shape": build_shape}
    entry.update(extra)
    return entry


def rnn_config(name, units, **options):
    config = {"name": name, "return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False,
              "unroll": False, "zero_output_for_mask": False, "units": units, "activation": "tanh", "use_bias": True,
              "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None}
    config.update(options)
    return config


def tensor(layer_name, shape, dtype="float32"):
    return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": dtype, "keras_history": [layer_name, 0, 0]}}


class Weights:
    """Draws float32 weights uniform in [-0.5, 0.5) in a fixed order."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def __call__(self, *shape):
        return self.rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)


def lstm_weights(w, inputs, units):
    return [w(inputs, 4 * units), w(units, 4 * units), w(4 * units)]


def gru_weights(w, inputs, units):
    return [w(inputs, 3 * units), w(units, 3 * units), w(2, 3 * units)]


def rnn_weights(w, inputs, units):
    return [w(inputs, units), w(units, units), w(units)]


def torch_recurrent(kind, weights, inputs, units, bidirectional=False, batch_first=True):
    """An nn.LSTM/GRU/RNN holding Keras weights (one list per direction), in float64."""
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind](inputs, units, batch_first=batch_first, bidirectional=bidirectional).double()
    for suffix, (kernel, recurrent, bias) in zip(["", "_reverse"], weights):
        kernel, recurrent = kernel.astype(np.float64).T, recurrent.astype(np.float64).T
        if kind == "gru":
            order = lambda m: np.concatenate([m[units:2 * units], m[:units], m[2 * units:]], axis=0)  # (z, r, h) → (r, z, n)
            kernel, recurrent = order(kernel), order(recurrent)
            bias_ih, bias_hh = order(bias[0].astype(np.float64)), order(bias[1].astype(np.float64))
        else:
            bias_ih, bias_hh = bias.astype(np.float64), np.zeros_like(bias, dtype=np.float64)
        with torch.no_grad():
            getattr(module, "weight_ih_l0" + suffix).copy_(torch.from_numpy(kernel.copy()))
            getattr(module, "weight_hh_l0" + suffix).copy_(torch.from_numpy(recurrent.copy()))
            getattr(module, "bias_ih_l0" + suffix).copy_(torch.from_numpy(bias_ih.copy()))
            getattr(module, "bias_hh_l0" + suffix).copy_(torch.from_numpy(bias_hh.copy()))
    return module


def last(module, x):
    """The last-step output as Keras gives it: h_n, both directions concatenated."""
    _, h = module(x)
    h = h[0] if isinstance(h, tuple) else h
    return torch.cat(list(h), dim=1)


def dense(x, kernel, bias):
    return x @ torch.from_numpy(kernel.astype(np.float64)) + torch.from_numpy(bias.astype(np.float64))


def put(h5, path, value):
    h5.create_dataset(path, data=value)


def keras3_h5(entries):
    """model.weights.h5 in Keras 3's layout: entries = [(path, [arrays])], each array one vars/<i>."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        h5.create_group("vars")
        for path, arrays in entries:
            group = h5.require_group(path + "/vars")
            for i, a in enumerate(arrays):
                group.create_dataset(str(i), data=a)
    return buffer.getvalue()


def empty_vars(entries, *paths):
    return [(p, []) for p in paths] + entries


def write_keras(name, config, weights_h5):
    path = os.path.join(OUT, name + ".keras")
    metadata = {"keras_version": "3.5.0", "date_saved": "2026-12-01@00:00:00"}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for entry, data in [("metadata.json", json.dumps(metadata)), ("config.json", json.dumps(config)), ("model.weights.h5", weights_h5)]:
            z.writestr(zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return path


def write_io(name, x, outputs):
    doc = {"x": {"shape": list(x.shape), "data": [float(v) for v in np.asarray(x, dtype=np.float64).ravel()]},
           "expected": [{"shape": list(o.shape), "data": [float(v) for v in o.detach().numpy().ravel()]} for o in outputs]}
    with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(doc, f)
        f.write("\n")


def sequential_embedding_bilstm():
    """Sequential: int ids → Embedding(10, 4, mask_zero) → Dropout → Bidirectional(LSTM(3)) → Dense(2, softmax)."""
    w = Weights(7101)
    embeddings = w(10, 4)
    forward, backward = lstm_weights(w, 4, 3), lstm_weights(w, 4, 3)
    kernel, bias = w(6, 2), w(2)
    ids = w.rng.integers(1, 10, size=(2, 6))
    lstm = rnn_config("lstm", 3, recurrent_activation="sigmoid", unit_forget_bias=True)
    layers = [
        layer("InputLayer", {"batch_shape": [None, None], "dtype": "int32", "sparse": False, "name": "input_layer"}),
        layer("Embedding", {"name": "embedding", "input_dim": 10, "output_dim": 4, "mask_zero": True, "embeddings_initializer": None}, [None, None]),
        layer("Dropout", {"name": "dropout", "rate": 0.25, "seed": None, "noise_shape": None}, [None, None, 4]),
        layer("Bidirectional", {"name": "bidirectional", "merge_mode": "concat",
                                "layer": layer("LSTM", dict(lstm, name="forward_lstm")),
                                "backward_layer": layer("LSTM", dict(lstm, name="backward_lstm", go_backwards=True))}, [None, None, 4]),
        layer("Dense", {"name": "dense", "units": 2, "activation": "softmax", "use_bias": True}, [None, 6]),
    ]
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": True, "dtype": DTYPE, "layers": layers},
              "registered_name": None, "build_config": {"input_shape": [None, None]}, "compile_config": None}
    h5 = keras3_h5(empty_vars([("layers/embedding", [embeddings]), ("layers/bidirectional/forward_layer/cell", forward),
                               ("layers/bidirectional/backward_layer/cell", backward), ("layers/dense", [kernel, bias])],
                              "layers/dropout", "layers/bidirectional", "layers/bidirectional/forward_layer", "layers/bidirectional/backward_layer"))
    write_keras("seq_emb_bilstm", config, h5)
    x = torch.from_numpy(embeddings.astype(np.float64))[torch.from_numpy(ids)]
    h = last(torch_recurrent("lstm", [forward, backward], 4, 3, bidirectional=True), x)
    write_io("seq_emb_bilstm", ids, [torch.softmax(dense(h, kernel, bias), dim=1)])


def functional_gru_rnn():
    """Functional: series [T, 3] → GRU 'encoder' (sequences) → TimeDistributed(Dense(2, tanh)) 'per_step', and
    Concatenate(SimpleRNN(4)(series), LSTM(3)(encoder)) → Dense(1) 'score'; outputs [per_step, score]."""
    w = Weights(7102)
    gru, td, rnn, lstm = gru_weights(w, 3, 5), [w(5, 2), w(2)], rnn_weights(w, 3, 4), lstm_weights(w, 5, 3)
    kernel, bias = w(7, 1), w(1)
    x = w(2, 5, 3)
    layers = [
        layer("InputLayer", {"batch_shape": [None, None, 3], "dtype": "float32", "sparse": False, "name": "series"}, name="series", inbound_nodes=[]),
        layer("GRU", rnn_config("encoder", 5, return_sequences=True, recurrent_activation="sigmoid", reset_after=True), [None, None, 3],
              name="encoder", inbound_nodes=[{"args": [tensor("series", [None, None, 3])], "kwargs": {"training": False, "mask": None}}]),
        layer("TimeDistributed", {"name": "per_step", "layer": layer("Dense", {"name": "dense", "units": 2, "activation": "tanh", "use_bias": True})}, [None, None, 5],
              name="per_step", inbound_nodes=[{"args": [tensor("encoder", [None, None, 5])], "kwargs": {"mask": None}}]),
        layer("SimpleRNN", rnn_config("simple_rnn", 4), [None, None, 3],
              name="simple_rnn", inbound_nodes=[{"args": [tensor("series", [None, None, 3])], "kwargs": {"training": False, "mask": None}}]),
        layer("LSTM", rnn_config("lstm", 3, recurrent_activation="sigmoid", unit_forget_bias=True), [None, None, 5],
              name="lstm", inbound_nodes=[{"args": [tensor("encoder", [None, None, 5])], "kwargs": {"training": False, "mask": None}}]),
        layer("Concatenate", {"name": "concatenate", "axis": -1}, [[None, 4], [None, 3]],
              name="concatenate", inbound_nodes=[{"args": [[tensor("simple_rnn", [None, 4]), tensor("lstm", [None, 3])]], "kwargs": {}}]),
        layer("Dense", {"name": "score", "units": 1, "activation": "linear", "use_bias": True}, [None, 7],
              name="score", inbound_nodes=[{"args": [tensor("concatenate", [None, 7])], "kwargs": {}}]),
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional",
              "config": {"name": "forecaster", "trainable": True, "layers": layers,
                         "input_layers": [["series", 0, 0]], "output_layers": [["per_step", 0, 0], ["score", 0, 0]]},
              "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": None}
    # Keys by class: the GRU named 'encoder' is 'gru', the Dense named 'score' is 'dense' (the one inside
    # TimeDistributed is that wrapper's attribute 'layer', not in the container).
    h5 = keras3_h5(empty_vars([("layers/gru/cell", gru), ("layers/time_distributed/layer", td), ("layers/simple_rnn/cell", rnn),
                               ("layers/lstm/cell", lstm), ("layers/dense", [kernel, bias])],
                              "layers/input_layer", "layers/gru", "layers/time_distributed", "layers/simple_rnn", "layers/lstm", "layers/concatenate"))
    write_keras("functional_gru_rnn", config, h5)
    t = torch.from_numpy(x.astype(np.float64))
    encoded, _ = torch_recurrent("gru", [gru], 3, 5)(t)
    per_step = torch.tanh(dense(encoded, *td))
    score = dense(torch.cat([last(torch_recurrent("rnn", [rnn], 3, 4), t), last(torch_recurrent("lstm", [lstm], 5, 3), encoded)], dim=1), kernel, bias)
    write_io("functional_gru_rnn", x, [per_step, score])


def legacy_h5(name, with_model_group, layers, x, outputs):
    """layers = [(layer name, [(weight name, array)])] in Keras 2's HDF5 layout."""
    path = os.path.join(OUT, name + ".h5")
    with h5py.File(path, "w") as h5:
        root = h5.create_group("model_weights") if with_model_group else h5
        if with_model_group:
            h5.attrs["keras_version"] = np.bytes_("2.15.0")
            h5.attrs["backend"] = np.bytes_("tensorflow")
        root.attrs["layer_names"] = np.array([np.bytes_(n) for n, _ in layers])
        root.attrs["backend"] = np.bytes_("tensorflow")
        root.attrs["keras_version"] = np.bytes_("2.15.0")
        for layer_name, weights in layers:
            g = root.create_group(layer_name)
            g.attrs["weight_names"] = np.array([np.bytes_(n) for n, _ in weights])
            for weight_name, value in weights:
                g.create_dataset(weight_name, data=value)
    write_io(name, x, outputs)


def legacy_models():
    # model.save("m.h5"): LSTM(4, return_sequences) → Bidirectional(GRU(3)) → Dense(2).
    w = Weights(7103)
    lstm, forward, backward, kernel, bias = lstm_weights(w, 2, 4), gru_weights(w, 4, 3), gru_weights(w, 4, 3), w(6, 2), w(2)
    x = w(2, 5, 2)
    legacy_h5("legacy_lstm_bigru", True, [
        ("lstm", [(f"lstm/lstm_cell/{n}:0", a) for n, a in zip(["kernel", "recurrent_kernel", "bias"], lstm)]),
        ("bidirectional", [(f"bidirectional/{d}_gru/gru_cell/{n}:0", a) for d, ws in [("forward", forward), ("backward", backward)]
                           for n, a in zip(["kernel", "recurrent_kernel", "bias"], ws)]),
        ("dense", [("dense/kernel:0", kernel), ("dense/bias:0", bias)]),
    ], x, [dense(last(torch_recurrent("gru", [forward, backward], 4, 3, bidirectional=True),
                      torch_recurrent("lstm", [lstm], 2, 4)(torch.from_numpy(x.astype(np.float64)))[0]), kernel, bias)])
    # model.save_weights("w.h5"): Embedding(8, 3) → SimpleRNN(4) → Dense(1), no model_weights group.
    w = Weights(7104)
    embeddings, rnn, kernel, bias = w(8, 3), rnn_weights(w, 3, 4), w(4, 1), w(1)
    ids = w.rng.integers(1, 8, size=(3, 4))
    h = last(torch_recurrent("rnn", [rnn], 3, 4), torch.from_numpy(embeddings.astype(np.float64))[torch.from_numpy(ids)])
    legacy_h5("legacy_weights_emb_rnn", False, [
        ("embedding", [("embedding/embeddings:0", embeddings)]),
        ("simple_rnn", [(f"simple_rnn/simple_rnn_cell/{n}:0", a) for n, a in zip(["kernel", "recurrent_kernel", "bias"], rnn)]),
        ("dense", [("dense/kernel:0", kernel), ("dense/bias:0", bias)]),
    ], ids, [dense(h, kernel, bias)])


def gru_reset_before(x, kernel, recurrent, bias, units):
    """Keras's GRU with reset_after=False, written out in float64 (torch has no such GRU): blocks (z, r, h),
    hh = tanh(x W_h + b_h + (r ⊙ h) U_h), h' = z ⊙ h + (1 − z) ⊙ hh."""
    k, u, b = (torch.from_numpy(a.astype(np.float64)) for a in (kernel, recurrent, bias))
    h = torch.zeros(x.shape[0], units, dtype=torch.float64)
    outputs = []
    for t in range(x.shape[1]):
        xz, xr, xh = (x[:, t] @ k + b).split(units, dim=1)
        hz, hr = (h @ u[:, :2 * units]).split(units, dim=1)
        z, r = torch.sigmoid(xz + hz), torch.sigmoid(xr + hr)
        h = z * h + (1 - z) * torch.tanh(xh + (r * h) @ u[:, 2 * units:])
        outputs.append(h)
    return torch.stack(outputs, dim=1)


def sequential_forms():
    """Sequential: ids → Embedding(7, 3, mask_zero=False: id 0 is a token) → GRU(4, reset_after=False, sequences) →
    LSTM(3, use_bias=False) → Dense(2): the forms Keras 2 made common."""
    w = Weights(7105)
    embeddings, gru, lstm = w(7, 3), [w(3, 12), w(4, 12), w(12)], [w(4, 12), w(3, 12)]
    kernel, bias = w(3, 2), w(2)
    ids = w.rng.integers(0, 7, size=(2, 6))
    ids[:, -2:] = 0
    layers = [
        layer("InputLayer", {"batch_shape": [None, None], "dtype": "int32", "sparse": False, "name": "input_layer"}),
        layer("Embedding", {"name": "embedding", "input_dim": 7, "output_dim": 3, "mask_zero": False, "embeddings_initializer": None}, [None, None]),
        layer("GRU", rnn_config("gru", 4, return_sequences=True, recurrent_activation="sigmoid", reset_after=False), [None, None, 3]),
        layer("LSTM", rnn_config("lstm", 3, recurrent_activation="sigmoid", use_bias=False, unit_forget_bias=True), [None, None, 4]),
        layer("Dense", {"name": "dense", "units": 2, "activation": "linear", "use_bias": True}, [None, 3]),
    ]
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": True, "dtype": DTYPE, "layers": layers},
              "registered_name": None, "build_config": {"input_shape": [None, None]}, "compile_config": None}
    h5 = keras3_h5(empty_vars([("layers/embedding", [embeddings]), ("layers/gru/cell", gru), ("layers/lstm/cell", lstm), ("layers/dense", [kernel, bias])],
                              "layers/gru", "layers/lstm"))
    write_keras("seq_forms", config, h5)
    x = torch.from_numpy(embeddings.astype(np.float64))[torch.from_numpy(ids)]
    sequence = gru_reset_before(x, *gru, 4)
    module = torch.nn.LSTM(4, 3, bias=False, batch_first=True).double()
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(lstm[0].astype(np.float64).T.copy()))
        module.weight_hh_l0.copy_(torch.from_numpy(lstm[1].astype(np.float64).T.copy()))
    write_io("seq_forms", ids, [dense(last(module, sequence), kernel, bias)])


if __name__ == "__main__":
    sequential_forms()
    sequential_embedding_bilstm()
    functional_gru_rnn()
    legacy_models()
    for f in sorted(os.listdir(OUT)):
        if f.startswith(("seq_emb_bilstm", "seq_forms", "functional_gru_rnn", "legacy_")):
            print(f, os.path.getsize(os.path.join(OUT, f)), "bytes")
