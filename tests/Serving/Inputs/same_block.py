"""Prints `same` when the fenced block between `<!-- NAME output -->` and `<!-- end NAME output -->`
of a Markdown page holds exactly a file's text, else `differs` and the first differing line.
Usage: same_block.py PAGE NAME FILE."""
import sys

page, name, path = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(page).read()
start = text.index(f"<!-- {name} output -->\n```\n") + len(f"<!-- {name} output -->\n```\n")
end = text.index(f"```\n<!-- end {name} output -->")
block, want = text[start:end], open(path).read()
if block == want:
    print("same")
else:
    for i, (a, b) in enumerate(zip(block.splitlines(), want.splitlines())):
        if a != b:
            print(f"differs at line {i + 1}: page {a!r}, zooc {b!r}")
            break
    else:
        print("differs in length")
