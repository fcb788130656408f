"""Prints, for the GPU and the TPU classes, the medians of the achievable fractions the registry's
records of that class carry (from a `zooc --emit=json` file): the memory fraction, and the 16-bit
matrix fraction of each device (bf16 where it has one, else fp16). Each class's defaults must be
these."""
import json
import statistics
import sys

doc = json.load(open(sys.argv[1]))
for cls in ("gpu", "tpu"):
    memory, matrix = [], []
    for hw in doc["hardware"]:
        if hw["class"] != cls:
            continue
        for section in hw["sections"]:
            if section["kind"] != "efficiency":
                continue
            f = section["fields"]
            if "memory" in f:
                memory.append(f["memory"])
            if "bf16" in f or "fp16" in f:
                matrix.append(f.get("bf16", f.get("fp16")))
    print("%s: memory %.3f of %d, matrix %.3f of %d" % (
        cls, statistics.median(memory), len(memory), statistics.median(matrix), len(matrix)))
