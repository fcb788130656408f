"""Prints chosen fields of the records of a zooc JSON document, one record a line.

json_fields.py FILE LIST FIELD...: for each record of the array LIST (`models`, `scenarios`,
`hardware`), the values of the dotted FIELDs (`params.active`, `metrics.kv_bytes_per_token`,
`results.prefill_time.value`), space-separated; a field a record lacks prints as `-`. Tests check
these lines beside the same figures in another output.
"""
import json
import sys


def get(record, dotted):
    value = record
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return "-"
        value = value[key]
    return json.dumps(value) if isinstance(value, (dict, list, bool)) or value is None else str(value)


with open(sys.argv[1], encoding="utf-8") as f:
    doc = json.load(f)
for record in doc[sys.argv[2]]:
    print(" ".join(get(record, field) for field in sys.argv[3:]))
