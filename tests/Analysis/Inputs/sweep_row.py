"""Compares one row of a `zooc --sweep` CSV with the full analysis of the same point.

Usage: sweep_row.py CSV SCENARIO BATCH PROMPT OUTPUT JSON ANALYSIS [COLUMN=VALUE...]

JSON is `zooc --emit=json` and ANALYSIS `zooc --emit=analysis` of that point (--model, --hardware,
--batch, --prompt, --output). Every figure of the row must equal the JSON's number exactly (the
same double) and print the same in the analysis report as the report prints it. Prints one line
per figure: `NAME: same` or `NAME: DIFFERENT ...`. COLUMN=VALUE pairs pick the row among those of
a sweep over scenario axes (devices=2 weights=fp8).
"""
import csv
import json
import sys

csv_path, scenario, batch, prompt, output, json_path, text_path = sys.argv[1:8]
where = dict(a.split('=', 1) for a in sys.argv[8:])
rows = [r for r in csv.DictReader(open(csv_path))
        if f"{r['model']}@{r['hardware']}" == scenario and
        (r['batch'], r['prompt'], r['output']) == (batch, prompt, output) and
        all(r[k] == v for k, v in where.items())]
if len(rows) != 1:
    sys.exit(f"{len(rows)} rows for {scenario} at {batch}, {prompt}, {output}")
row = rows[0]
s = [x for x in json.load(open(json_path))['scenarios'] if x['name'] == scenario][0]
results = s['results']
text = open(text_path).read()
block = text[text.index(f"Scenario {scenario}:"):]
block = block[:block.index("\n\n")]


def number(v):
    return v['value'] if isinstance(v, dict) else v


def three(x):  # the analysis report's spellings (zoo::humanResult)
    return f"{x:.3g}"


def seconds(x):
    return three(x) + " s" if x >= 1 else three(x * 1e3) + " ms" if x >= 1e-3 else three(x * 1e6) + " us"


def tokens(x):
    return f"{x:.4g} tok/s"


def count(x):
    return "unbounded" if x == "unbounded" else f"{int(x):,}"


def human_bytes(x):
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    u = 0
    while abs(x) >= 1024 and u < 6:
        x /= 1024
        u += 1
    if u == 0:
        return f"{int(x)} B"
    return f"{x:.{0 if abs(x) >= 100 else 1 if abs(x) >= 10 else 2}f} {units[u]}"


def joules(x):
    return f"{x:.3g} J" if x >= 1 else f"{x * 1e3:.3g} mJ"


spell = {
    'prefill_time': seconds, 'decode_time': seconds, 'generation_time': seconds,
    'tokens_per_s': tokens, 'aggregate_tokens_per_s': tokens, 'prefill_tokens_per_s': tokens,
    'serving_tokens_per_s': tokens, 'kv_bytes': human_bytes, 'memory_per_device': human_bytes,
    'max_batch': count, 'max_context': count, 'devices_needed': count, 'serving_batch': count,
    'energy_per_token': joules,
}
for name in list(row)[9:]:
    got = row[name]
    want = number(results[name])
    if isinstance(want, bool):
        same, shown = got == ("true" if want else "false"), ("yes" if want else "no")
    elif isinstance(want, str):
        same, shown = got == want, want
    elif name in ('max_batch', 'max_context', 'devices_needed', 'serving_batch'):
        shown = count(got)
        same = (got == "unbounded" and want == 2**63 - 1) or (got != "unbounded" and int(got) == want)
    else:
        same, shown = float(got) == float(want), spell[name](float(got))
    if shown not in block:
        same = False
    print(f"{name}: " + ("same" if same else f"DIFFERENT: csv {got}, json {want}, report {shown!r}"))
