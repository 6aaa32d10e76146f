#!/usr/bin/env bash
# Installs the pinned peers into virtual environments at the project root:
#   .venv-peft       torch 2.13.0+cpu + peft 0.18.1 (BoneLinear; also used by `bone bench --peer`)
#   .venv-peft-miss  torch 2.13.0+cpu + peft 0.21.2 (MissLinear)
# PyPI serves PyTorch's CPU build as torch==2.13.0+cpu. Idempotent: an environment that already
# has the pinned versions is left alone.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
install() {
  local venv="$1" peft_version="$2"
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch, peft; assert torch.__version__ == '2.13.0+cpu' and peft.__version__ == '$peft_version'" 2>/dev/null; then
    echo "ready: $venv (peft $peft_version)"
    return
  fi
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q "torch==2.13.0+cpu" "peft==$peft_version"
  "$venv/bin/python" -c "import torch, peft; print('$venv: torch', torch.__version__, 'peft', peft.__version__)"
}
install "$root/.venv-peft" 0.18.1
install "$root/.venv-peft-miss" 0.21.2
