#!/usr/bin/env python3
"""Writes the runtime factors that `zooc --emit=calibration zoo/` fits into the runtime records.

Every field of stdlib/core/runtimes.zoo whose source is "calibration" is replaced by the value
the fit prints now (three significant digits); sections left empty are dropped; fields with any
other source are never touched. Then the two generated tables of docs/validation.md (between
their BEGIN and END markers) are replaced by what --emit=validation and --emit=calibration print
with the new records; the prose around them is yours to reread. Run it after changing a
calibration row or the model, then the test suite (tests/Zoo/calibration.test checks the records
against the fit, tests/Zoo/validation.test the page against the tool).
Usage: scripts/calibrate.py [ZOOC]
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOOC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "bin", "zooc")
RECORDS = os.path.join(ROOT, "stdlib", "core", "runtimes.zoo")
PAGE = os.path.join(ROOT, "docs", "validation.md")
ROW = re.compile(r"\| (\w+) \| ((?:compute|bandwidth) \w+|op_overhead|collective_latency|"
                 r"step_overhead|sequence_overhead|request_overhead|expert_overhead|"
                 r"expert_layer_overhead|op_cycles)(?: (\w+))? \| "
                 r"([0-9.e+-]+)( [um]s| cycles)? \|")


def emit(kind):
    out = subprocess.run([ZOOC, "--emit=" + kind, os.path.join(ROOT, "zoo")],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("zooc failed:\n" + out.stderr)
    return out.stdout


def fitted():
    """{runtime: [(slot, key, value, unit)]} from --emit=calibration (unit: ' us', ' ms',
    ' cycles' or None)."""
    fits = {}
    for line in emit("calibration").splitlines():
        m = ROW.match(line)
        if m:
            runtime, slot, key, value, unit = m.groups()
            fits.setdefault(runtime, []).append((slot, key or "any", value, unit))
    return fits


def strip_calibration(body):
    """A record body without its calibration fields, and without sections they leave empty."""
    lines = [l for l in body.split("\n") if 'source "calibration"' not in l]
    out = []
    for line in lines:
        if line == "  }" and out and re.match(r"  (compute|bandwidth) \w+ \{$", out[-1]):
            out.pop()  # an emptied section
            continue
        out.append(line)
    return "\n".join(out)


def main():
    fits = fitted()
    text = open(RECORDS).read()
    for runtime, items in sorted(fits.items()):
        m = re.search(r"\nruntime " + runtime + r" \{\n", text)
        if not m:
            print("note: runtime %s is not declared in %s" % (runtime, RECORDS))
            continue
        end = text.index("\n}\n", m.end())
        lines = strip_calibration(text[m.end():end]).split("\n")
        fields, sections = [], {}
        for slot, key, value, unit in items:
            if unit:  # a fixed cost
                fields.append('  %s = %s%s source "calibration";' % (slot, value, unit))
            else:
                sections.setdefault(slot, []).append(
                    '    %s = %s source "calibration";' % (key, value))
        for slot, entries in sorted(sections.items()):
            header = "  %s {" % slot
            if header in lines:  # a section with sourced values: add to it
                at = lines.index(header) + 1
                lines[at:at] = entries
            else:
                fields.append("\n".join([header] + entries + ["  }"]))
        at = next(i for i, l in enumerate(lines) if l.startswith("  source "))
        lines[at:at] = fields
        text = text[:m.end()] + "\n".join(lines) + text[end:]
    open(RECORDS, "w").write(text)

    page = open(PAGE).read()
    for marker, kind in (("TABLE", "validation"), ("CALIBRATION", "calibration")):
        block = emit(kind).rstrip("\n")
        page = re.sub(r"(<!-- BEGIN " + marker + r"[^\n]*\n).*?(\n<!-- END " + marker + r")",
                      lambda m: m.group(1) + block + m.group(2), page, flags=re.S)
    open(PAGE, "w").write(page)


if __name__ == "__main__":
    main()
