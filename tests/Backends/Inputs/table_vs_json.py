"""Checks a `zooc --emit=csv --table=T` table against the JSON of the same run.

Usage: table_vs_json.py TABLE CSV JSON

TABLE is models, scenarios, layers, matrix or validation. JSON is `zooc --emit=json` (models,
scenarios) or `zooc --emit=json --table=T` (layers, matrix, validation) with the same options.
Every cell that holds a number must be the JSON's number exactly (the same double), every name
and flag the same. Prints `N rows, N cells: same`, or one line per difference.
"""
import csv
import json
import sys

table, csv_path, json_path = sys.argv[1:4]
rows = list(csv.DictReader(open(csv_path, newline='')))
doc = json.load(open(json_path))
cells = 0
bad = []


def number(v):
    return v['value'] if isinstance(v, dict) and 'value' in v else v


def same(where, cell, want):
    global cells
    cells += 1
    want = number(want)
    if want is None:
        ok = cell == ''
    elif isinstance(want, bool):
        ok = cell == ('true' if want else 'false')
    elif isinstance(want, (int, float)):
        ok = cell != '' and float(cell) == float(want)
        if ok and isinstance(want, int) and abs(want) < 2**63:
            ok = cell == str(want)
    else:
        ok = cell == str(want)
    if not ok:
        bad.append(f"DIFFERENT {where}: csv {cell!r}, json {want!r}")


if table == 'models':
    models = {m['name']: m for m in doc['models']}
    weights = doc['point']['weights']
    assert len(rows) == len(models), (len(rows), len(models))
    for r in rows:
        m = models[r['model']]
        same(f"{r['model']} architecture", r['architecture'], m['architecture'])
        same(f"{r['model']} beyond_context", r['beyond_context'], m['beyond_context'])
        for key in ('family', 'category', 'context'):
            same(f"{r['model']} {key}", r[key], m['fields'].get(key))
        for k, v in m['metrics'].items():
            if k == 'weight_bytes':
                v = v[weights]
            same(f"{r['model']} {k}", r[k], v)
elif table == 'scenarios':
    scen = {s['name']: s for s in doc['scenarios']}
    assert len(rows) == len(scen), (len(rows), len(scen))
    for r in rows:
        s = scen[r['scenario']]
        for key in ('model', 'hardware', 'devices', 'batch', 'prompt', 'output'):
            same(f"{r['scenario']} {key}", r[key], s[key])
        for k, v in s['results'].items():
            same(f"{r['scenario']} {k}", r[k], v)
        for k, v in s['ideal'].items():
            same(f"{r['scenario']} ideal {k}", r['ideal_' + k], v)
elif table == 'layers':
    flat = []

    def walk(model, nodes, depth, path):
        for n in nodes:
            p = n['name'] if not path else path + '/' + n['name']
            flat.append((model, depth, p, n))
            walk(model, n.get('children', []), depth + 1, p)
    for m in doc['models']:
        walk(m['name'], m['layers'], 1, '')
    assert len(rows) == len(flat), (len(rows), len(flat))
    for r, (model, depth, path, n) in zip(rows, flat):
        where = f"{model} {path}"
        same(where + ' model', r['model'], model)
        same(where + ' depth', r['depth'], depth)
        same(where + ' path', r['path'], path)
        same(where + ' kind', r['kind'], n['kind'])
        same(where + ' params', r['params'], n['params'])
        same(where + ' macs', r['macs'], n['macs'])
        same(where + ' cut', r['children_left_out'], 'children_left_out' in n)
elif table == 'matrix':
    flat = [(row['model'], row['weights'], hw, d)
            for row in doc['rows'] for hw, d in zip(doc['hardware'], row['devices_needed'])]
    assert len(rows) == len(flat), (len(rows), len(flat))
    for r, (model, w, hw, d) in zip(rows, flat):
        where = f"{model} {w} {hw}"
        same(where + ' model', r['model'], model)
        same(where + ' weights', r['weights'], w)
        same(where + ' hardware', r['hardware'], hw)
        same(where + ' devices', r['devices_needed'], d)
        same(where + ' context', r['context'], doc['context'])
elif table == 'validation':
    assert len(rows) == len(doc['rows']) == doc['measurements'], (len(rows), len(doc['rows']))
    for r, j in zip(rows, doc['rows']):
        for k in ('scenario', 'regime', 'metric', 'unit', 'measured', 'ideal', 'expected',
                  'error_percent', 'default_expected', 'default_error_percent',
                  'ideal_error_percent', 'role', 'source'):
            same(f"{j['scenario']} {k}", r[k], j[k])
        same(f"{j['scenario']} runtime", r['runtime'], j['runtime'])
else:
    sys.exit(f"unknown table {table}")
for line in bad:
    print(line)
print(f"{len(rows)} rows, {cells} cells: {'same' if not bad else 'DIFFERENT'}")
