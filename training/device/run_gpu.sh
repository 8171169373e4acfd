#!/usr/bin/env bash
# One call of the training run on a lent device. Every call runs this same command; the pipeline
# resumes from its checkpoints and pauses (exit 75) before the device's 10-minute limit.
#
#   bash training/device/run_gpu.sh             on the device, as each call's command (README.md here)
#   bash training/device/run_gpu.sh --dry-run   here: the whole sequence at tiny scale, with the calls,
#                                               the SFT file, the corpus parts that arrive late, and
#                                               the bring-back
set -euo pipefail
cd "$(dirname "$0")/../.."
# The project's virtual environment here; the image's python3 on the device, where .venv does not travel.
PY=${PYTHON:-$([[ -x .venv/bin/python ]] && echo .venv/bin/python || echo python3)}
PAUSED=75

# $1: carried data folder, $2: folder handed back, $3: the runs folder, $4...: the pipeline's other
# arguments. Returns the pipeline's status.
one_call() {
  local data=$1 out=$2 runs=$3 rc=0
  shift 3
  mkdir -p "$out" "$runs"
  out=$(cd "$out" && pwd)
  # Explicit: errexit does not apply inside a function called from an || list.
  "$PY" -m training.device.check --data "$data" ${NEED_GPU:+--need-gpu} || return $?
  PERFOPT_SHARED_DATA=$data/shared PYTHONUNBUFFERED=1 \
    "$PY" -m training.pipeline "$@" --runs "$runs" --stop-after "$STOP_AFTER" || rc=$?
  # Logs come back after every call: if the machine is lost later, what was learned is not.
  (cd "$runs" && find . \( -name '*.jsonl' -o -name '*.json' \) -not -path '*/checkpoint/*' \
    -not -path '*/judge-*' | tar czf "$out/logs.tar.gz" -T -) || true
  return $rc
}

if [[ ${1:-} != --dry-run ]]; then
  : "${OUT:?set by the device tool; run this there, or pass --dry-run here}"
  STOP_AFTER=${STOP_AFTER:-560} NEED_GPU=1
  rc=0
  one_call runs/device "$OUT" runs/gpu --scale gpu --config training/device/gpu.toml || rc=$?
  if [[ $rc == "$PAUSED" ]]; then
    echo "PAUSED: make the next call now (within 30 s), carrying what pretokenize's plan gives it, if anything"
    exit 0
  fi
  [[ $rc == 0 ]] || exit $rc
  "$PY" -m training.device.pack send perfopt/models/perfopt-t5-small --out "$OUT" --part 1
  exit 0
fi

# The dry run: the device's sequence here, on the CPU, in runs/device-dry, in seconds rather than minutes.
DATA=runs/device-dry
STOP_AFTER=${STOP_AFTER:-25}
rm -rf "$DATA" "$DATA-rendered.jsonl.xz"
# The data engine's rendered examples when this machine has them, cut to a few thousand rows; a fresh
# checkout has none, and the tiny fixture rendered the same way stands in.
sft_from=runs/data/rendered-lines.jsonl.xz
if [[ ! -f $sft_from ]]; then
  sft_from=$DATA-rendered.jsonl.xz
  "$PY" -m training.data.render --pairs training/fixtures/tiny/pairs.jsonl --format lines --out "$sft_from"
fi
"$PY" -m training.device.pretokenize --out "$DATA" --max-files 200 --parts 3 --sft-from "$sft_from" --sft-mib 0.2
# As on the device, the first call has corpus part 1 (and the SFT file); the other parts arrive with the second.
mkdir "$DATA/later"
mv "$DATA/corpus/part-2" "$DATA/corpus/part-3" "$DATA/later/"
args=(--scale tiny --config training/device/dry-run.toml)
pauses=0
for call in 1 2 3 4 5 6 7 8 9 10 11 12; do
  rc=0
  one_call "$DATA" "$DATA/out-$call" "$DATA/runs" "${args[@]}" || rc=$?
  [[ -d $DATA/later ]] && { mv "$DATA"/later/* "$DATA/corpus/" && rmdir "$DATA/later"; }
  [[ $rc == "$PAUSED" ]] && { pauses=$((pauses + 1)); continue; }
  [[ $rc == 0 ]] || exit $rc
  break
done
[[ $rc == 0 ]] || { echo "dry run: still paused after $call calls" >&2; exit 1; }
model="$DATA/runs/models/perfopt-tiny"
parts=0
for part in 1 2 3 4 5 6 7 8; do
  "$PY" -m training.device.pack send "$model" --out "$DATA/back-$part" --part "$part" --staging "$DATA/bring-back"
  parts=$part
  "$PY" -c "import json,sys; sys.exit(json.load(open('$DATA/back-$part/pack.json'))['parts'] <= $part)" || break
done
"$PY" -m training.device.pack receive "$DATA"/back-* --into "$DATA/received"
"$PY" -c "
from perfopt.generation.model import load_model
m = load_model('$DATA/received/perfopt-tiny')
print('dry run: the brought-back model loads;', m.target_format.value, 'format')"
echo "dry run: done in $call calls ($pauses paused), model brought back in $parts part(s)"
