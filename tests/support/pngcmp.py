#!/usr/bin/env python3
"""pngcmp: compares a screenshot with a stored reference, within a tolerance.

usage: pngcmp.py ACTUAL.png REFERENCE.png [--update]

ACTUAL is an 8-bit RGB or RGBA PNG (Chromium's screenshot). It is reduced
to what is compared: grayscale, halved in each direction (2x2 averages),
so the stored REFERENCE (an 8-bit grayscale PNG of that) stays small. The
images match when they have the same size and at most MAX_FRACTION of the
pixels differ by more than MAX_DELTA levels. --update writes REFERENCE
from ACTUAL instead. Standard library only (zlib). Exit 0 match, 1 differ,
2 unreadable input.
"""
import struct
import sys
import zlib

MAX_DELTA = 32
MAX_FRACTION = 0.005


def read_png(path):
    """Returns (width, height, channels, rows of bytes) of an 8-bit PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG" % path)
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = hdr
    chans = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or chans is None or interlace != 0:
        raise ValueError("%s: only 8-bit, non-interlaced gray/RGB(A) PNGs" % path)
    raw = zlib.decompress(b"".join(idat))
    stride, rows, prev = w * chans, [], bytearray(w * chans)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - chans] if i >= chans else 0
            b = prev[i]
            c = prev[i - chans] if i >= chans else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, chans, rows


def reduce(w, h, chans, rows):
    """Grayscale, halved: returns (w2, h2, rows of bytes)."""
    gray = []
    for r in rows:
        if chans >= 3:
            g = bytes((r[i] * 299 + r[i + 1] * 587 + r[i + 2] * 114) // 1000
                      for i in range(0, len(r), chans))
        else:
            g = bytes(r[i] for i in range(0, len(r), chans))
        gray.append(g)
    w2, h2 = w // 2, h // 2
    out = []
    for y in range(h2):
        a, b = gray[2 * y], gray[2 * y + 1]
        out.append(bytes((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1]) // 4
                         for x in range(w2)))
    return w2, h2, out


def write_gray(path, w, h, rows):
    """Writes an 8-bit grayscale PNG."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    raw = b"".join(b"\x00" + r for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        w, h, rows = reduce(*read_png(argv[1]))
    except (OSError, ValueError, zlib.error) as e:
        print("pngcmp: %s" % e, file=sys.stderr)
        return 2
    if "--update" in argv[3:]:
        write_gray(argv[2], w, h, rows)
        print("pngcmp: wrote %s (%dx%d)" % (argv[2], w, h))
        return 0
    try:
        rw, rh, rc, rrows = read_png(argv[2])
    except (OSError, ValueError, zlib.error) as e:
        print("pngcmp: %s" % e, file=sys.stderr)
        return 2
    if (rw, rh, rc) != (w, h, 1):
        print("pngcmp: size %dx%d, the reference is %dx%d" % (w, h, rw, rh), file=sys.stderr)
        return 1
    bad = sum(1 for y in range(h) for x in range(w)
              if abs(rows[y][x] - rrows[y][x]) > MAX_DELTA)
    frac = bad / float(w * h)
    print("pngcmp: %d of %d pixels differ (%.3f %%, at most %.1f %% allowed)"
          % (bad, w * h, 100 * frac, 100 * MAX_FRACTION))
    return 0 if frac <= MAX_FRACTION else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
