"""Writes PyTorch-exported ONNX models for OnnxImport's tests into tests/LstmSharp.Tests/Fixtures/onnx_import:
<name>.onnx (torch.onnx.export, opset 14, dynamic batch and time) and <name>.json (the input and PyTorch's
output for it, in float64 of the float32 values). The models are the shapes people export: an Embedding +
LSTM classifier reading the last step, a two-layer bidirectional GRU tagger with a softmax per step, a
simple RNN reading h_n, a bidirectional LSTM joining both final states, and a GRU with a per-step Linear.

Run: /usr/bin/python3 tools/onnx_import_fixtures/make_torch_onnx.py   (torch 1.13 from Debian)
"""

import io
import json
import os
import warnings

import torch

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "LstmSharp.Tests", "Fixtures", "onnx_import")


class EmbeddingLstmLast(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(12, 4)
        self.lstm = torch.nn.LSTM(4, 5, batch_first=True)
        self.fc = torch.nn.Linear(5, 3)

    def forward(self, x):
        y, _ = self.lstm(self.emb(x))
        return self.fc(y[:, -1, :])


class BiGruTagger(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(3, 4, batch_first=True, bidirectional=True, num_layers=2)
        self.fc = torch.nn.Linear(8, 2)

    def forward(self, x):
        y, _ = self.gru(x)
        return torch.softmax(self.fc(y), -1)


class RnnLastState(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.RNN(3, 4, batch_first=True)
        self.fc = torch.nn.Linear(4, 1)

    def forward(self, x):
        _, h = self.rnn(x)
        return torch.sigmoid(self.fc(h[-1]))


class BiLstmBothStates(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(2, 3, batch_first=True, bidirectional=True)
        self.fc = torch.nn.Linear(6, 2)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return torch.tanh(self.fc(torch.cat([h[-2], h[-1]], dim=1)))


class GruPerStep(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(2, 5, batch_first=True)
        self.fc = torch.nn.Linear(5, 3)

    def forward(self, x):
        y, _ = self.gru(x)
        return torch.relu(self.fc(y))


def floats(t):
    return [float(v) for v in t.detach().double().reshape(-1).tolist()]


def main():
    torch.manual_seed(7)
    models = [
        ("embedding_lstm_last", EmbeddingLstmLast(), torch.tensor([[3, 1, 7, 2, 9], [11, 4, 4, 6, 1], [5, 8, 10, 2, 3]])),
        ("bigru2_tagger", BiGruTagger(), torch.randn(2, 6, 3)),
        ("rnn_last_state", RnnLastState(), torch.randn(3, 4, 3)),
        ("bilstm_both_states", BiLstmBothStates(), torch.randn(2, 7, 2)),
        ("gru_per_step", GruPerStep(), torch.randn(2, 5, 2)),
    ]
    for name, model, x in models:
        model.eval()
        with torch.no_grad():
            for p in model.parameters():
                p.uniform_(-0.6, 0.6)
            y = model(x)
        f = io.BytesIO()
        torch.onnx.export(model, (x,), f, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch", 1: "time"}, "output": {0: "batch"}}, opset_version=14)
        with open(os.path.join(OUT, name + ".onnx"), "wb") as out:
            out.write(f.getvalue())
        doc = {"input": {"shape": list(x.shape), "data": floats(x)}, "output": {"shape": list(y.shape), "data": floats(y)}}
        with open(os.path.join(OUT, name + ".json"), "w") as out:
            json.dump(doc, out)
            out.write("\n")
        print(name, len(f.getvalue()), "bytes")


main()
