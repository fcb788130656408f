#!/usr/bin/env python3
"""Damages a zooc stdlib cache file (compiler/lib/Sema/StdlibCache.cpp) for the tests.

Usage: stdlib_cache.py ACTION FILE [ARG]
  flip N        flip the byte at offset N (the checksum then fails)
  truncate N    keep the first N bytes
  mutate SEED   change 8 random bytes of the syntax trees, then fix the checksum (well-framed
                but wrong trees: decoding must reject them or Sema must check what it gets)
  count         the first file's tree claims 2^62 imports, checksum fixed
  deep          the first file's tree is a block whose body nests `repeat` 200,000 deep
  offset        the first file's tree has an import whose range starts past the end of the text
  halfrange     the first file's tree is a block whose range has a start and no end
  name          the first file's tree declares a block named `no name`
  kind          the first file's tree has a declaration of an unknown kind
  reseal        recompute the checksum only
Prints the number of files in the cache.

Usage: stdlib_cache.py run ZOOC CACHE_DIR INPUT ACTION[:ARG]...
  Compiles INPUT with an empty cache, keeps the cache file it writes, then for each ACTION:
  restores that file, damages it, compiles INPUT twice and prints
  `ACTION exit CODE output same|different (NOTE) then (NOTE)`, NOTE being what --time-phases
  says of the stdlib; a signal or a crash message prints `crashed` instead.
"""
import os
import random
import shutil
import struct
import subprocess
import sys

M64 = (1 << 64) - 1
P1, P2, P3 = 11400714785074694791, 14029467366897019727, 1609587929392839161
P4, P5 = 9650029242287828579, 2870177450012600261


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def rnd(acc, v):
    return (rotl((acc + v * P2) & M64, 31) * P1) & M64


def xxh64(data):
    """XXH64 with seed 0, as llvm::xxHash64."""
    n, i = len(data), 0
    if n >= 32:
        v = [(P1 + P2) & M64, P2, 0, (-P1) & M64]
        while i + 32 <= n:
            for k in range(4):
                v[k] = rnd(v[k], int.from_bytes(data[i + 8 * k:i + 8 * k + 8], "little"))
            i += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M64
        for k in range(4):
            h = ((h ^ rnd(0, v[k])) * P1 + P4) & M64
    else:
        h = P5
    h = (h + n) & M64
    while i + 8 <= n:
        h = (rotl(h ^ rnd(0, int.from_bytes(data[i:i + 8], "little")), 27) * P1 + P4) & M64
        i += 8
    if i + 4 <= n:
        h = (rotl(h ^ ((int.from_bytes(data[i:i + 4], "little") * P1) & M64), 23) * P2 + P3) & M64
        i += 4
    while i < n:
        h = (rotl(h ^ ((data[i] * P5) & M64), 11) * P1) & M64
        i += 1
    h = ((h ^ (h >> 33)) * P2) & M64
    h = ((h ^ (h >> 29)) * P3) & M64
    return h ^ (h >> 32)


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def read_leb(data, i):
    v = shift = 0
    while True:
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def parse(data):
    """(header bytes, [(key, size, hash, tree)])."""
    i = 16 + 4
    for _ in range(2):  # build, stdlib path
        n, i = read_leb(data, i)
        i += n
    count, i = read_leb(data, i)
    header = data[:i]
    files = []
    for _ in range(count):
        n, i = read_leb(data, i)
        key = data[i:i + n]
        i += n
        size, fhash = data[i:i + 8], data[i + 8:i + 16]
        i += 16
        n, i = read_leb(data, i)
        files.append([key, size, fhash, data[i:i + n]])
        i += n
    return header, files


def build(header, files):
    body = bytearray(header)
    for key, size, fhash, tree in files:
        body += leb(len(key)) + key + size + fhash + leb(len(tree)) + tree
    return bytes(body) + xxh64(bytes(body)).to_bytes(8, "little")


def string(s):
    return leb(len(s)) + s


def block(name, body):
    # Decl::Block (0), range, name, name range, not primitive, no parameters, the body as a
    # length-prefixed string (a statement list's encoding, decoded when the block is first used).
    return bytes([0]) + b"\x01\x01" + string(name) + b"\x01\x01" + b"\x00" + leb(0) + string(body)


