"""Writes tests/LstmSharp.Tests/Fixtures/onnx_node/rnn_node_tests.json: the ONNX backend node tests of the
LSTM, GRU and RNN operators (test_lstm_*, test_gru_*, test_simple_rnn_*, test_rnn_seq_length), with the
inputs, attributes and expected outputs ONNX's own reference helpers compute (onnx/backend/test/case/node/
{lstm,gru,rnn}.py in the onnx package; Debian's python3-onnx 1.12 ships those scripts but not their .pb
data). The test suite reads the JSON; it never needs Python.

Run: /usr/bin/python3 tools/onnx_node_tests/make_rnn_node_fixture.py
"""

import json
import os
import sys

import numpy as np
import onnx
import onnx.backend.test.case.node as node_cases

cases = []


def capture(node, inputs, outputs, name, **kwargs):
    attributes = {}
    for a in node.attribute:
        value = onnx.helper.get_attribute_value(a)
        attributes[a.name] = value.decode() if isinstance(value, bytes) else value
    case = {
        "name": name,
        "op": node.op_type,
        "attributes": attributes,
        "inputs": {},
        "outputs": {},
    }
    for input_name, value in zip(node.input, inputs):
        if input_name:
            case["inputs"][input_name] = {"shape": list(value.shape), "data": [float(v) for v in np.asarray(value, dtype=np.float64).reshape(-1)]}
    for output_name, value in zip([o for o in node.output if o], outputs):
        case["outputs"][output_name] = {"shape": list(value.shape), "data": [float(v) for v in np.asarray(value, dtype=np.float64).reshape(-1)]}
    cases.append(case)


node_cases.expect = capture
np.random.seed(0)  # the seq_length cases draw their weights from numpy's global generator

from onnx.backend.test.case.node import gru, lstm, rnn  # noqa: E402  (after expect is replaced)

# onnx's test-case metaclass runs every export_* method when the classes are defined (on import); call them
# here only if this onnx version does not.
if not cases:
    for cls in (lstm.LSTM, gru.GRU, rnn.RNN):
        for attr in sorted(dir(cls)):
            if attr.startswith("export"):
                getattr(cls, attr)()
assert len({c["name"] for c in cases}) == len(cases), "a node test was captured twice"

out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "LstmSharp.Tests", "Fixtures", "onnx_node", "rnn_node_tests.json")
doc = {
    "description": "ONNX backend node tests for LSTM, GRU and RNN, from onnx %s's reference helpers (tools/onnx_node_tests/make_rnn_node_fixture.py)" % onnx.__version__,
    "cases": cases,
}
with open(out, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
print("%d cases -> %s" % (len(cases), os.path.normpath(out)), file=sys.stderr)
for c in cases:
    print(c["name"], c["op"], c["attributes"], {k: v["shape"] for k, v in c["inputs"].items()}, {k: v["shape"] for k, v in c["outputs"].items()}, file=sys.stderr)
