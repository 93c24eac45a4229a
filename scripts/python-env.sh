#!/usr/bin/env bash
# Creates .cache/venv with the Python consumers the output is checked against (test/python):
# Hugging Face `datasets` (what LLaMA-Factory loads shards with) and `pyarrow` (Parquet).
# Idempotent: a venv whose stamp matches the pinned versions is reused as it is.
# Usage: bash scripts/python-env.sh        (prints VENV_PYTHON=<path> as its last line)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CMT_VENV:-$ROOT/.cache/venv}"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
# Pinned: these install from wheels on CPython 3.11 (manylinux x86_64).
PINS=(datasets==4.4.1 pyarrow==21.0.0)
STAMP="$VENV/.cmtmedqa-pins"
WANT="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])') ${PINS[*]}"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]] \
  && "$VENV/bin/python" -c 'import datasets, pyarrow' >/dev/null 2>&1; then
  echo "VENV_PYTHON=$VENV/bin/python"
  exit 0
fi

mkdir -p "$(dirname "$VENV")"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
"$VENV/bin/python" -c 'import datasets, pyarrow; print("datasets", datasets.__version__, "pyarrow", pyarrow.__version__)'
echo "$WANT" > "$STAMP"
echo "VENV_PYTHON=$VENV/bin/python"