def deep_body(depth):
    # `repeat 1 { ... }` nested `depth` times: Stmt::Repeat (1), a range, the count (Expr::Number
    # 0: a range, int, 1 zigzagged, 1.0, no unit, six zero exponents), a body of one statement.
    number = bytes([0]) + b"\x01\x02" + b"\x01" + leb(2) + struct.pack("<d", 1.0) + leb(0) + bytes(6)
    head = bytes([1]) + b"\x01\x02" + number + leb(1)
    return leb(1) + head * depth + bytes([1]) + b"\x01\x02" + number + leb(0)


def compile_(zooc, cache_dir, source):
    r = subprocess.run([zooc, "--cache-dir=" + cache_dir, "--time-phases", "--emit=json", source],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    err = r.stderr.decode(errors="replace")
    crashed = r.returncode < 0 or any(
        m in err for m in ("Stack dump", "LLVM ERROR", "Sanitizer", "runtime error"))
    note = [l[l.index("("):] for l in err.splitlines() if l.startswith("zooc: time: stdlib")]
    return r.returncode, r.stdout, crashed, note[0] if note else "(none)"


def run(zooc, cache_dir, source, actions):
    shutil.rmtree(cache_dir, ignore_errors=True)
    _, cold, _, _ = compile_(zooc, cache_dir, source)
    (name,) = os.listdir(cache_dir)
    path = os.path.join(cache_dir, name)
    pristine = open(path, "rb").read()
    for spec in actions:
        action, _, arg = spec.partition(":")
        open(path, "wb").write(pristine)
        sys.argv = [sys.argv[0], action, path] + ([arg] if arg else [])
        with open(os.devnull, "w") as quiet:
            out, sys.stdout = sys.stdout, quiet
            main()
            sys.stdout = out
        code, text, crashed, note = compile_(zooc, cache_dir, source)
        code2, _, crashed2, note2 = compile_(zooc, cache_dir, source)
        if crashed or crashed2:
            print(spec, "crashed")
        else:
            print(spec, "exit", code, "output", "same" if text == cold else "different", note,
                  "then", note2)


def main():
    if sys.argv[1] == "run":
        return run(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    action, path = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    data = open(path, "rb").read()
    header, files = parse(data)
    if action == "flip":
        n = int(arg)
        data = data[:n] + bytes([data[n] ^ 0xFF]) + data[n + 1:]
    elif action == "truncate":
        data = data[:int(arg)]
    elif action == "reseal":
        data = build(header, files)
    else:
        if action == "mutate":
            rng = random.Random(int(arg))
            for _ in range(8):
                f = rng.choice(files)
                tree = bytearray(f[3])
                if tree:
                    tree[rng.randrange(len(tree))] = rng.randrange(256)
                f[3] = bytes(tree)
        elif action == "count":
            files[0][3] = leb(1 << 62)
        elif action == "deep":
            # The prelude's tree (its imports and no declarations) with a block `deep` added
            # whose body nests 200,000 deep: the file decodes (a body is decoded when first
            # used), and the body is refused when a model expands `deep`.
            tree = files[0][3]
            assert tree.endswith(leb(0)), "the prelude declares nothing"
            files[0][3] = tree[:-1] + leb(1) + block(b"deep", deep_body(200000))
        elif action == "offset":
            files[0][3] = leb(1) + string(b"x.zoo") + leb(1 << 40) + leb(1) + leb(0)
        elif action == "name":
            files[0][3] = leb(0) + leb(1) + block(b"no name", leb(0))
        elif action == "halfrange":
            # A block whose range has a start and no end.
            files[0][3] = leb(0) + leb(1) + bytes([0]) + b"\x02\x00" + string(b"half") + \
                b"\x01\x01" + b"\x00" + leb(0) + string(leb(0))
        elif action == "kind":
            files[0][3] = leb(0) + leb(1) + bytes([200]) + b"\x01\x01" + string(b"x") + b"\x01\x01"
        else:
            sys.exit("unknown action " + action)
        data = build(header, files)
    open(path, "wb").write(data)
    print(len(files), "files")


if __name__ == "__main__":
    main()
