#!/usr/bin/env bash
# Creates the Python venvs the output is checked against (test/python): Hugging Face `datasets`
# (what LLaMA-Factory loads shards with) and `pyarrow` (Parquet), from PyPI:
#   .cache/venv                  datasets 4.4.1 (the current release we pin)
#   .cache/venv-datasets-4.0.0   datasets 4.0.0 (LLaMA-Factory pins datasets<=4.0.0)
#   .cache/venv-datasets-3.6.0   datasets 3.6.0 (the last 3.x, still common in trainer images)
# Idempotent: a venv whose stamp matches its pins is reused as it is.
# Usage: bash scripts/python-env.sh   (prints VENV_PYTHON_<version>=<path> lines, then VENV_PYTHON=<path> last)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
PYVER="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
# Pinned: these install from wheels on CPython 3.11 (manylinux x86_64).
PYARROW=pyarrow==21.0.0

# make_venv <dir> <pins...>: prints the venv's python
make_venv() {
  local venv="$1"; shift
  local stamp="$venv/.cmtmedqa-pins" want="$PYVER $*"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] \
    && "$venv/bin/python" -c 'import datasets, pyarrow' >/dev/null 2>&1; then
    echo "$venv/bin/python"
    return
  fi
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
  "$venv/bin/python" -c 'import datasets, pyarrow; print("datasets", datasets.__version__, "pyarrow", pyarrow.__version__)' >&2
  echo "$want" > "$stamp"
  echo "$venv/bin/python"
}

for v in 3.6.0 4.0.0; do
  echo "VENV_PYTHON_${v//./_}=$(make_venv "$ROOT/.cache/venv-datasets-$v" "datasets==$v" "$PYARROW")"
done
echo "VENV_PYTHON=$(make_venv "${CMT_VENV:-$ROOT/.cache/venv}" datasets==4.4.1 "$PYARROW")"
