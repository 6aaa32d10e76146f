#!/usr/bin/env python3
"""Peer of `bone bench --peer`: the same operations through PEFT 0.18.1's BoneLinear on PyTorch (CPU).

Prints one JSON line {"torch": version, "peft": version, "threads": n}, then answers each JSON line
it reads, {"runs": k, "seconds": t, "case": {"op": ..., "out": o, "in": i, "r": r, "dtype":
"float32"|"float16"|"bfloat16", "batch": n}} with op one of "bone-merge-unmerge", "bat-merge-unmerge",
"bone-forward", "bat-forward" (a forward with the adapter unmerged, for BAT one that merges into a copy
of W), with one JSON line {"seconds": [run, ...]}: at least k timed runs, and more until they add up
to t seconds; it ends at the end of its input. The bench asks for a case in blocks, each right
after timing a block of its own, so that both columns of a row sample the same seconds of the
machine's life. The layer (and a forward's input) is kept while the same case is asked for again
and built when the case changes; a forward's block starts with one untimed run, as the bench's do.
Inputs are random; only the time is compared.
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


class CaseTimer:
    """Times blocks of runs of one case at a time; the case's layer lives until another case is asked for."""

    def __init__(self):
        self.key = None
        self.layer = None
        self.x = None

    def prepare(self, case):
        key = json.dumps(case, sort_keys=True)
        if key == self.key:
            return
        self.key, self.layer, self.x = None, None, None  # the last case's tensors go first
        torch.manual_seed(0)
        self.layer = make_layer(case)
        if case["op"].endswith("forward"):
            self.x = torch.randn(case["batch"], case["in"]).to(DTYPES[case["dtype"]])
        self.key = key

    def seconds(self, case, runs, least_seconds):
        self.prepare(case)
        layer, x = self.layer, self.x
        seconds = []
        with torch.no_grad():
            if x is not None:
                layer(x)  # untimed: brings W back into the caches after the bench's block
            while len(seconds) < runs or sum(seconds) < least_seconds:
                start = time.perf_counter()
                if x is not None:
                    layer(x)
                else:
                    layer.merge()
                    layer.unmerge()
                seconds.append(time.perf_counter() - start)
        return seconds


def answer(value):
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def main():
    answer({"torch": torch.__version__, "peft": peft.__version__, "threads": torch.get_num_threads()})
    timer = CaseTimer()
    for line in sys.stdin:
        if line.strip():
            request = json.loads(line)
            answer({"seconds": timer.seconds(request["case"], request["runs"], request.get("seconds", 0))})


if __name__ == "__main__":
    main()
