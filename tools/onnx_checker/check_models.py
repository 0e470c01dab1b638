#!/usr/bin/python3
"""Run ONNX's own checks on the models tools/onnx_checker writes; record the results as a test fixture.

    dotnet run --project tools/onnx_checker -- /tmp/onnx_checked
    /usr/bin/python3 tools/onnx_checker/check_models.py /tmp/onnx_checked

For every <name>.onnx listed in FOLDER/manifest.json it runs

  * onnx.checker.check_model(model, full_check=True), and
  * onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True) on a copy whose graph outputs
    have their shapes removed, so what it reports for them is what inference derived, not what we declared;

and writes tests/LstmSharp.Tests/Fixtures/onnx/checked.json: per model the structure hash from the manifest
(the C# side's OnnxCheckedModels.StructureHash), "pass" or the checker's error for each check, and the declared
and inferred shape of every graph output (a number, a symbolic name, or null for unknown). The script exits 1 if
any model fails, after writing the file, so a failure is recorded and seen.
"""
import copy
import json
import os
import sys

import onnx

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "LstmSharp.Tests", "Fixtures", "onnx", "checked.json")


def dims(value_info):
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param if d.HasField("dim_param") else None) for d in t.shape.dim]


def run(check):
    try:
        check()
        return "pass"
    except Exception as e:  # the checker's own exception types differ between onnx versions
        return f"{type(e).__name__}: {e}".strip()


def main(folder):
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    results = {}
    for name, structure in manifest.items():
        model = onnx.load(os.path.join(folder, name + ".onnx"))
        entry = {"structure_sha256": structure, "onnx_version": onnx.__version__}
        entry["check_model"] = run(lambda: onnx.checker.check_model(model, full_check=True))
        stripped = copy.deepcopy(model)
        for output in stripped.graph.output:
            output.type.tensor_type.ClearField("shape")
        inferred = {}

        def infer():
            m = onnx.shape_inference.infer_shapes(stripped, check_type=True, strict_mode=True)
            inferred.update({o.name: dims(o) for o in m.graph.output})

        entry["infer_shapes"] = run(infer)
        entry["outputs"] = [{"name": o.name, "declared": dims(o), "inferred": inferred.get(o.name)} for o in model.graph.output]
        results[name] = entry
        print(f"{name}: check_model {entry['check_model']}; infer_shapes {entry['infer_shapes']}")
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")
    failed = [n for n, e in results.items() if e["check_model"] != "pass" or e["infer_shapes"] != "pass"]
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
