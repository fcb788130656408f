"""Writes a file of exactly SIZE bytes whose models take the total expansion budget for that
size exactly (AT) or one past it (OVER), padded with a comment. Usage:
expansion_budget.py steps|nodes at|over SIZE OUT.zoo

steps: 8 steps per source byte. The loop takes 3 + N * 20 steps, the last `if` 2 + the number of
`!`; N = SIZE * 8 / 20 - 1 leaves 17 steps, so 15 `!` reach the budget and 16 go one past.
nodes: one layer node per 2 source bytes. A `for` is one node and one per iteration: models
`a` and `b` take 100,000 each, `c` the rest; OVER adds `d`, one node more.
"""
import sys

kind, which, size, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if kind == "steps":
    budget = size * 8
    n = budget // 20 - 1
    assert 3 + n * 20 + 17 == budget and n <= 100_000
    bangs = 15 if which == "at" else 16
    text = ("block b() {\n  for i in 0..%d { if %s == 0 {} }\n  if %strue {}\n}\nmodel m = b();\n"
            % (n, " + ".join(["i"] * 9), "!" * bangs))
else:
    budget = size // 2
    rest = budget - 200_000
    assert 1 <= rest <= 100_000
    text = ("block loop(n: int) { for i in 0..n { } }\nmodel a = loop(n: 99_999);\n"
            "model b = loop(n: 99_999);\nmodel c = loop(n: %d);\n" % (rest - 1))
    if which == "over":
        text += "model d = loop(n: 0);\n"
pad = size - len(text) - 3
assert pad >= 0
with open(out, "w") as f:
    f.write(text + "//" + "x" * pad + "\n")
