"""Rewrites every .zoo file below a directory in place, keeping its tokens, so that the formatter has
work to do on the registry.

  perturb.py spacing DIR   every line's indentation removed and one space between any two tokens
                           (`f ( a , b ) ;`, `GB / s`); line breaks and comments kept as they are:
                           formatting must give back a formatted file exactly
  perturb.py comments DIR  besides, seeded: line breaks, blank lines and comments (line and block,
                           one and several lines) between tokens: formatting must keep every comment,
                           change no token, and be idempotent
"""
import os
import random
import re
import sys

TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"'                       # string
    r'|//[^\n]*'                                 # line comment
    r'|/\*.*?\*/'                                # block comment
    r'|[0-9](?:_?[0-9])*\.[0-9]+(?:[eE][+-]?[0-9]+)?'
    r'|[0-9](?:_?[0-9])*[eE][+-]?[0-9]+'
    r'|[0-9](?:_?[0-9])*'
    r'|[A-Za-z_][A-Za-z_0-9]*'
    r'|==|!=|<=|>=|&&|\|\||~=|\.\.'
    r'|\n'
    r'|\S', re.S)


def spacing(text):
    out = []
    for tok in TOKEN.findall(text):
        if tok == '\n':
            out.append('\n')
        else:
            if out and out[-1] != '\n':
                out.append(' ')
            out.append(tok)
    return ''.join(out)


def comments(text, rng, serial):
    out = []
    for tok in TOKEN.findall(text):
        out.append(tok)
        if tok == '\n':
            continue
        if tok.startswith('//'):
            out.append('\n')
            continue
        r = rng.random()
        serial[0] += 1
        n = serial[0]
        if r < 0.06:
            out.append(' // c%d\n' % n)
        elif r < 0.10:
            out.append(' /* b%d */ ' % n)
        elif r < 0.12:
            out.append('\n/* m%d\n   two lines */\n' % n)
        elif r < 0.16:
            out.append('\n')
        elif r < 0.17:
            out.append('\n\n\n')
        else:
            out.append(' ')
    return ''.join(out)


def main():
    mode, root = sys.argv[1], sys.argv[2]
    rng = random.Random(20240601)
    serial = [0]
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if not f.endswith('.zoo'):
                continue
            path = os.path.join(d, f)
            with open(path, encoding='utf-8') as h:
                text = h.read()
            text = spacing(text) if mode == 'spacing' else comments(text, rng, serial)
            with open(path, 'w', encoding='utf-8') as h:
                h.write(text)


main()
