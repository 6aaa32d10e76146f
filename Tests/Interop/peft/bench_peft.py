#!/usr/bin/env python3
"""Peer of `bone bench --peer`: the same operations through PEFT 0.18.1's BoneLinear on PyTorch (CPU).

Reads one JSON object from stdin: {"runs": k, "cases": [{"op": ..., "out": o, "in": i, "r": r,
"dtype": "float32"|"float16"|"bfloat16", "batch": n}]}, with op one of "bone-merge-unmerge",
"bat-merge-unmerge", "bone-forward". Prints {"seconds": [[run, ...] per case], "torch": version,
"peft": version, "threads": n}. Inputs are random; only the time is compared.
"""
import json
import sys
import time

import torch
import peft
from peft.tuners.bone.layer import BoneLinear

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def make_layer(case):
    dtype = DTYPES[case["dtype"]]
    base = torch.nn.Linear(case["in"], case["out"], bias=True).to(dtype)
    variant = "bat" if case["op"].startswith("bat") else True
    layer = BoneLinear(base, "default", r=case["r"], init_weights=variant)
    with torch.no_grad():
        block = layer.bone_block["default"]
        block.copy_((torch.rand(block.shape) - 0.5).to(dtype) * 0.02)
    layer.requires_grad_(False)
    return layer


def time_case(case, runs):
    torch.manual_seed(0)
    layer = make_layer(case)
    seconds = []
    if case["op"] == "bone-forward":
        x = torch.randn(case["batch"], case["in"]).to(DTYPES[case["dtype"]])
        with torch.no_grad():
            layer(x)  # warm-up
            for _ in range(runs):
                start = time.perf_counter()
                layer(x)
                seconds.append(time.perf_counter() - start)
    else:
        with torch.no_grad():
            for _ in range(runs):
                start = time.perf_counter()
                layer.merge()
                layer.unmerge()
                seconds.append(time.perf_counter() - start)
    return seconds


def main():
    request = json.load(sys.stdin)
    results = [time_case(case, request["runs"]) for case in request["cases"]]
    json.dump({"seconds": results, "torch": torch.__version__, "peft": peft.__version__,
               "threads": torch.get_num_threads()}, sys.stdout)


if __name__ == "__main__":
    main()
