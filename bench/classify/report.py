#!/usr/bin/python3
"""report.py: the per-run files of run.sh into classify.md (tables) and classify.json (every number).
  report.py RUNS_DIR OUT_DIR DATASETS_TXT
"""
import json
import math
import os
import statistics
import sys

METHODS = [  # key, label
    ("tfidf_lr_default", "TF-IDF + LR, scikit-learn defaults"),
    ("tfidf_lr_tuned", "TF-IDF (1–2-grams) + LR, tuned by 5-fold CV"),
    ("tool_defaults", "`lstm classify train`, defaults"),
    ("tool_pretrained", "`lstm classify train --pretrained LM`"),
]


def epochs(value):
    """An epoch count, or an ensemble's one per network as 2/1/2."""
    return "/".join(map(str, value)) if isinstance(value, list) else str(value)


def stops(value):
    """Why training stopped, or for an ensemble why each network did ("early stopping, all 5" when they agree)."""
    if not isinstance(value, list):
        return value
    return f"{value[0]}, all {len(value)}" if len(set(value)) == 1 else "/".join(value)


def load_json(path):
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def steps(run_dir):
    """steps.txt: one line per timed step: name, load (1 min) before and after, wall seconds of the whole command."""
    result = {}
    path = os.path.join(run_dir, "steps.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                name, before, after, wall = line.split()
                result[name] = {"load_before": float(before), "load_after": float(after), "wall_seconds": float(wall)}
    return result


def tool_run(run_dir, kind, step):
    """One `lstm classify train` run: its test scores, the epoch it kept, its times, and the check on test.csv."""
    skipped = os.path.join(run_dir, f"tool-{kind}.skipped")
    if os.path.exists(skipped):
        with open(skipped, encoding="utf-8") as f:
            return {"skipped": f.read().strip()}
    tool = load_json(os.path.join(run_dir, f"tool-{kind}.json"))
    if tool is None:
        return None
    check = load_json(os.path.join(run_dir, f"tool-{kind}-check.json"))
    test = tool["test"]
    same = check is not None and check["result"]["confusion"] == test["confusion"]
    return {
        "accuracy": test["accuracy"], "macro_f1": test["macro_f1"], "train_seconds": tool["training"]["seconds"],
        "command_seconds": tool["elapsed_seconds"], "kept_epoch": tool["training"]["kept_epoch"], "epochs_run": tool["training"]["epochs_run"],
        "stopped": tool["training"].get("stopped") or [m["stopped"] for m in tool["training"]["members"]], "test_rows": sum(c["support"] for c in test["classes"].values()),
        "check_accuracy": None if check is None else check["result"]["accuracy"], "check_same_confusion": same,
        "version": tool["version"], "settings": tool["settings"], "history": tool["history"], "step": step, "test": test,
    }


def collect(work, datasets):
    runs = []
    for name, file, text, label in datasets:
        prefix = f"{name}-s"
        for entry in sorted(os.listdir(work)):
            if not entry.startswith(prefix) or not entry[len(prefix):].isdigit():
                continue
            run_dir = os.path.join(work, entry)
            timed = steps(run_dir)
            peers = load_json(os.path.join(run_dir, "sklearn.json"))
            run = {"dataset": name, "file": file, "text": text, "label": label, "seed": int(entry[len(prefix):]), "methods": {}}
            if peers is not None:
                run.update(rows=peers["rows"], train_rows=peers["train_rows"], test_rows=peers["test_rows"], test_classes=peers["test_classes"])
                for key, method in peers["methods"].items():
                    run["methods"][key] = {**method, "step": timed.get("sklearn")}
                run["grid"] = peers["grid"]
            for kind in ("defaults", "pretrained"):
                tool = tool_run(run_dir, kind, timed.get(f"tool-{kind}"))
                if tool is not None:
                    run["methods"][f"tool_{kind}"] = tool
            runs.append(run)
    return runs


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summary(runs, datasets):
    result = {}
    for name, *_ in datasets:
        mine = [r for r in runs if r["dataset"] == name]
        result[name] = {}
        for key, _ in METHODS:
            done = [r["methods"][key] for r in mine if key in r["methods"] and "skipped" not in r["methods"][key]]
            skipped = [r["methods"][key]["skipped"] for r in mine if key in r["methods"] and "skipped" in r["methods"][key]]
            if not done:
                result[name][key] = {"runs": 0, "skipped": skipped[0] if skipped else "not run"}
                continue
            result[name][key] = {
                "runs": len(done), "seeds": [r["seed"] for r in mine if key in r["methods"] and "skipped" not in r["methods"][key]],
                **{f"median_{m}": median([d[m] for d in done]) for m in ("accuracy", "macro_f1", "train_seconds")},
                **{f"all_{m}": [d[m] for d in done] for m in ("accuracy", "macro_f1", "train_seconds")},
                "kept_epochs": [d.get("kept_epoch") for d in done] if key.startswith("tool") else None,
            }
    return result


def pct(x):
    return "–" if x is None else f"{100 * x:.2f} %"


def f3(x):
    return "–" if x is None else f"{x:.3f}"


def secs(x):
    return "–" if x is None else (f"{x:.1f} s" if x < 100 else f"{x:.0f} s")


def markdown(machine, runs, datasets, total):
    seeds = sorted({r["seed"] for r in runs})
    lines = [
        "# Text-classification benchmark: `lstm classify train` defaults vs TF-IDF + logistic regression",
        "",
        "Written by `bench/classify/run.sh` (see bench/README.md, \"Classification benchmark\"). Every method is scored on the",
        "same rows: for each seed, the stratified 20 % that `lstm classify train --seed S` holds out by default (computed by",
        "`bench/classify/split.cs` with the library's `Splits.Stratified`, written once as `test-rows.txt`; `test.csv` holds those rows), and",
        "trained on the other 80 % (the tool takes 10 % of those for its early-stopping validation). Times are wall seconds",
        "on the machine below (**2 cores**, shared with other engineers' builds and tests: see the load columns). "
        f"{'Medians over seeds ' + ', '.join(map(str, seeds)) + ' (of each column on its own)' if len(seeds) > 1 else 'One seed (' + ', '.join(map(str, seeds)) + ')'}; every run is listed below.",
        "",
        "```",
        *machine,
        "```",
        "",
    ]
    for name, file, text, label in datasets:
        mine = [r for r in runs if r["dataset"] == name]
        if not mine:
            continue
        first = mine[0]
        classes = ", ".join(f"{c} {n}" for c, n in first.get("test_classes", {}).items())
        lines += [f"## {name} (`{file}`, text `{text}`, label `{label}`)", "",
                  f"{first.get('rows', '?')} rows: training {first.get('train_rows', '?')}, test {first.get('test_rows', '?')} ({classes}).", "",
                  "| method | accuracy | macro-F1 | training time | kept epoch | runs |", "|---|--:|--:|--:|--:|--:|"]
        for key, title in METHODS:
            s = total[name][key]
            if s["runs"] == 0:
                lines.append(f"| {title} | {s['skipped']} | | | | 0 |")
                continue
            kept = ", ".join(map(epochs, s["kept_epochs"])) if s["kept_epochs"] else "–"
            lines.append(f"| {title} | {pct(s['median_accuracy'])} | {f3(s['median_macro_f1'])} | {secs(s['median_train_seconds'])} | {kept} | {s['runs']} |")
        tool, tuned = total[name]["tool_defaults"], total[name]["tfidf_lr_tuned"]
        if tool["runs"] and tuned["runs"]:
            da = 100 * (tool["median_accuracy"] - tuned["median_accuracy"])
            df = tool["median_macro_f1"] - tuned["median_macro_f1"]
            verdict = "above" if da > 0 and df > 0 else "not above"
            lines += ["", f"The tool's defaults against tuned TF-IDF + LR: accuracy {da:+.2f} points, macro-F1 {df:+.3f} — {verdict} the bar on both."]
        lines.append("")
    lines += ["## Every run", "",
              "Training time: scikit-learn's `fit` (for the tuned method the whole search and the refit); the tool's `training.seconds`",
              "(the training loop). Command: the whole step's wall time — for the tool its `classify train` command (reading, tokenising,",
              "training, the test), for the peers `peers.py fit`, which runs both of them (so both rows show the same figure). Load: the",
              "1-minute load average before and after the step, on 2 cores.", "",
              "| data | seed | method | accuracy | macro-F1 | training | command | kept epoch | load before → after | notes |",
              "|---|--:|---|--:|--:|--:|--:|--:|--:|---|"]
    for r in runs:
        for key, title in METHODS:
            m = r["methods"].get(key)
            if m is None:
                continue
            if "skipped" in m:
                lines.append(f"| {r['dataset']} | {r['seed']} | {title} | | | | | | | {m['skipped']} |")
                continue
            step = m.get("step") or {}
            load = f"{step['load_before']:.1f} → {step['load_after']:.1f}" if step else "–"
            if key.startswith("tool"):
                kept, command = f"{epochs(m['kept_epoch'])} of {epochs(m['epochs_run'])}", secs(m["command_seconds"])
                notes = f"stopped: {stops(m['stopped'])}"
            else:
                kept, command = "–", secs(step.get("wall_seconds"))
                notes = ""
                if key == "tfidf_lr_tuned":
                    p = m["best_params"]
                    notes = (f"C {p['C']:g}, class_weight {p['class_weight']}, ngram {tuple(p['ngram_range'])}, min_df {p['min_df']}, "
                             f"sublinear_tf {p['sublinear_tf']}; CV accuracy {pct(m['cv_accuracy'])}, macro-F1 {f3(m['cv_macro_f1'])}")
                elif m.get("convergence_warnings"):
                    notes = f"{m['convergence_warnings']} convergence warning(s)"
            lines.append(f"| {r['dataset']} | {r['seed']} | {title} | {pct(m['accuracy'])} | {f3(m['macro_f1'])} | {secs(m['train_seconds'])} | {command} | {kept} | {load} | {notes} |")
    lines += ["", "## Checks", "",
              "The tool's test part must be the peers' one: the saved model, evaluated with `lstm classify evaluate` on `test.csv`",
              "(the held-out rows alone, as the peers read them), must give the same confusion matrix as `classify train` reported.", "",
              "| data | seed | method | test rows (tool / peers) | accuracy in train / on test.csv | same confusion |", "|---|--:|---|--:|--:|---|"]
    for r in runs:
        for key, title in METHODS[2:]:
            m = r["methods"].get(key)
            if m is None or "skipped" in m:
                continue
            lines.append(f"| {r['dataset']} | {r['seed']} | {title} | {m['test_rows']} / {r.get('test_rows', '?')} | {pct(m['accuracy'])} / {pct(m['check_accuracy'])} | "
                         f"{'yes' if m['check_same_confusion'] else '**no**'} |")
    grid = next((r["grid"] for r in runs if "grid" in r), None)
    if grid:
        lines += ["", "## The tuned method's grid", "",
                  "5-fold stratified CV (shuffled with the run's seed) on the training part, every combination of "
                  + "; ".join(f"`{k}` ∈ {{{', '.join(str(tuple(v) if isinstance(v, list) else v) for v in values)}}}" for k, values in grid.items())
                  + f" ({math.prod(len(v) for v in grid.values())} candidates),"
                  " LR solver liblinear; the candidate with the best mean CV accuracy is refitted on the whole training part. TF-IDF's other"
                  " settings and LR's are scikit-learn's defaults. The search runs on both cores (joblib, 2 workers)."]
    return "\n".join(lines) + "\n"


def main(work, out, datasets_txt):
    with open(datasets_txt, encoding="utf-8") as f:
        datasets = [[x.strip() for x in line.split("|")] for line in f if line.strip() and not line.startswith("#")]
    with open(os.path.join(work, "machine.txt"), encoding="utf-8") as f:
        machine = [line.rstrip("\n") for line in f]
    runs = collect(work, datasets)
    total = summary(runs, datasets)
    with open(os.path.join(out, "classify.md"), "w", encoding="utf-8") as f:
        f.write(markdown(machine, runs, datasets, total))
    for r in runs:  # the tool's full settings and history stay in the runs' own files
        for key in ("tool_defaults", "tool_pretrained"):
            if key in r["methods"] and "skipped" not in r["methods"][key]:
                r["methods"][key] = {k: v for k, v in r["methods"][key].items() if k not in ("settings", "test")}
    with open(os.path.join(out, "classify.json"), "w", encoding="utf-8") as f:
        json.dump({"machine": machine, "summary": total, "runs": runs}, f, indent=1)
    print(f"wrote {os.path.join(out, 'classify.md')} and classify.json")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
