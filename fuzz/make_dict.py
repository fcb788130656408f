#!/usr/bin/env python3
"""Writes a libFuzzer dictionary for Zoo to standard output.

Entries come from the sources, so the dictionary follows the language: the grammar's literal
tokens, the primitives and metrics the compiler owns, the units, the field and section names the
stdlib and the registry use, and the stdlib's declarations.
"""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def read(*parts):
    with open(os.path.join(root, *parts), encoding="utf-8") as f:
        return f.read()


words = set()
for lit in re.findall(r"'((?:[^'\\]|\\.)+)'", read("grammar", "Zoo.g4")):
    words.add(lit.encode().decode("unicode_escape"))
for name in re.findall(r"^PRIMITIVE\((\w+)", read("compiler", "include", "zoo", "IR", "Primitives.def"), re.M):
    words.add(name)
for name in re.findall(r"^METRIC\((\w+)", read("compiler", "include", "zoo", "IR", "Metrics.def"), re.M):
    words.add(name)
for unit in re.findall(r'\{"(\w+)", ', read("compiler", "lib", "Basic", "Units.cpp")):
    words.add(unit)
for prefix in ("k", "M", "G", "T", "P", "Ki", "Mi", "Gi", "Ti"):
    for unit in ("B", "FLOP/s", "B/s", "W", "Hz", "tokens", "OP/s"):
        words.add(prefix + unit)
decl = re.compile(r"^\s*(?:block|primitive|model|hardware|precision|scenario|pipeline|class|runtime|enum)\s+(\w+)", re.M)
field = re.compile(r"^\s*(\w+)\s*=", re.M)
section = re.compile(r"^\s*(\w+)\s+(\w+)\s*\{", re.M)
for top in ("stdlib", "zoo"):
    for dirpath, _, files in os.walk(os.path.join(root, top)):
        for name in files:
            if not name.endswith(".zoo"):
                continue
            text = read(dirpath, name)
            words.update(decl.findall(text))
            words.update(field.findall(text))
            for kind, sec in section.findall(text):
                words.update((kind, sec))
# Fragments that reach deeper checks quickly.
words.update([" with (", "expect params == ", "measured decode_tokens_per_s = ", "source \"x\";",
              "1e300", "9223372036854775807", "0.5", "-1", "2^40", "1_000", "//", "/*", "*/"])
for w in sorted(words):
    if not w or len(w) > 64:
        continue
    escaped = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "\\x%02x" % ord(c) for c in w)
    sys.stdout.write('"%s"\n' % escaped)
