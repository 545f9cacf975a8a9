#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-kho-report.py: the table of `make bench-kho`.

    bench-kho-report.py --title TEXT --scratch SCRATCH.ts --scratch-ram BYTES \\
                        --footer TEXT RUN.ts...

Each RUN.ts is the host-timestamped console (harness/serial-ts.py) of one
run of vm/bench/kho_bench.sh, SCRATCH.ts that of vm/bench/kho_bench_scratch.sh.
Prints one table on stdout.  Exits non-zero if a run lacks a measurement.
"""
import argparse
import re
import statistics
import sys

GIB = 1 << 30
PRINTK = re.compile(r"^\[\s*(\d+\.\d+)\]\s?(.*)$")
KV = re.compile(r"(\w+)=(-?\d+)")


class Run:
    """The measurements of one run, keyed by the label of the kexec."""

    def __init__(self, path):
        self.path = path
        self.reboot = {}    # label -> [host ns]
        self.kexec = {}     # label -> [guest ns in kernel_kexec()]
        self.reserve = {}   # label of the kexec into the kernel -> [ns]
        self.stamp = {}
        self.found = {}     # label -> [(blocks, pages)]
        self.preserve = {}  # order -> {key: value}
        self.restore = {}   # order -> {key: value}
        self.first_lines = []
        self.parse()

    def parse(self):
        mark = snk = None
        label = "cold"
        with open(self.path, errors="replace") as f:
            for raw in f:
                parts = raw.rstrip("\n").split(" ", 2)
                t0, t1 = float(parts[0]), float(parts[1])
                text = parts[2] if len(parts) > 2 else ""
                m = PRINTK.match(text)
                gts, body = (float(m.group(1)), m.group(2)) if m else (None, text)
                if snk is not None and text.strip():
                    # First console line of the next kernel.
                    label = mark[0]
                    self.reboot.setdefault(label, []).append((t0 - mark[1]) * 1e9)
                    if mark[2] is not None and snk is not None:
                        self.kexec.setdefault(label, []).append((snk - mark[2]) * 1e9)
                    self.first_lines.append(text)
                    mark = snk = None
                    continue
                m = re.search(r"KHO-BENCH-KEXEC (\S+)", body)
                if m:
                    mark = (m.group(1), t1, gts)
                    continue
                if mark and "kexec_core: Starting new kernel" in body:
                    snk = gts
                    continue
                m = re.search(r"KHO: reserved preserved memory in (\d+) us", body)
                if m:
                    self.reserve.setdefault(label, []).append(int(m.group(1)) * 1e3)
                m = re.search(r"KHO: stamped preserved memory in (\d+) us", body)
                if m:
                    self.stamp.setdefault(label, []).append(int(m.group(1)) * 1e3)
                m = re.search(r"KHO: found (\d+) preserved block\(s\), (\d+) page", body)
                if m:
                    self.found.setdefault(label, []).append((int(m.group(1)), int(m.group(2))))
                m = re.search(r"kho_bench: (preserve|restore) (order=.*)", body)
                if m:
                    kv = {k: int(v) for k, v in KV.findall(m.group(2))}
                    getattr(self, m.group(1))[kv["order"]] = kv


def scratch_of(path):
    areas = size = memtotal = None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.search(r"KHO: reserved (\d+) scratch area\(s\), (0x[0-9a-f]+|\d+) bytes", line)
            if m:
                areas, size = int(m.group(1)), int(m.group(2), 0)
            m = re.search(r"KHO-BENCH-MEMINFO MemTotal_kB=(\d+)", line)
            if m:
                memtotal = int(m.group(1)) * 1024
    return areas, size, memtotal


def fmt_t(ns):
    if ns is None:
        return "-"
    if ns < 0:
        return "-" + fmt_t(-ns)
    if ns >= 10e9:
        return f"{ns / 1e9:.1f} s"
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 100e6:
        return f"{ns / 1e6:.0f} ms"
    if ns >= 1e6:
        return f"{ns / 1e6:.1f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.0f} us"
    return f"{ns:.0f} ns"


def fmt_b(b):
    if b >= 1 << 30:
        return f"{b / (1 << 30):.2f} GiB"
    if b >= 1 << 20:
        return f"{b / (1 << 20):.1f} MiB"
    if b >= 1 << 10:
        return f"{b / (1 << 10):.1f} KiB"
    return f"{b:.0f} B"


def fmt_x(r, base):
    """A ratio: "1.05 x B0" from 0.5 on, else a share: "1.8 % of B4K"."""
    if r is None:
        return "-"
    return f"{r:.2f} x {base}" if r >= 0.5 else f"{100 * r:.2g} % of {base}"


def med(xs):
    return statistics.median(xs) if xs else None


class Table:
    COLS = (("measurement", 49, "<"), ("median", 10, ">"), ("min .. max", 21, ">"),
            ("n", 2, ">"), ("per GiB", 14, ">"), ("vs baseline (same run)", 26, "<"))

    def __init__(self):
        self.rows = []

    def section(self, title):
        self.rows.append(title)

    def row(self, name, vals, fmt, per_gib="-", ratio="-"):
        vals = [v for v in vals if v is not None]
        if not vals:
            self.rows.append((name, "missing", "", "0", per_gib, ratio))
            return
        span = f"{fmt(min(vals))} .. {fmt(max(vals))}" if len(vals) > 1 else ""
        self.rows.append((name, fmt(med(vals)), span, str(len(vals)), per_gib, ratio))

    def text(self):
        width = sum(w for _, w, _ in self.COLS) + 2 * (len(self.COLS) - 1)
        def line(cells):
            return "  ".join(f"{c:{a}{w}}" for c, (_, w, a) in zip(cells, self.COLS)).rstrip()
        out = [line([c for c, _, _ in self.COLS]), "-" * width]
        for r in self.rows:
            if isinstance(r, str):
                out.append(f"-- {r} " + "-" * max(0, width - len(r) - 4))
            else:
                out.append(line(r))
        return out, width


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--title", default="KHO benchmark")
    ap.add_argument("--footer", action="append", default=[])
    ap.add_argument("--scratch", required=True)
    ap.add_argument("--scratch-ram", type=int, required=True)
    ap.add_argument("runs", nargs="+")
    args = ap.parse_args()

    runs = [Run(p) for p in args.runs]
    missing = []
    for r in runs:
        for what, d, keys in (("preserve", r.preserve, (0, 9)), ("restore", r.restore, (0, 9)),
                              ("reboot", r.reboot, ("0G", "1G-order0", "1G-order9"))):
            missing += [f"{r.path}: no {what} {k}" for k in keys if k not in d]

    def per_run(fn):
        """fn(run) -> value or None, for every run."""
        return [fn(r) for r in runs]

    def ratio(num, den):
        return [n / d if n is not None and d else None for n, d in zip(num, den)]

    def pres(order, key):
        return per_run(lambda r: r.preserve.get(order, {}).get(key))

    def rest(order, key):
        return per_run(lambda r: r.restore.get(order, {}).get(key))

    def gib(order, src=pres):
        b = med([x for x in src(order, "bytes") if x])
        return b / GIB if b else None

    def per_gib_t(vals, g):
        m = med([v for v in vals if v is not None])
        return f"{fmt_t(m / g)}/GiB" if m is not None and g else "-"

    def ratio_s(vals, base):
        return fmt_x(med([v for v in vals if v is not None]), base)

    t = Table()
    base = {0: pres(0, "memset_ns"), 9: pres(9, "memset_ns")}
    name = {0: "4 KiB", 9: "2 MiB"}
    bname = {0: "B4K", 9: "B2M"}
    t.section("baseline: write 1 GiB once with memset(), in the kernel, same VM")
    for o in (0, 9):
        t.row(f"{bname[o]}: memset() of the {name[o]} folios", base[o], fmt_t,
              per_gib_t(base[o], gib(o)))

    t.section("1. preserve 1 GiB: kho_preserve_folio() loop, tracker pages")
    for o in (0, 9):
        nf = med([x for x in pres(o, "folios") if x])
        t.row(f"{name[o]} folios: {nf or 0:.0f} x kho_preserve_folio()", pres(o, "preserve_ns"),
              fmt_t, per_gib_t(pres(o, "preserve_ns"), gib(o)),
              ratio_s(ratio(pres(o, "preserve_ns"), base[o]), bname[o]))
    for o in (0, 9):
        mb = [p * 4096 if p is not None else None for p in pres(o, "meta_pages")]
        g = gib(o)
        m = med([x for x in mb if x is not None])
        pct = "-" if m is None or not g else f"{100 * m / (g * GIB):.4f} % of preserved"
        t.row(f"{name[o]} folios: tracker metadata", mb, fmt_b,
              f"{fmt_b(m / g)}/GiB" if m is not None and g else "-", pct)

    t.section("2. reboot path: mark before reboot(2) -> next kernel's 1st line")
    # One or two samples per run and kind: compare the medians of all.
    def samples(attr, lab):
        return [x for r in runs for x in getattr(r, attr).get(lab, [])]

    for attr, names, base0 in (
            ("reboot", ("B0: 0 GiB preserved (host clock)",
                        "1 GiB preserved, {} folios (host clock)"), "B0"),
            ("kexec", ("  kernel_kexec() part, 0 GiB (guest clock)",
                       "  kernel_kexec() part, 1 GiB {} (guest clock)"), "0 GiB")):
        zero = samples(attr, "0G")
        t.row(names[0], zero, fmt_t)
        for o in (0, 9):
            vals = samples(attr, f"1G-order{o}")
            r = med(vals) / med(zero) if vals and zero else None
            t.row(names[1].format(name[o]), vals, fmt_t, "-", fmt_x(r, base0))

    t.section("3. next boot: KHO early boot (local_clock), restore loop")
    for what, src in (("reserve pass (kho_memory_init)", "reserve"),
                      ("stamp pass (kho_memory_ready)", "stamp")):
        t.row(f"{what}, 0 GiB",
              [x for r in runs for x in getattr(r, src).get("0G", [])], fmt_t)
        for o in (0, 9):
            lab = f"1G-order{o}"
            vals = per_run(lambda r: med(getattr(r, src).get(lab, [])))
            t.row(f"{what}, 1 GiB {name[o]}", vals, fmt_t, per_gib_t(vals, gib(o)),
                  ratio_s(ratio(vals, base[o]), bname[o]))
    for o in (0, 9):
        t.row(f"restore+check+free 1 GiB, {name[o]} folios", rest(o, "restore_ns"), fmt_t,
              per_gib_t(rest(o, "restore_ns"), gib(o, rest)),
              ratio_s(ratio(rest(o, "restore_ns"), base[o]), bname[o]))

    areas, size, memtotal = scratch_of(args.scratch)
    ram = args.scratch_ram
    t.section(f"4. scratch reserved by a cold boot of a {fmt_b(ram)} VM with kho=on")
    if size is None or memtotal is None:
        missing.append(f"{args.scratch}: no scratch size or MemTotal")
        t.row("scratch areas", [], fmt_b)
    else:
        t.rows.append((f"{areas} scratch area(s), of MemTotal {fmt_b(memtotal)}", fmt_b(size), "",
                       "1", "-", f"{100 * size / memtotal:.2f} % of MemTotal"))
        t.rows.append(("  the same, of the VM's RAM", fmt_b(size), "", "1", "-",
                       f"{100 * size / ram:.2f} % of {fmt_b(ram)}"))

    lines, width = t.text()
    print(args.title)
    print("=" * width)
    print("\n".join(lines))
    print("-" * width)
    for f in args.footer:
        print(f)
    for m in missing:
        print(f"MISSING: {m}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
