#!/usr/bin/env bash
# Retrains the learned anomaly model from scratch: pinned venv under ~/.cache/pharos, fixed seeds.
# Usage: bash ml/train.sh   (a few minutes on one core; runs under nice)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${PHAROS_ML_VENV:-$HOME/.cache/pharos/ml-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
# One thread: the result must not depend on the machine's core count, and the machine is shared.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
cd "$here"
exec nice "$venv/bin/python" train.py
