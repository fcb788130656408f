"""Compares the Markdown zoo that zooc just wrote with the one committed under docs/zoo.

same_pages.py GENERATED COMMITTED: exit 0 when both directories hold the same files with the same
bytes; otherwise says how to regenerate the committed pages, lists the files that differ, and
prints a unified diff of each (at most 40 lines per file), with exit code 1.
"""
import difflib
import os
import sys

REGENERATE = "./build/bin/zooc --emit=markdown -o docs/zoo/ zoo/"


def files(d):
    return sorted(f for f in os.listdir(d) if os.path.isfile(os.path.join(d, f)))


def main():
    new, old = sys.argv[1], sys.argv[2]
    problems, diffs = [], []
    for name in sorted(set(files(new)) | set(files(old))):
        a, b = os.path.join(old, name), os.path.join(new, name)
        if not os.path.exists(b):
            problems.append(f"{name}: committed, but zooc no longer writes it (remove it)")
            continue
        if not os.path.exists(a):
            problems.append(f"{name}: written by zooc, not committed")
            continue
        with open(a, encoding="utf-8") as f:
            before = f.read().splitlines(keepends=True)
        with open(b, encoding="utf-8") as f:
            after = f.read().splitlines(keepends=True)
        if before != after:
            problems.append(f"{name}: differs")
            lines = list(difflib.unified_diff(before, after, "docs/zoo/" + name, "generated/" + name))
            diffs.append("".join(lines[:40]) + ("...\n" if len(lines) > 40 else ""))
    if not problems:
        print("docs/zoo is current")
        return 0
    print("docs/zoo is out of date: regenerate it from the source root with")
    print("  " + REGENERATE)
    print("and commit the pages.")
    for p in problems:
        print("  " + p)
    for d in diffs:
        sys.stdout.write(d)
    return 1


if __name__ == "__main__":
    sys.exit(main())
