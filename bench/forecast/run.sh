#!/usr/bin/env bash
# The forecasting benchmark: `lstm forecast train` with its defaults (one step, then one season ahead) against R's
# automatic forecasters (peers.R) on the same split, origins and MASE scale, every series in series.txt.
#   bench/forecast/run.sh [OUT_DIR]    (LSTM= the tool, DATA= the shared data folder, ONLY= a series name, PROPHET_FITS=3)
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
  echo "tool: $($LSTM --version 2>/dev/null | head -1)"; echo "tool commit: ${TOOL_COMMIT:-$(git -C "$here" rev-parse HEAD)}"
  echo "R: $(Rscript -e 'cat(R.version.string, "forecast", format(packageVersion("forecast")), "prophet", format(packageVersion("prophet")))')"
  lscpu | grep -E '^(Model name|CPU family|Model|CPU\(s\)|Thread)'; } > "$work/machine.txt"

grep -v '^#' "$here/series.txt" | while IFS='|' read -r name file target dates missing h2 periods; do
  name=$(echo $name); file=$(echo $file); target=$(echo $target); dates=$(echo $dates); missing=$(echo $missing); h2=$(echo $h2); periods=$(echo $periods)
  [ -n "$name" ] || continue
  [ -z "${ONLY:-}" ] || [ "$ONLY" = "$name" ] || continue
  path=$DATA/$file; [ -f "$path" ] || path=$work/$file
  season=0
  for h in 1 $h2; do
    run=$work/$name-h$h
    echo "== $name h=$h ($(date -u +%T), load $(cut -d' ' -f1 /proc/loadavg))"
    # The tool's defaults; only the target, the missing-value policy (co2 weekly has gaps) and the horizon are given.
    # The second run takes the season the first detected, so both horizons share the MASE scale.
    args=(forecast train "$path" --target "$target" --missing "$missing" --horizon "$h" --json --plot '' -o "$run.safetensors")
    [ "$season" = 0 ] || args+=(--season "$season")
    $LSTM "${args[@]}" > "$run.lstm.json" 2> "$run.lstm.err" || { echo "   lstm failed: $(tail -2 "$run.lstm.err")"; continue; }
    season=$(jq .season "$run.lstm.json"); test=$(jq .test_rows "$run.lstm.json")
    echo "   lstm: season $season, test $test rows, MASE $(jq '.test.LSTM.mase' "$run.lstm.json"), $(jq .training.seconds "$run.lstm.json") s"
    Rscript "$here/peers.R" "$path" "$target" "$dates" "$missing" "$test" "$season" "$h" "$periods" "${PROPHET_FITS:-3}" "$run.r.json" > "$run.r.log" 2>&1 \
      || echo "   R failed: $(tail -2 "$run.r.log")"
    grep -E ' s$|failed' "$run.r.log" | tr '\n' ' ' | sed 's/^/   R: /'; echo
    rm -f "$run.safetensors"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/machine.txt"
Rscript "$here/report.R" "$work" "$out" "$here/series.txt"
