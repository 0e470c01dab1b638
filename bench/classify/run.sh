#!/usr/bin/env bash
# The text-classification benchmark: `lstm classify train` with its defaults against TF-IDF + logistic regression
# (scikit-learn defaults, and tuned by 5-fold CV) on the same held-out 20 % of each file in datasets.txt, per seed.
#   bench/classify/run.sh [OUT_DIR]    (LSTM= a built tool, else this checkout is built once; DATA= the shared data
#   folder; SEEDS="42 43 44"; ONLY= dataset names; PRETRAINED= a language model for the run with `--pretrained`;
#   PYTHON=/usr/bin/python3, Debian's, with python3-sklearn; a run whose results are there already is kept)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DATA=${DATA:-$here/../../../shared/data}
PYTHON=${PYTHON:-/usr/bin/python3}
SEEDS=${SEEDS:-42 43 44}
out=${1:-$here/../results/$(bash "$here/../forecast/cpu-slug.sh")}
work=$out/classify-runs
mkdir -p "$work"
tmp=$(mktemp -d -t clsbench.XXXXXX); trap 'rm -rf "$tmp"' EXIT   # each run's test.csv and models: made again from test-rows.txt, not kept
if [ -z "${LSTM:-}" ]; then
  bin=${TMPDIR:-/tmp}/clsbench-lstm
  dotnet build -c Release "$here/../../src/LstmSharp.Cli" -o "$bin" --nologo -v q > "$tmp/build.log" 2>&1 || { tail -20 "$tmp/build.log"; exit 1; }
  LSTM=$bin/lstm
fi
load() { cut -d' ' -f1 /proc/loadavg; }
now() { date +%s.%N; }
{ echo "date: $(date -u +%FT%TZ)"; echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "tool: $($LSTM --version 2>/dev/null | head -1)"; echo "tool commit: ${TOOL_COMMIT:-$(git -C "$here" rev-parse HEAD)}"
  echo "python: $($PYTHON -c 'import sys, sklearn, joblib; print(sys.version.split()[0], "scikit-learn", sklearn.__version__, "joblib", joblib.__version__)')"
  echo "seeds: $SEEDS"
  lscpu | grep -E '^(Model name|CPU family|Model|CPU\(s\)|Thread)'; } >> "$work/machine.txt"   # one block per start (runs resume)

# The slot for issue 13's pre-trained language model: run only when the tool has the option and a model is given.
if ! $LSTM classify train --help 2>/dev/null | grep -q -- '--pretrained'; then
  pretrained="skipped: this lstm has no \`classify train --pretrained\` option yet"
elif [ -z "${PRETRAINED:-}" ]; then
  pretrained="skipped: no language model given (PRETRAINED=path/to/lm.safetensors)"
else
  pretrained=""
fi

for seed in $SEEDS; do
  while IFS='|' read -r name file text label <&3; do   # the list on fd 3: the commands below must not read it
    name=$(echo $name); file=$(echo $file); text=$(echo $text); label=$(echo $label)
    [ -n "$name" ] || continue
    [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $name "* ]] || continue
    path=$DATA/$file; run=$work/$name-s$seed; mkdir -p "$run"
    echo "== $name, seed $seed ($(date -u +%T), load $(load))"
    # The split, written once: the rows `classify train --seed $seed` holds out (its default --test 0.2), by the library's own code.
    if [ ! -s "$run/test-rows.txt" ]; then
      "$PYTHON" "$here/peers.py" labels "$path" "$label" > "$run/labels.txt"
      dotnet run "$here/split.cs" -- "$run/labels.txt" 0.2 "$seed" > "$run/test-rows.txt"
      rm "$run/labels.txt"
    fi
    "$PYTHON" "$here/peers.py" test-csv "$path" "$run/test-rows.txt" "$tmp/test.csv"
    if [ ! -s "$run/sklearn.json" ]; then
      l0=$(load); t0=$(now)
      "$PYTHON" "$here/peers.py" fit "$path" "$text" "$label" "$run/test-rows.txt" "$seed" "$run/sklearn.json" 2> "$run/sklearn.err" || { echo "   sklearn failed: $(tail -2 "$run/sklearn.err")"; continue; }
      echo "sklearn $l0 $(load) $(echo "$(now) - $t0" | bc)" >> "$run/steps.txt"
    fi
    # The tool's defaults: nothing but the data, the columns and the seed that fixes the split (and where its outputs go).
    for kind in defaults pretrained; do
      json=$run/tool-$kind.json
      if [ "$kind" = pretrained ] && [ -n "$pretrained" ]; then echo "   tool with a pre-trained LM: $pretrained"; echo "$pretrained" > "$run/tool-pretrained.skipped"; continue; fi
      rm -f "$run/tool-pretrained.skipped"
      [ -s "$json" ] && { echo "   tool ($kind): done before, kept"; continue; }
      args=(classify train "$path" --text "$text" --label "$label" --seed "$seed" --json --plot '' -o "$tmp/model-$kind.safetensors")
      [ "$kind" = defaults ] || args+=(--pretrained "$PRETRAINED")
      l0=$(load); t0=$(now)
      $LSTM "${args[@]}" > "$json.part" 2> "$run/tool-$kind.err" || { echo "   tool ($kind) failed: $(tail -2 "$run/tool-$kind.err")"; continue; }
      echo "tool-$kind $l0 $(load) $(echo "$(now) - $t0" | bc)" >> "$run/steps.txt"
      # The check that the tool's test part is the peers' one: the saved model on test.csv alone gives the same scores.
      $LSTM classify evaluate "$tmp/test.csv" -m "$tmp/model-$kind.safetensors" --json > "$run/tool-$kind-check.json" 2>> "$run/tool-$kind.err"
      mv "$json.part" "$json"; rm -f "$tmp/model-$kind.safetensors"
      echo "   tool ($kind): accuracy $(jq .test.accuracy "$json"), macro-F1 $(jq .test.macro_f1 "$json"), kept epoch $(jq -c .training.kept_epoch "$json") of $(jq -c .training.epochs_run "$json"), $(jq .training.seconds "$json") s;" \
        "on test.csv alone: accuracy $(jq .result.accuracy "$run/tool-$kind-check.json")"
    done
  done 3< <(grep -v '^#' "$here/datasets.txt")
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%T))" >> "$work/machine.txt"
"$PYTHON" "$here/report.py" "$work" "$out" "$here/datasets.txt"
