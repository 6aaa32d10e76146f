#!/usr/bin/env python3
"""Peer of `bone bench-exact`: the exact BAT merge in Python's fractions.Fraction.

Reads one JSON object from stdin:
  {"size": n, "rank": r, "runs": k, "weight": [hex float32 bits, row-major n*n],
   "blocks": [hex float32 bits, (n/r) blocks of r*r, row-major]}
Computes every tile T -> T @ (I + B_a) + B_a exactly (Spec/BONE.md BAT-MERGE-1), k times,
and prints one JSON object: {"seconds": [...], "checksum": "p/q"}, where the checksum is the
exact sum of all merged entries, for comparison with the Swift run on the same inputs.
"""
import json
import struct
import sys
import time
from fractions import Fraction


def exact_float32(hex_bits):
    return Fraction(struct.unpack("<f", struct.pack("<I", int(hex_bits, 16)))[0])


def bat_merge(weight, blocks, n, r):
    result = [row[:] for row in weight]
    for a, block in enumerate(blocks):
        for k in range(n // r):
            for i in range(r):
                row = a * r + i
                w = weight[row]
                for j in range(r):
                    total = w[k * r + j] + block[i][j]
                    for m in range(r):
                        total += w[k * r + m] * block[m][j]
                    result[row][k * r + j] = total
    return result


def main():
    request = json.load(sys.stdin)
    n, r, runs = request["size"], request["rank"], request["runs"]
    flat = [exact_float32(h) for h in request["weight"]]
    weight = [flat[i * n:(i + 1) * n] for i in range(n)]
    flat_blocks = [exact_float32(h) for h in request["blocks"]]
    blocks = [[flat_blocks[a * r * r + i * r:a * r * r + (i + 1) * r] for i in range(r)] for a in range(n // r)]
    seconds = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = bat_merge(weight, blocks, n, r)
        seconds.append(time.perf_counter() - start)
    checksum = sum((value for row in result for value in row), Fraction(0))
    text = str(checksum.numerator) if checksum.denominator == 1 else f"{checksum.numerator}/{checksum.denominator}"
    json.dump({"seconds": seconds, "checksum": text}, sys.stdout)


if __name__ == "__main__":
    main()
