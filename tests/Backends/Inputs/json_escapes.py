"""Writes models whose `summary` strings put every character class the JSON writer treats apart
(quote, backslash, control characters, text beyond ASCII) at every offset of an 8-byte word and
after runs of plain text, then checks zooc's JSON bytes for them against llvm::json::OStream's
escaping rules, written out here independently: quote and backslash escaped, tab, newline and
carriage return by name, other control characters as \\u00XX in lower-case hex, everything
else as its UTF-8 bytes.

  json_escapes.py write FILE.zoo      json_escapes.py check FILE.zoo FILE.json
"""
import sys

SPECIALS = ['"', '\\', '\x01', '\x1f', '\t', '\x7e', '\u00e9', '\u65e5', '\U0001f600']


def strings():
    out = []
    for c in SPECIALS:
        for k in range(0, 19):
            out.append('p' * k + c + 'q' * (k % 9))
    out.append('a' * 64)
    out.append('')
    return out


def source_literal(s):
    # The language's escapes: \" and \\ (a raw tab or control character stands for itself).
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def ostream(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch == '"' or ch == '\\':
            out.append('\\' + ch)
        elif ch == '\t':
            out.append('\\t')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif o < 0x20:
            out.append('\\u%04x' % o)
        else:
            out.append(ch)
    return '"' + ''.join(out) + '"'


def main():
    if sys.argv[1] == 'write':
        with open(sys.argv[2], 'w', encoding='utf-8') as f:
            f.write('block tiny() { }\n')
            for i, s in enumerate(strings()):
                f.write('model M%03d = tiny() { summary = %s; }\n' % (i, source_literal(s)))
        return
    text = open(sys.argv[3], encoding='utf-8').read()
    bad = 0
    for i, s in enumerate(strings()):
        want = '"summary": ' + ostream(s)
        if want not in text:
            bad += 1
            print('M%03d: %r not written as %s' % (i, s, want))
    print('strings', len(strings()), 'wrong', bad)


main()
