#!/usr/bin/env python3
"""A minimal bone-testee/1 testee (Spec/TESTEE.md): BONE layers in float32, pure Python.

It supports addAdapter (BONE only), merge (safe or not), unmerge and readWeight; any case with
another op or variant is skipped. float32 sums are rounded with struct (round to nearest even,
overflow to infinity), so merges are bit-exact."""
import json
import math
import struct
import sys


def f32(hex_bits):
    return struct.unpack("<f", struct.pack("<I", int(hex_bits, 16)))[0]


def to_hex(value):
    try:
        packed = struct.pack("<f", value)
    except OverflowError:  # rounds to infinity
        packed = struct.pack("<f", math.copysign(math.inf, value))
    return format(struct.unpack("<I", packed)[0], "08x")


def run(case):
    weight = [[f32(h) for h in row] for row in case["layer"]["weight"]]
    adapters, merged, outcomes = {}, [], []
    for step in case["steps"]:
        op = step["op"]
        if op == "addAdapter":
            if step["variant"] != "bone":
                return None
            if step["rank"] <= 0:
                outcomes.append({"error": "invalidRank"})
                continue
            if step["name"] in adapters:
                outcomes.append({"error": "duplicateAdapter"})
                continue
            block = step.get("block") or [[["00000000"] * len(weight)] * step["rank"]]
            adapters[step["name"]] = [[f32(h) for h in row] for row in block[0]]
            outcomes.append({})
        elif op in ("merge", "unmerge"):
            if step.get("names") is not None:
                return None
            names = [n for n in adapters if n not in merged] if op == "merge" else list(reversed(merged))
            result = [row[:] for row in weight]
            for name in names:
                b, sign = adapters[name], (1 if op == "merge" else -1)
                for o, row in enumerate(result):
                    for c in range(len(row)):
                        row[c] = f32(to_hex(row[c] + sign * b[c % len(b)][o]))
            if step.get("safe") and not all(math.isfinite(v) for row in result for v in row):
                outcomes.append({"error": "nonFiniteMerge"})
                continue
            weight = result
            merged = merged + names if op == "merge" else []
            outcomes.append({"weight": [[to_hex(v) for v in row] for row in weight]})
        elif op == "readWeight":
            outcomes.append({"weight": [[to_hex(v) for v in row] for row in weight]})
        else:
            return None
    return outcomes


for line in sys.stdin:
    request = json.loads(line)
    if request["type"] == "hello":
        reply = {"type": "hello", "protocol": "bone-testee/1", "name": "example", "version": "1",
                 "dtypes": ["float32"], "policies": ["cpu"]}
    else:
        outcomes = run(request)
        reply = ({"type": "result", "id": request["id"], "outcomes": outcomes} if outcomes is not None
                 else {"type": "skipped", "id": request["id"], "reason": "only BONE merge/unmerge/readWeight"})
    print(json.dumps(reply), flush=True)
