#!/usr/bin/python3
"""The scikit-learn peers of the classification benchmark (run.sh): TF-IDF + logistic regression with the
library's defaults, and TF-IDF + LR tuned by 5-fold stratified cross-validation on the training part.

  peers.py labels DATA LABEL                                  the label column, one per line (for split.cs)
  peers.py test-csv DATA TEST_ROWS OUT.csv                    the held-out rows alone, as a CSV (for `lstm classify evaluate`)
  peers.py fit DATA TEXT LABEL TEST_ROWS SEED OUT.json        both methods trained on the other rows, scored on these

TEXT is one column or several joined by commas (read as the tool reads them: the fields joined with a line
break). TEST_ROWS holds the held-out rows' 0-based indices, one per line, as split.cs wrote them; every
other row is the training part. Timings are wall seconds of fit() on this machine (2 cores).
"""
import csv
import itertools
import json
import sys
import time
import warnings

import sklearn
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

# The tuned method's search: 2 × 3 × 2 × 4 × 2 = 96 candidates, each fitted on 5 folds. The solver is liblinear, the
# classic one for sparse text features: on these sets it fits 10-20 times faster than the default lbfgs (which
# needs 100+ iterations at C = 16), for the same L2-penalised objective bar the intercept, which liblinear penalises.
# Each fold's TF-IDF is fitted once per vectoriser setting and shared by its 8 LR settings.
TFIDF_GRID = {"ngram_range": [(1, 1), (1, 2)], "min_df": [1, 2, 3], "sublinear_tf": [False, True]}
LR_GRID = {"C": [1.0, 4.0, 16.0, 64.0], "class_weight": [None, "balanced"]}
FOLDS = 5
JOBS = 2  # both cores, like the tool's default thread count


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def texts_and_labels(rows, text_columns, label_column):
    return ["\n".join(r[c] for c in text_columns) for r in rows], [r[label_column] for r in rows]


def scores(truth, predicted):
    return {"accuracy": accuracy_score(truth, predicted), "macro_f1": f1_score(truth, predicted, average="macro")}


def timed_fit(model, texts, labels):
    """Fits the model, returns the wall seconds and the convergence warnings the solver gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(texts, labels)
        seconds = time.perf_counter() - start
    return seconds, sum(issubclass(w.category, ConvergenceWarning) for w in caught)


def fold_scores(x_train, y_train, train, validation, vectoriser):
    """One vectoriser setting on one fold: the TF-IDF fitted once, then every LR setting on it."""
    tfidf = TfidfVectorizer(**vectoriser)
    x_fit = tfidf.fit_transform([x_train[i] for i in train])
    x_val = tfidf.transform([x_train[i] for i in validation])
    y_fit, y_val = [y_train[i] for i in train], [y_train[i] for i in validation]
    result = []
    for c, weight in itertools.product(LR_GRID["C"], LR_GRID["class_weight"]):
        lr = LogisticRegression(C=c, class_weight=weight, solver="liblinear").fit(x_fit, y_fit)
        result.append(({**vectoriser, "C": c, "class_weight": weight}, scores(y_val, lr.predict(x_val))))
    return result


def tune(x_train, y_train, seed):
    """The grid searched by 5-fold stratified CV on the training part (best mean accuracy), refitted on all of it."""
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(x_train, y_train))
    settings = [dict(zip(TFIDF_GRID, values)) for values in itertools.product(*TFIDF_GRID.values())]
    runs = Parallel(n_jobs=JOBS)(delayed(fold_scores)(x_train, y_train, t, v, s) for s in settings for t, v in folds)
    means = {}
    for params, score in itertools.chain.from_iterable(runs):
        key = json.dumps(params, sort_keys=True)
        means.setdefault(key, []).append(score)
    cv = {k: {m: sum(s[m] for s in v) / len(v) for m in ("accuracy", "macro_f1")} for k, v in means.items()}
    best = max(cv, key=lambda k: cv[k]["accuracy"])
    params = json.loads(best)
    start = time.perf_counter()
    model = Pipeline([
        ("tfidf", TfidfVectorizer(**{k: tuple(params[k]) if k == "ngram_range" else params[k] for k in TFIDF_GRID})),
        ("lr", LogisticRegression(C=params["C"], class_weight=params["class_weight"], solver="liblinear")),
    ]).fit(x_train, y_train)
    return {"model": model, "refit_seconds": time.perf_counter() - start, "best_params": params, "cv_accuracy": cv[best]["accuracy"],
            "cv_macro_f1": cv[best]["macro_f1"], "candidates": len(cv), "folds": FOLDS, "solver": "liblinear", "chosen_by": "mean CV accuracy", "jobs": JOBS}


def read_rows(path):
    with open(path, encoding="utf-8") as f:
        return sorted(int(line) for line in f if line.strip())


def test_csv(path, test_rows_path, out_path):
    """The held-out rows as a CSV of their own: the check that the tool's test part is this one scores its model on it."""
    rows = read(path)
    with open(out_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows[i] for i in read_rows(test_rows_path))


def fit(path, text_arg, label_column, test_rows_path, seed, out_path):
    text_columns = text_arg.split(",")
    texts, labels = texts_and_labels(read(path), text_columns, label_column)
    test = read_rows(test_rows_path)
    held = set(test)
    train = [i for i in range(len(texts)) if i not in held]
    x_train, y_train = [texts[i] for i in train], [labels[i] for i in train]
    x_test, y_test = [texts[i] for i in test], [labels[i] for i in test]

    methods = {}
    default = Pipeline([("tfidf", TfidfVectorizer()), ("lr", LogisticRegression())])
    seconds, warned = timed_fit(default, x_train, y_train)
    methods["tfidf_lr_default"] = {**scores(y_test, default.predict(x_test)), "train_seconds": seconds, "convergence_warnings": warned}

    start = time.perf_counter()
    tuned = tune(x_train, y_train, seed)
    seconds = time.perf_counter() - start
    methods["tfidf_lr_tuned"] = {**scores(y_test, tuned.pop("model").predict(x_test)), "train_seconds": seconds, **tuned}
    result = {
        "data": path, "text": text_columns, "label": label_column, "seed": seed, "rows": len(texts), "train_rows": len(train), "test_rows": len(test),
        "test_classes": {c: y_test.count(c) for c in sorted(set(y_test))}, "sklearn": sklearn.__version__, "grid": {**TFIDF_GRID, **LR_GRID}, "methods": methods,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, default=float)
    for name, m in methods.items():
        print(f"   {name}: accuracy {m['accuracy']:.4f}, macro-F1 {m['macro_f1']:.4f}, {m['train_seconds']:.1f} s")


def main(args):
    if args[:1] == ["labels"] and len(args) == 3:
        sys.stdout.write("".join(row[args[2]] + "\n" for row in read(args[1])))
    elif args[:1] == ["test-csv"] and len(args) == 4:
        test_csv(args[1], args[2], args[3])
    elif args[:1] == ["fit"] and len(args) == 7:
        fit(args[1], args[2], args[3], args[4], int(args[5]), args[6])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
