#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""serial-ts.py FIFO LOG TSLOG: timestamp a VM's serial console on the host.

Reads the console from FIFO (the ".out" end of a QEMU "pipe" chardev) until
QEMU closes it.  Copies every byte to LOG unchanged and writes one line per
console line to TSLOG:

    T_START T_END TEXT

T_START and T_END are time.monotonic() seconds when the first byte and the
newline of the line arrived; TEXT is the line without "\\r" and "\\n".
Reads are unbuffered, so a timestamp is late by at most one read.
"""
import os
import sys
import time


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: serial-ts.py FIFO LOG TSLOG")
    fifo, log_path, ts_path = sys.argv[1:]
    fd = os.open(fifo, os.O_RDONLY)
    with open(log_path, "wb") as log, open(ts_path, "w") as ts:
        line = bytearray()
        start = None
        while True:
            chunk = os.read(fd, 65536)
            now = time.monotonic()
            if not chunk:
                break
            log.write(chunk)
            log.flush()
            for part in chunk.splitlines(keepends=True):
                if start is None:
                    start = now
                line += part
                if line.endswith(b"\n"):
                    text = line.decode("utf-8", "replace").rstrip("\r\n").replace("\r", "")
                    ts.write(f"{start:.6f} {now:.6f} {text}\n")
                    line.clear()
                    start = None
        if line:
            text = line.decode("utf-8", "replace").replace("\r", "")
            ts.write(f"{start:.6f} {now:.6f} {text}\n")
    os.close(fd)


if __name__ == "__main__":
    main()
