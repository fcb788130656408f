"""Applies a TextMate grammar to a file the way an editor does, line by line, and prints
`LINE:COL TEXT SCOPE` for each token it scopes; or, with --keywords, checks that every keyword of
the Zoo grammar (the alphabetic literals of Zoo.g4) is highlighted by the TextMate grammar and by
the Vim syntax file.

TextMate semantics kept here: at each position the rule whose match starts first wins, the
earlier rule on a tie; a `begin`/`end` rule opens a region that can span lines and is scanned
with its own patterns until `end` matches. The regular expressions use only what Oniguruma and
Python's `re` share (lookahead, non-capturing groups, \\b, $), so Python can run them.
"""
import json
import re
import sys


def flatten(patterns, repo):
    out = []
    for p in patterns:
        if "include" in p:
            out += flatten(repo[p["include"].lstrip("#")]["patterns"], repo)
        else:
            out.append(p)
    return out


def compile_rules(rules, repo):
    compiled = []
    for r in rules:
        c = dict(r)
        if "match" in r:
            c["re"] = re.compile(r["match"])
        else:
            c["begin_re"] = re.compile(r["begin"])
            c["end_re"] = re.compile(r["end"])
            c["inner"] = compile_rules(flatten(r.get("patterns", []), repo), repo)
        compiled.append(c)
    return compiled


def emit(out, lnum, m, rule):
    caps = rule.get("captures")
    if caps:
        for k, v in sorted(caps.items(), key=lambda kv: int(kv[0])):
            if m.group(int(k)) is not None:
                out.append(f"{lnum}:{m.start(int(k)) + 1} {m.group(int(k))} {v['name']}")
    else:
        out.append(f"{lnum}:{m.start() + 1} {m.group()} {rule['name']}")


def tokenize(grammar, text):
    repo = grammar.get("repository", {})
    top = compile_rules(flatten(grammar["patterns"], repo), repo)
    out = []
    stack = []  # open begin/end regions: (rule, line, column, pieces)
    for lnum, line in enumerate(text.split("\n"), 1):
        pos = 0
        while pos <= len(line):
            rules = stack[-1][0]["inner"] if stack else top
            best = None
            if stack:
                e = stack[-1][0]["end_re"].search(line, pos)
                if e:
                    best = (e.start(), -1, e, None)
            for i, r in enumerate(rules):
                m = (r.get("re") or r["begin_re"]).search(line, pos)
                if m and (best is None or m.start() < best[0] or (m.start() == best[0] and best[1] != -1 and i < best[1])):
                    best = (m.start(), i, m, r)
            if best is None:
                break
            start, idx, m, r = best
            if idx == -1:  # the region ends
                rule, l0, c0, _ = stack.pop()
                piece = line[(c0 if l0 == lnum else 0):m.end()]
                out.append(f"{l0 if l0 == lnum else lnum}:{(c0 if l0 == lnum else 0) + 1} {piece} {rule['name']}")
                pos = max(m.end(), pos + 1) if m.end() == m.start() else m.end()
                continue
            if "re" in r:
                emit(out, lnum, m, r)
                pos = m.end() if m.end() > m.start() else pos + 1
            else:
                stack.append((r, lnum, m.start(), []))
                pos = m.end()
        if stack:  # a region continues on the next line: print this line's part of it
            rule, l0, c0, _ = stack[-1]
            start = c0 if l0 == lnum else 0
            out.append(f"{lnum}:{start + 1} {line[start:]} {rule['name']}")
            stack[-1] = (rule, lnum + 1, 0, [])
    return out


def keywords(g4, tm, vim):
    words = sorted(set(w for w in re.findall(r"'([A-Za-z_]+)'", open(g4).read()) if w != "_"))
    tm_text = json.dumps(json.load(open(tm)))
    vim_text = open(vim).read()
    missing = []
    for w in words:
        if not re.search(r"\b" + w + r"\b", tm_text):
            missing.append(f"{w} (TextMate)")
        if not re.search(r"\b" + w + r"\b", vim_text):
            missing.append(f"{w} (Vim)")
    print(f"{len(words)} keywords: {' '.join(words)}")
    print("missing: " + (", ".join(missing) if missing else "none"))


if __name__ == "__main__":
    if sys.argv[1] == "--keywords":
        keywords(*sys.argv[2:5])
    else:
        grammar = json.load(open(sys.argv[1]))
        print("\n".join(tokenize(grammar, open(sys.argv[2]).read())))
