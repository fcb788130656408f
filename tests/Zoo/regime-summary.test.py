# Compares the regime rows of docs/validation.md's "Against the targets" table with the held-out
# rows `zooc --emit=validation` prints (argv[2]); prints "<regime>: same" or what differs.
import re
import sys

doc = open(sys.argv[1]).read()
gen = {}
for line in open(sys.argv[2]):
    c = [x.strip() for x in line.strip().strip("|").split("|")]
    if len(c) == 7 and re.fullmatch(r"\d+", c[1]):
        gen[c[0]] = (c[2], c[4])
section = doc[doc.index("## Against the targets"):]
names = {"batch-1 decode": "decode", "prefill (time to first token)": "prefill",
         "batched serving throughput": "serving", "vision (batch 1 and large batch)": "vision"}
for line in section.splitlines():
    c = [x.strip() for x in line.strip().strip("|").split("|")]
    if len(c) == 4 and c[0] in names:
        own = re.match(r"[0-9.]+%", c[2]).group(0), re.match(r"[0-9.]+%", c[3]).group(0)
        g = gen.get(names[c[0]])
        print(f"{c[0]}: " + ("same" if own == g else f"differs: {own} against {g}"))
