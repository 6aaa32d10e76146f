#!/usr/bin/env python3
"""A bone-testee/1 testee (Spec/TESTEE.md) that drives the real PEFT layers on PyTorch (CPU).

    python testee.py bone    # peft 0.18.1 BoneLinear (init_weights True / "bat")
    python testee.py miss    # peft 0.21.2 MissLinear, BONE's successor (same math, miss_ names)

Each case builds an nn.Linear of the case's dtype with the given weight and bias, wraps it in the
PEFT layer, runs the steps through PEFT's own methods (update_layer, set_adapter, merge, unmerge,
enable_adapters, forward) and reports encodings read back from the tensors. PEFT's exceptions are
mapped to the spec's error kinds where their meaning is unambiguous; anything else is reported as
`exception: <type>: <message>` so that a mismatch shows what PEFT did."""
import json
import sys
import warnings

import numpy
import torch

warnings.filterwarnings("ignore")
KIND = sys.argv[1] if len(sys.argv) > 1 else "bone"
if KIND == "miss":
    from peft.tuners.miss.layer import MissLinear as PeftLinear
    BLOCKS = "miss_block"
else:
    from peft.tuners.bone.layer import BoneLinear as PeftLinear
    BLOCKS = "bone_block"
import peft

DTYPES = {"float64": (torch.float64, torch.int64, 16), "float32": (torch.float32, torch.int32, 8),
          "float16": (torch.float16, torch.int16, 4), "bfloat16": (torch.bfloat16, torch.int16, 4)}


def tensor(rows, dtype):
    torch_dtype, int_dtype, digits = DTYPES[dtype]
    bits = [[int(h, 16) for h in row] for row in rows]
    unsigned = numpy.array(bits, dtype={4: numpy.uint16, 8: numpy.uint32, 16: numpy.uint64}[digits])
    signed = unsigned.view({4: numpy.int16, 8: numpy.int32, 16: numpy.int64}[digits])
    return torch.from_numpy(signed.copy()).view(torch_dtype)


def hexes(t, dtype):
    torch_dtype, int_dtype, digits = DTYPES[dtype]
    values = t.detach().to(torch_dtype).contiguous().view(int_dtype).numpy()
    mask = (1 << (4 * digits)) - 1
    return [[format(int(v) & mask, "0%dx" % digits) for v in row] for row in values]


def kind_of(error):
    text = str(error)
    if "positive integer" in text:
        return "invalidRank"
    if "fully divisible" in text:
        return "batShapeNotDivisible"
    if "must be less than or equal to in_features" in text:
        return "unsupportedRank"  # MiSS refuses r > in, which the vectors allow
    if "NaNs detected" in text:
        return "nonFiniteMerge"
    if "singular" in text or type(error).__name__ == "_LinAlgError":
        return "singularBlock"
    return "exception: %s: %s" % (type(error).__name__, text.splitlines()[0][:160] if text else "")


def make(base, step, layer):
    """The PEFT layer after adding the step's adapter: a new layer for the first adapter, else
    PEFT's update_layer on the existing one."""
    init = "bat" if step["variant"] == "bat" else True
    if KIND == "miss":
        # peft 0.21 passes the adapter's settings as a MissConfig.
        config = peft.MissConfig(r=step["rank"], init_weights=init, mini_r=1, miss_dropout=0.0)
        if layer is None:
            return PeftLinear(base, step["name"], config=config, r=step["rank"])
        layer.update_layer(step["name"], r=step["rank"], config=config)
        return layer
    if layer is None:
        return PeftLinear(base, step["name"], r=step["rank"], init_weights=init)
    layer.update_layer(step["name"], r=step["rank"], init_weights=init)
    return layer


def run(case):
    dtype = case["dtype"]
    weight = tensor(case["layer"]["weight"], dtype)
    bias = case["layer"].get("bias")
    base = torch.nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None).to(DTYPES[dtype][0])
    with torch.no_grad():
        base.weight.copy_(weight)
        if bias is not None:
            base.bias.copy_(tensor([bias], dtype)[0])
    layer = None
    outcomes = []
    for step in case["steps"]:
        op = step["op"]
        try:
            with torch.no_grad():
                if op == "addAdapter":
                    layer = make(base, step, layer)
                    if step.get("block") is not None:
                        blocks = [tensor(m, dtype) for m in step["block"]]
                        value = blocks[0] if step["variant"] == "bone" else torch.stack(blocks)
                        getattr(layer, BLOCKS)[step["name"]].data = value.clone()
                    outcomes.append({})
                elif op == "setActive":
                    layer.set_adapter(step.get("names") or [])
                    outcomes.append({})
                elif op == "merge":
                    layer.merge(safe_merge=bool(step.get("safe")), adapter_names=step.get("names"))
                    outcomes.append({"weight": hexes(layer.get_base_layer().weight, dtype)})
                elif op == "unmerge":
                    if layer.merged:
                        layer.unmerge()
                    outcomes.append({"weight": hexes(layer.get_base_layer().weight, dtype)})
                elif op == "disable":
                    layer.enable_adapters(False)
                    outcomes.append({"weight": hexes(layer.get_base_layer().weight, dtype)})
                elif op == "enable":
                    layer.enable_adapters(True)
                    outcomes.append({})
                elif op == "readWeight":
                    target = layer.get_base_layer() if layer is not None else base
                    outcomes.append({"weight": hexes(target.weight, dtype)})
                elif op == "forward":
                    x = tensor(step["input"], dtype)
                    y = (layer if layer is not None else base)(x)
                    outcomes.append({"output": hexes(y, dtype)})
                else:
                    return None
        except Exception as error:  # the spec's error kinds where PEFT's meaning is clear
            outcomes.append({"error": kind_of(error)})
    return outcomes


for line in sys.stdin:
    request = json.loads(line)
    if request["type"] == "hello":
        reply = {"type": "hello", "protocol": "bone-testee/1", "name": "peft %s %s" % (KIND, peft.__version__),
                 "version": "torch " + torch.__version__, "dtypes": list(DTYPES), "policies": ["cpu"]}
    else:
        outcomes = run(request)
        reply = ({"type": "result", "id": request["id"], "outcomes": outcomes} if outcomes is not None
                 else {"type": "skipped", "id": request["id"], "reason": "unsupported op"})
    print(json.dumps(reply), flush=True)
