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
         "batched serving throughput": "serving", "vision (batch 1 and large batch)": "vision",
         "Apple M-series GPUs, batch-1 decode and prefill (llama.cpp, Metal)": "Apple M-series GPUs",
         "microcontrollers (MLPerf Tiny, INT8; Cortex-M7, M4 and M33)": "tinyml"}
# A regime with Apple rows is stated without them (they have their own line).
for page, group in list(names.items()):
    if group + ", without Apple M-series GPUs" in gen:
        names[page] = group + ", without Apple M-series GPUs"
for line in section.splitlines():
    c = [x.strip() for x in line.strip().strip("|").split("|")]
    if len(c) == 4 and c[0] in names:
        own = re.match(r"[0-9.]+%", c[2]).group(0), re.match(r"[0-9.]+%", c[3]).group(0)
        g = gen.get(names[c[0]])
        print(f"{c[0]}: " + ("same" if own == g else f"differs: {own} against {g}"))

# Rows the page names with their error in parentheses, "`Row` (+59%)", are checked against the
# row's expected error in the generated table, at the precision the page writes: prose written
# about a row cannot keep a figure the table no longer prints.
errors = {}
for line in open(sys.argv[2]):
    c = [x.strip() for x in line.strip().strip("|").split("|")]
    if len(c) == 11 and c[7].endswith("%"):
        errors[c[0]] = float(c[7].rstrip("%"))
checked, differ = 0, []
for name, written in re.findall(r"`(\w+)` \(([+-][0-9.]+)%\)", doc):
    if name not in errors:
        continue
    checked += 1
    decimals = len(written.split(".")[1]) if "." in written else 0
    # The table's figure is itself rounded to 0.1: allow both roundings.
    if abs(errors[name] - float(written)) > 0.5 * 10**-decimals + 0.05:
        differ.append(f"{name} {written}% against {errors[name]:+.1f}%")
print(f"rows named with their error: {checked}, " + (", ".join(differ) or "all same"))
