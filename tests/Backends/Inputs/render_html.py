"""Renders an HTML page in headless Chromium and reports what a test can check.

usage: render_html.py PAGE.html WORKDIR

Runs Debian's `chromium` once (--headless, --screenshot and --dump-dom, console messages on
standard error, a fresh profile under WORKDIR) and prints:
  console messages: N             then each message
  screenshot: WxH, non-white P%, colours N, has #rrggbb ...   (PNG decoded with zlib)
  dom: <element> N ...            counts of elements in the rendered DOM
  dom external resources: N       src=/href= pointing outside the page
"""
import os
import re
import struct
import subprocess
import sys
import zlib

page, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
shot = os.path.join(work, "shot.png")
if os.path.exists(shot):
    os.remove(shot)
cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
       "--user-data-dir=" + os.path.join(work, "profile"), "--enable-logging=stderr", "--v=0",
       "--window-size=1000,1300", "--screenshot=" + shot, "--dump-dom",
       "file://" + os.path.abspath(page)]
r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
dom = r.stdout.decode("utf-8", "replace")
console = [l for l in r.stderr.decode("utf-8", "replace").splitlines() if ":CONSOLE" in l]
print("chromium exit", r.returncode)
print("console messages:", len(console))
for l in console:
    print("  " + l)


def decode_png(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA PNG without interlacing."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(
            v for i, v in enumerate(line) if i % 4 != 3))
        prev = line
    return w, h, rows


if os.path.exists(shot):
    w, h, rows = decode_png(shot)
    colours = {}
    nonwhite = 0
    for row in rows[::2]:  # every other row: enough to see what is drawn
        for i in range(0, len(row), 6):  # every other pixel
            px = row[i:i + 3]
            if px != b"\xff\xff\xff":
                nonwhite += 1
            colours[px] = colours.get(px, 0) + 1
    sampled = (h + 1) // 2 * ((w + 1) // 2)
    print("screenshot: %dx%d, non-white %d%%, colours %s" % (
        w, h, round(100 * nonwhite / sampled), "many" if len(colours) > 20 else len(colours)))
    wanted = sys.argv[3:]  # colours the page must show, rrggbb
    for c in wanted:
        b = bytes.fromhex(c)
        print("has #%s: %s" % (c, "yes" if colours.get(b, 0) >= 20 else "no"))
else:
    print("screenshot: none")

for tag in ["svg", "polyline", "circle", "rect", "title", "text", "script", "img", "link",
            "iframe"]:
    print("dom %s: %d" % (tag, len(re.findall(r"<%s[\s>]" % tag, dom))))
print("dom svg.chart: %d" % len(re.findall(r'<svg class="chart"', dom)))
print("dom svg.heat: %d" % len(re.findall(r'<svg class="heat"', dom)))
external = re.findall(r'\b(?:src|href)="(?!#)[^"]*"', dom)
print("dom external resources: %d" % len(external))
