"""Validates `zooc --emit=json` documents against docs/zoo.schema.json with jsonschema.

Usage: json_schema.py SCHEMA FILE... ; '-' reads standard input. Prints `FILE: valid` for each
valid document, else each error with its JSON path, and exits 1 if any document is invalid.
Numbers are read strictly: `NaN` or `Infinity` is an error, as for any strict JSON reader.
"""
import json
import sys

import jsonschema


def strict(c):
    raise ValueError("not finite: " + c)


def main():
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    ok = True
    for name in sys.argv[2:]:
        text = sys.stdin.read() if name == "-" else open(name).read()
        doc = json.loads(text, parse_constant=strict)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors[:20]:
            path = "".join("[%d]" % p if isinstance(p, int) else "." + p for p in e.absolute_path)
            print("%s: invalid at $%s: %s" % (name, path, e.message[:200]))
        if errors:
            ok = False
        else:
            print("%s: valid" % name)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
