# Compares a --plan-serving layout's step (argv[1], the plan; argv[3], the layout's words) with
# the decode step of --emit=json's scenario argv[4] (argv[2]), both in ms to the plan's two
# decimals: "same: X ms" or what differs.
import json
import re
import sys

plan = open(sys.argv[1]).read()
layout = re.escape(sys.argv[3]) + r"\s+[0-9.]+ GiB a device\s+step\s+"
m = re.search(layout + r"([0-9.]+) ms = ([0-9.]+) ms", plan)
if not m:
    sys.exit("no layout '" + sys.argv[3] + "' in the plan")
doc = json.load(open(sys.argv[2]))
step = next(s["results"]["decode_time"]["value"] for s in doc["scenarios"]
            if s["name"] == sys.argv[4]) * 1e3
analysis = f"{step:.2f}"
print(f"same: {m.group(1)} ms" if m.group(1) == m.group(2) == analysis
      else f"differs: plan {m.group(1)} = {m.group(2)} ms, analysis {analysis} ms")
