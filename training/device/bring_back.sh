#!/usr/bin/env bash
# Bring the trained model back in parts of at most 64 MiB (training/device/README.md).
#
#   bash training/device/bring_back.sh send N             on the device: part N's pieces into $OUT
#   bash training/device/bring_back.sh receive DIR...     here: check every hash, reassemble, install
#                                                         into perfopt/models (DIRs: the calls' files_at)
set -euo pipefail
cd "$(dirname "$0")/../.."
# The project's virtual environment here; the image's python3 on the device, where .venv does not travel.
PY=${PYTHON:-$([[ -x .venv/bin/python ]] && echo .venv/bin/python || echo python3)}
case ${1:-} in
  send)
    : "${OUT:?set by the device tool}"
    exec "$PY" -m training.device.pack send perfopt/models/perfopt-t5-small --out "$OUT" --part "${2:?part number}"
    ;;
  receive)
    shift
    "$PY" -m training.device.pack receive "$@" --into perfopt/models
    # The card and logs came with the model; the runs' logs with every call.
    mkdir -p runs/gpu
    for d in "$@"; do [[ -f $d/logs.tar.gz ]] && tar xzf "$d/logs.tar.gz" -C runs/gpu; done
    echo "installed perfopt/models/perfopt-t5-small; read its MODEL_CARD.md, then commit it"
    ;;
  *)
    echo "usage: bring_back.sh send N | receive DIR..." >&2
    exit 2
    ;;
esac
