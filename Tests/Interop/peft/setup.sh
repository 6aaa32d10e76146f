#!/usr/bin/env bash
# Installs the pinned peers into a virtual environment (default .venv-peft at the project root):
# PyTorch's CPU build (torch 2.13.0+cpu, which PyPI serves) and peft 0.18.1 (BONE) with its
# dependencies. Idempotent: an environment that already has both is left alone.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
venv="${1:-$root/.venv-peft}"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch, peft; assert torch.__version__ == '2.13.0+cpu' and peft.__version__ == '0.18.1'" 2>/dev/null; then
  echo "peers ready in $venv"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q "torch==2.13.0+cpu" "peft==0.18.1"
"$venv/bin/python" -c "import torch, peft; print('torch', torch.__version__, 'peft', peft.__version__)"
