"""Runs zooc on files whose first ill-formed UTF-8 sequence sits at every offset of an eight-byte
word, after plain ASCII runs and after well-formed sequences of two, three and four bytes, and
checks that the error names the line and byte column where Python's strict decoder stops.

  utf8_positions.py ZOOC DIR
"""
import os
import subprocess
import sys

zooc, workdir = sys.argv[1], sys.argv[2]
GOOD = [b'', 'é'.encode(), '日'.encode(), '😀'.encode()]
BAD = [b'\xff', b'\xc0\xaf', b'\xe6\x97', b'\xed\xa0\x80', b'\xf4\x90\x80\x80', b'\x80', b'\xc3']
cases = wrong = 0
for g in GOOD:
    for b in BAD:
        for k in range(0, 12):
            text = b'model m = llama(vocab: 1);\n// ' + b'x' * k + g + b + b' tail\n'
            try:
                text.decode('utf-8')
                continue
            except UnicodeDecodeError as e:
                at = e.start
            line = text[:at].count(b'\n') + 1
            col = at - (text.rfind(b'\n', 0, at) + 1) + 1
            path = os.path.join(workdir, 'case.zoo')
            with open(path, 'wb') as f:
                f.write(text)
            r = subprocess.run([zooc, '--no-prelude', path], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
            want = '%s:%d:%d: error: input is not valid UTF-8' % (path, line, col)
            cases += 1
            if want not in r.stderr.decode(errors='replace') or r.returncode == 0:
                wrong += 1
                print('wrong for', text, 'want', want, 'got', r.stderr.decode(errors='replace'))
print('cases', cases, 'wrong', wrong)
