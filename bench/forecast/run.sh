#!/usr/bin/env bash
# The forecasting benchmark: `lstm forecast train` with its defaults (one step, then one season ahead) against R's
# automatic forecasters (peers.R) on the same split, origins and MASE scale, every series in series.txt.
#   bench/forecast/run.sh [OUT_DIR]    (LSTM= the tool, DATA= the shared data folder, ONLY= series names,
#   PROPHET_FITS=3, MAX_ORIGINS=40, ONLY_H= one horizon, LSTM_ARGS= options added to every `forecast train`, e.g.
#   '--quantiles 0.05,0.1,0.9,0.95'; a run whose results are there already is kept, so a stopped run resumes)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
LSTM=${LSTM:-lstm}
DATA=${DATA:-$here/../../../shared/data}
out=${1:-$here/../results/$(bash "$here/cpu-slug.sh")}
work=$out/forecast-runs
mkdir -p "$work"
export TZ=UTC   # Prophet asks timedatectl otherwise
# The ECG slice: the first 10 s (3600 samples at 360 Hz) of the 5-minute record.
head -n 3601 "$DATA/sequences/ecg_mitbih208_360hz.csv" > "$work/ecg-10s.csv"
{ echo "date: $(date -u +%FT%TZ)"; echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "tool: $($LSTM --version 2>/dev/null | head -1)"; echo "tool options: ${LSTM_ARGS:-defaults}"; echo "tool commit: ${TOOL_COMMIT:-$(git -C "$here" rev-parse HEAD)}"
  echo "R: $(Rscript -e 'cat(R.version.string, "forecast", format(packageVersion("forecast")), "prophet", format(packageVersion("prophet")))')"
  lscpu | grep -E '^(Model name|CPU family|Model|CPU\(s\)|Thread)'; } >> "$work/machine.txt"   # one block per start (runs resume)

grep -v '^#' "$here/series.txt" | while IFS='|' read -r name file target dates missing h2 periods; do
  name=$(echo $name); file=$(echo $file); target=$(echo $target); dates=$(echo $dates); missing=$(echo $missing); h2=$(echo $h2); periods=$(echo $periods)
  [ -n "$name" ] || continue
  [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $name "* ]] || continue
  path=$DATA/$file; [ -f "$path" ] || path=$work/$file
  season=0
  for h in 1 $h2; do
    run=$work/$name-h$h
    if [ -n "${ONLY_H:-}" ] && [ "$h" != "$ONLY_H" ]; then [ -s "$run.lstm.json" ] && season=$(jq .season "$run.lstm.json"); continue; fi
    if [ -s "$run.r.json" ] && [ -s "$run.lstm.json" ]; then season=$(jq .season "$run.lstm.json"); echo "== $name h=$h: done before, kept"; continue; fi
    echo "== $name h=$h ($(date -u +%T), load $(cut -d' ' -f1 /proc/loadavg))"
    # The tool's defaults; only the target, the missing-value policy (co2 weekly has gaps) and the horizon are given.
    # The second run takes the season the first detected, so both horizons share the MASE scale.
    args=(forecast train "$path" --target "$target" --missing "$missing" --horizon "$h" --json --plot '' -o "$run.safetensors")
    [ "$season" = 0 ] || args+=(--season "$season")
    # shellcheck disable=SC2206   # LSTM_ARGS is a list of words
    args+=(${LSTM_ARGS:-})
    $LSTM "${args[@]}" > "$run.lstm.json" 2> "$run.lstm.err" || { echo "   lstm failed: $(tail -2 "$run.lstm.err")"; continue; }
    season=$(jq .season "$run.lstm.json"); test=$(jq .test_rows "$run.lstm.json")
    echo "   lstm: season $season, test $test rows, MASE $(jq '.test.LSTM.mase' "$run.lstm.json"), $(jq .training.seconds "$run.lstm.json") s"
    # Long test parts: the peers and the LSTM are scored at MAX_ORIGINS evenly spaced origins, the LSTM's forecasts
    # there made by `lstm forecast predict` with the trained model from the rows before each origin.
    count=$((test - h + 1)); picked=""
    if [ "$count" -gt "${MAX_ORIGINS:-40}" ]; then
      picked=$run.lstm-origins.csv; : > "$picked"
      k=${MAX_ORIGINS:-40}; rows=$(jq .rows "$run.lstm.json")
      for ((i = 0; i < k; i++)); do
        t=$((rows - test + i * (count - 1) / (k - 1)))
        head -n $((t + 1)) "$path" > "$run.history.csv"
        echo "$t,$($LSTM forecast predict "$run.history.csv" -m "$run.safetensors" -o - --json --quiet 2>/dev/null | jq -r '[.forecast[].value] | join(",")')" >> "$picked"
      done
      rm -f "$run.history.csv"
      echo "   lstm: forecasts at $k of $count origins by forecast predict"
    fi
    grep -q ',$\|,,' "$picked" 2>/dev/null && echo "   lstm: forecast predict failed at some origins: see $picked"
    Rscript "$here/peers.R" "$path" "$target" "$dates" "$missing" "$test" "$season" "$h" "$periods" "${PROPHET_FITS:-3}" "$run.r.json" "$picked" > "$run.r.log" 2>&1 \
      || echo "   R failed: $(tail -2 "$run.r.log")"
    grep -E ' s$|failed' "$run.r.log" | tr '\n' ' ' | sed 's/^/   R: /'; echo
    rm -f "$run.safetensors"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%T))" >> "$work/machine.txt"
Rscript "$here/report.R" "$work" "$out" "$here/series.txt" "$DATA"
