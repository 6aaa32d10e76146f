#!/usr/bin/env python3
"""Peer of `bone bench --peer`: the same operations through PEFT 0.18.1's BoneLinear on PyTorch (CPU).

Prints one JSON line {"torch": version, "peft": version, "threads": n}, then answers each JSON line
it reads, {"runs": k, "seconds": t, "case": {"op": ..., "out": o, "in": i, "r": r, "dtype":
"float32"|"float16"|"bfloat16", "batch": n}} with op one of "bone-merge-unmerge", "bat-merge-unmerge",
"bone-forward", "bat-forward" (a forward with the adapter unmerged, for BAT one that merges into a copy
of W), with one JSON line {"seconds": [run, ...]}: at least k timed runs, and more until they add up
to t seconds (as the bench does on its side); it ends at the end of its input. The bench asks case by
case, right after timing its own side of the case, so that both columns of a row are measured in
the same minute of the machine's life. Inputs are random; only the time is compared.
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


def time_case(case, runs, least_seconds):
    torch.manual_seed(0)
    layer = make_layer(case)
    seconds = []
    if case["op"].endswith("forward"):
        x = torch.randn(case["batch"], case["in"]).to(DTYPES[case["dtype"]])
        with torch.no_grad():
            layer(x)  # warm-up
            while len(seconds) < runs or sum(seconds) < least_seconds:
                start = time.perf_counter()
                layer(x)
                seconds.append(time.perf_counter() - start)
    else:
        with torch.no_grad():
            while len(seconds) < runs or sum(seconds) < least_seconds:
                start = time.perf_counter()
                layer.merge()
                layer.unmerge()
                seconds.append(time.perf_counter() - start)
    return seconds


def answer(value):
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def main():
    answer({"torch": torch.__version__, "peft": peft.__version__, "threads": torch.get_num_threads()})
    for line in sys.stdin:
        if line.strip():
            request = json.loads(line)
            answer({"seconds": time_case(request["case"], request["runs"], request.get("seconds", 0))})


if __name__ == "__main__":
    main()
