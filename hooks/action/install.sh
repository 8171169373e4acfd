#!/usr/bin/env bash
# Installs perfopt for the GitHub Action into its own venv: CPU torch only (the pinned
# torch==2.13.0 from the CPU index; an unpinned torch pulls gigabytes of CUDA wheels).
set -euo pipefail
action_path="$1"
timer="${2:-cost}"
if { [ "$timer" = cost ] || [ "$timer" = instructions ]; } && ! command -v valgrind >/dev/null; then
    sudo apt-get install -y -qq valgrind >/dev/null
fi
python -m venv "$action_path/.perfopt-venv"
"$action_path/.perfopt-venv/bin/pip" install -q --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
"$action_path/.perfopt-venv/bin/pip" install -q "$action_path"
