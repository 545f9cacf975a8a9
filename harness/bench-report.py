#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py: the side-by-side table of `make bench`.

    bench-report.py --khz KHZ --ours LEG --peer LEG [--icount SHIFT]
                    [--title TEXT]... DIR

DIR holds the consoles of harness/bench.sh: chain-RUN-LEG.log (one run of
vm/bench/lu_bench.sh lubench=chain), hugetlb-RUN-LEG.log (lubench=hugetlb,
our kernel only), repeat-LEG.log, scratch2g-LEG.log and
scratch8g-LEG.log, and next to each NAME.log its host-timestamped copy
NAME.ts (harness/serial-ts.py), if it was kept.  KHZ is the TSC frequency
the guests were given.  --icount: the VMs ran on QEMU's instruction
counter; the host's timestamps then mean nothing and are not read.
Prints one table on stdout; exits non-zero if a kernel has no chain run.
"""
import argparse
import glob
import importlib.util
import os
import re
import sys

# The number formats of bench-kho-report.py, shared.
_spec = importlib.util.spec_from_file_location(
    "bench_kho_report", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "bench-kho-report.py"))
_kho = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_kho)
fmt_t, fmt_b = _kho.fmt_t, _kho.fmt_b


def med(xs):
    return _kho.med([x for x in xs if x is not None])

GIB = 1 << 30
PRINTK = re.compile(r"^\[\s*(\d+\.\d+)\]\s?(.*)$")
STAGE = re.compile(r"^# lutest lu_bench stage(\d+) on (\S+)")
TAKE = re.compile(r"^# bench (\d+)-take ")
TIME = re.compile(r"^# time (\S+) (\d+) (\d+)")
BLACKOUT = re.compile(r"^# /sys/kernel/debug/liveupdate/blackout: (\S+) +(\d+) +(\S+)")
HOST = re.compile(r"^(\d+\.\d+) \d+\.\d+ (.*)$")


def gib(step):
    """Size of a step like "4G:4k" or "disk:1G" in GiB; 0 for the others."""
    m = re.search(r"(\d+)G", step or "")
    return int(m.group(1)) if m else 0


class Stage:
    def __init__(self, n, rel):
        self.n, self.rel = n, rel
        self.take = self.give = None
        self.times = {}         # label -> (boottime ns, tsc)
        self.memfree = []       # kB, in order
        self.memtotal = None
        self.mark = self.jump = None    # printk s: reboot marker, "Starting new kernel"
        self.host_jump = None   # host s: "Starting new kernel" arrived
        self.host_first = None  # host s: this kernel's "Linux version" arrived
        self.early_start = self.memory = None  # printk s: swiotlb to "Memory:"
        self.kho_us = {}        # "reserved"/"stamped" -> us (ours)
        self.phases = {}        # blackout file: name -> counter
        self.kv = {}


def console_lines(path, host_clock=True):
    """(host seconds or None, line) of a console, from NAME.ts if it exists."""
    ts = path[:-len(".log")] + ".ts" if path.endswith(".log") and host_clock else None
    if ts and os.path.exists(ts):
        with open(ts, errors="replace") as f:
            for raw in f:
                m = HOST.match(raw.rstrip("\n"))
                if m:
                    yield float(m.group(1)), m.group(2)
        return
    with open(path, errors="replace") as f:
        for raw in f:
            yield None, raw.rstrip("\r\n").replace("\r", "")


def parse_console(path, host_clock=True):
    """The stages of one console, in order."""
    stages, cur = [], Stage(0, "?")
    # Lines of a kernel's early boot come before its stage line.
    boot = Stage(0, "?")
    for host, line in console_lines(path, host_clock):
        if "] Linux version " in line and boot.host_first is None:
            boot.host_first = host
        m = PRINTK.match(line)
        ts, body = (float(m.group(1)), m.group(2)) if m else (None, line)
        if ts is not None and boot.memory is None:
            if body.startswith("software IO TLB: area num"):
                boot.early_start = ts
            elif body.startswith("Memory: ") and boot.early_start is not None:
                boot.memory = ts
        m = re.search(r"KHO: (reserved|stamped) preserved memory in (\d+) us", body)
        if m:
            boot.kho_us[m.group(1)] = int(m.group(2))
        if "LU-BENCH-REBOOT" in body and ts is not None:
            cur.mark = ts
        elif "Starting new kernel" in body and ts is not None and cur.mark is not None:
            cur.jump, cur.host_jump = ts, host
            boot = Stage(0, "?")
        # A stage starts at its "# lutest" line or, should a kernel
        # message have cut that line, at its "# bench N-take" line.
        m = STAGE.match(body) or TAKE.match(body)
        if m and int(m.group(1)) != cur.n:
            nxt = Stage(int(m.group(1)), m.group(2) if m.re is STAGE else "?")
            nxt.early_start, nxt.memory, nxt.kho_us = boot.early_start, boot.memory, boot.kho_us
            nxt.host_first = boot.host_first
            if cur.n:
                stages.append(cur)
            cur = nxt
        m = re.match(r"^# bench \d+-(take|give) (\S+)", body)
        if m:
            setattr(cur, m.group(1), m.group(2))
        m = TIME.match(body)
        if m:
            cur.times[m.group(1)] = (int(m.group(2)), int(m.group(3)))
        m = re.match(r"^# (MemFree|MemTotal): (\d+) kB", body)
        if m:
            if m.group(1) == "MemFree":
                cur.memfree.append(int(m.group(2)))
            else:
                cur.memtotal = int(m.group(2))
        m = BLACKOUT.match(body)
        if m:
            cur.phases[m.group(1)] = int(m.group(2))
        for k, v in re.findall(r"(\w+)=(\d+)", body) if "LU-BENCH-KV" in body else []:
            cur.kv[k] = int(v)
    if cur.n:
        stages.append(cur)
    return stages


class Chain:
    """Measurements of one chain run, keyed by step ("plain", "1G:4k", ...)."""

    def __init__(self, path, khz, host_clock=True):
        self.khz = khz
        self.stages = parse_console(path, host_clock)
        self.rel = self.stages[0].rel if self.stages else "?"
        self.m = {}
        self.phases = {}
        for a, b in zip(self.stages, self.stages[1:]):
            if a.give and a.give != "none":
                self.measure(a.give, a, b)

    def tsc_ns(self, t0, t1):
        return (t1 - t0) * 1e6 / self.khz

    def put(self, step, key, val):
        if val is not None:
            self.m.setdefault(step, {}).setdefault(key, []).append(val)

    def measure(self, step, a, b):
        ta, tb = a.times, b.times

        def boot(st, x, y):
            return st[y][0] - st[x][0] if x in st and y in st else None

        self.put(step, "write", boot(ta, "write-start", "write-done"))
        self.put(step, "preserve", boot(ta, "preserve-start", "preserve-done"))
        if len(a.memfree) >= 2:
            self.put(step, "meta", (a.memfree[0] - a.memfree[1]) * 1024)
        if a.mark is not None and a.jump is not None:
            self.put(step, "reboot_jump", (a.jump - a.mark) * 1e9)
        if b.early_start is not None and b.memory is not None:
            self.put(step, "early", (b.memory - b.early_start) * 1e9)
        for k, v in b.kho_us.items():
            self.put(step, "kho_" + k, v * 1e3)
        self.put(step, "retrieve", boot(tb, "agent-start", "retrieved"))
        self.put(step, "touch", boot(tb, "retrieved", "touched"))
        self.put(step, "retrieve_touch", boot(tb, "agent-start", "touched"))
        end = "retrieved" if "retrieved" in tb else "agent-start"
        jump = None
        if a.host_jump is not None and b.host_first is not None:
            jump = (b.host_first - a.host_jump) * 1e9
            self.put(step, "jump_first", jump)
        if "reboot" in ta and end in tb:
            blackout = self.tsc_ns(ta["reboot"][1], tb[end][1])
            self.put(step, "blackout", blackout)
            if jump is not None:
                self.put(step, "blackout_nojump", blackout - jump)
        if "reboot" in ta and "touched" in tb:
            self.put(step, "blackout_touched", self.tsc_ns(ta["reboot"][1], tb["touched"][1]))
        if "reboot" in ta and "agent-start" in tb:
            self.put(step, "to_agent", self.tsc_ns(ta["reboot"][1], tb["agent-start"][1]))
        if "save-start" in ta and end in tb:
            self.put(step, "disk_blackout", self.tsc_ns(ta["save-start"][1], tb[end][1]))
            self.put(step, "save", boot(ta, "save-start", "save-done"))
        if b.phases and "reboot" in ta:
            self.phases[step] = (ta["reboot"][1], b.phases, tb)


def fmt_pct(p):
    return "-" if p is None else f"{p:.2f} %"


def fmt_x(x):
    return "-" if x is None else f"{x:.2f}x"


class Table:
    W = (44, 30, 30, 8)

    def __init__(self, hide_empty=False):
        self.lines = []
        self.hide_empty = hide_empty

    def head(self, ours, peer):
        self.lines.append(self.fmt(("", f"ours ({ours})", f"mainline ({peer})", "ours/ml")))
        self.lines.append(self.fmt(("", "median (min .. max)", "median (min .. max)", "")))

    def fmt(self, cells):
        w = self.W
        return (f"{cells[0]:<{w[0]}}  {cells[1]:>{w[1]}}  {cells[2]:>{w[2]}}  "
                f"{cells[3]:>{w[3]}}").rstrip()

    def section(self, title):
        width = sum(self.W) + 6
        self.lines.append(f"-- {title} " + "-" * max(0, width - len(title) - 4))

    @staticmethod
    def cell(vals, fmt):
        vals = [v for v in vals if v is not None]
        if not vals:
            return "-", None
        m = med(vals)
        if len(vals) == 1:
            return fmt(m), m
        return f"{fmt(m)} ({fmt(min(vals))} .. {fmt(max(vals))})", m

    def row(self, name, ours, peer, fmt, lower_better=True):
        co, mo = self.cell(ours, fmt)
        cp, mp = self.cell(peer, fmt)
        if self.hide_empty and mo is None and mp is None:
            return
        r = mo / mp if mo is not None and mp and mo >= 0 and mp > 0 else None
        self.lines.append(self.fmt((name, co, cp, fmt_x(r))))

    def text(self, title):
        width = sum(self.W) + 6
        return "\n".join(title + ["=" * width] + self.lines + ["-" * width])


def values(chains, step, key, scale=1.0):
    return [v / scale for c in chains for v in c.m.get(step, {}).get(key, [])]


def overhead(chains, step, key="blackout"):
    """Per run: KEY of STEP minus that of the plain kexecs of the same run."""
    out = []
    for c in chains:
        plain = med(c.m.get("plain", {}).get(key, []))
        for v in c.m.get(step, {}).get(key, []):
            if plain is not None:
                out.append(v - plain)
    return out


def pct_per_gib(chains, step, key="blackout"):
    """Per run: KEY over plain kexec, % of plain's blackout, per preserved GiB."""
    out = []
    g = gib(step)
    for c in chains:
        plain = med(c.m.get("plain", {}).get("blackout", []))
        base = med(c.m.get("plain", {}).get(key, []))
        for v in c.m.get(step, {}).get(key, []):
            if plain and base is not None and g:
                out.append(100 * (v - base) / plain / g)
    return out


def speedup(chains, g):
    out = []
    for c in chains:
        d = med(c.m.get(f"disk:{g}G", {}).get("disk_blackout", []))
        lu = med(c.m.get(f"{g}G:4k", {}).get("blackout", []))
        if d and lu:
            out.append(d / lu)
    return out


def runs(d, kind, leg, khz, host_clock=True):
    """The runs KIND-N-LEG.log in D, parsed."""
    pat = re.compile(rf"{kind}-\d+-{re.escape(leg)}\.log$")
    paths = sorted(p for p in glob.glob(os.path.join(d, f"{kind}-*.log"))
                   if pat.search(os.path.basename(p)))
    return [Chain(p, khz, host_clock) for p in paths]


def hugetlb_rows(t, chains):
    """Section 11: the hugetlb chain, ours only (mainline has no cells)."""
    steps = ("1G:2M", "1G:1G")

    def ours(name, vals, fmt):
        t.row(name, vals, [], fmt)

    ours("B0: plain kexec in this VM", values(chains, "plain", "blackout"), fmt_t)
    for key, name, per in (("preserve", "PRESERVE_FD, per GiB", True),
                           ("early", "next kernel's early boot", False),
                           ("kho_reserved", "  of it KHO reserve pass", False),
                           ("kho_stamped", "  of it KHO stamp pass", False),
                           ("retrieve", "RETRIEVE_SESSION + RETRIEVE_FD, per GiB", True),
                           ("meta", "hand-over metadata, per GiB", True)):
        for s in steps:
            fmt = fmt_b if key == "meta" else fmt_t
            ours(f"{s} {name}", values(chains, s, key, gib(s) if per else 1), fmt)
    for s in steps:
        ours(f"{s} blackout (reboot() to retrieved)", values(chains, s, "blackout"), fmt_t)
        ours(f"  {s}: over plain kexec", overhead(chains, s), fmt_t)
        ours(f"  {s}: over plain, % of B0 per GiB", pct_per_gib(chains, s), fmt_pct)
        ours(f"  {s}: over plain, without the jump",
             overhead(chains, s, "blackout_nojump"), fmt_t)
        ours(f"  {s}: that, % of B0 per GiB",
             pct_per_gib(chains, s, "blackout_nojump"), fmt_pct)


def read_simple(path):
    return parse_console(path) if os.path.exists(path) else []


def lost(stages):
    """MemTotal and MemFree deltas: cold boot and update 1 vs update 10."""
    by = {s.n: s for s in stages}
    first, one, last = by.get(1), by.get(2), by.get(max(by) if by else 0)
    res = {}
    if first and last and first is not last and first.memfree and last.memfree:
        res["free_cold"] = (first.memfree[0] - last.memfree[0]) * 1024
        res["updates"] = last.n - first.n
    if one and last and one is not last and one.memfree and last.memfree:
        res["free_1"] = (one.memfree[0] - last.memfree[0]) * 1024
    if first and last and first.memtotal and last.memtotal:
        res["total"] = (first.memtotal - last.memtotal) * 1024
    return res


def scratch(stages, ram):
    for s in stages:
        if "scratch_bytes" in s.kv:
            return 100.0 * s.kv["scratch_bytes"] / ram, s.kv["scratch_bytes"]
    return None, None


PHASES = (
    ("reboot", "frozen", "old kernel: reboot() entry to sessions frozen"),
    ("frozen", "jump", "old kernel: frozen to jump (shutdown)"),
    ("jump", "setup", "jump to next kernel's setup_arch (1st line)"),
    ("setup", "kho-reserve", "setup_arch to KHO reserve pass"),
    ("kho-reserve", "kho-reserved", "KHO reserve pass"),
    ("kho-reserved", "kho-stamp", "KHO passes: between the two"),
    ("kho-stamp", "kho-stamped", "KHO stamp pass"),
    ("kho-stamped", "luo-ready", "KHO stamped to /dev/liveupdate ready"),
    ("luo-ready", "@agent-start", "/dev/liveupdate ready to agent start"),
    ("@agent-start", "@retrieved", "agent start to memory retrieved"),
)


def phase_rows(t, chains, step):
    """The blackout's phases on our kernel for STEP, on the TSC."""
    per = {}
    for c in chains:
        if step not in c.phases:
            continue
        reboot_tsc, ph, tb = c.phases[step]
        pts = dict(ph)
        for k in ("agent-start", "retrieved"):
            if k in tb:
                pts["@" + k] = tb[k][1]
        if pts.get("reboot") and pts["reboot"] != reboot_tsc:
            pts["@user-reboot"] = reboot_tsc
        for a, b, name in PHASES:
            if pts.get(a) and pts.get(b):
                per.setdefault(name, []).append(c.tsc_ns(pts[a], pts[b]))
        if pts.get("reboot") and pts.get("@retrieved"):
            per.setdefault("total: reboot() entry to memory retrieved", []).append(
                c.tsc_ns(pts["reboot"], pts["@retrieved"]))
    if not per:
        return False
    for _, _, name in PHASES + ((None, None, "total: reboot() entry to memory retrieved"),):
        if name in per:
            t.row("  " + name, per[name], [], fmt_t)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--khz", type=float, required=True)
    ap.add_argument("--ours", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--icount", type=int)
    ap.add_argument("--title", action="append", default=[])
    ap.add_argument("dir")
    a = ap.parse_args()

    host = a.icount is None
    chains = {leg: runs(a.dir, "chain", leg, a.khz, host) for leg in (a.ours, a.peer)}
    hugetlb = runs(a.dir, "hugetlb", a.ours, a.khz, host)
    if not chains[a.ours] or not chains[a.peer]:
        print("no chain runs for one of the kernels", file=sys.stderr)
        return 1
    O, P = chains[a.ours], chains[a.peer]
    t = Table(hide_empty=not host)
    t.head(a.ours, a.peer)

    def both(name, fn, fmt):
        t.row(name, fn(O), fn(P), fmt)

    t.section("baselines")
    both("write 1 GiB once, 4 KiB pages (pwrite)", lambda c: values(c, "1G:4k", "write"), fmt_t)
    both("B0: plain kexec, reboot() to agent start", lambda c: values(c, "plain", "blackout"), fmt_t)

    t.section("1. PRESERVE_FD, per GiB")
    for step in ("1G:4k", "4G:4k", "1G:thp", "4G:thp"):
        both(f"{step} memfd", lambda c, s=step: values(c, s, "preserve", gib(s)), fmt_t)

    t.section("2. reboot() to the jump into the next kernel")
    for step in ("plain", "0G", "4G:4k", "4G:thp"):
        both(f"{step} preserved", lambda c, s=step: values(c, s, "reboot_jump"), fmt_t)
    for step in ("plain", "4G:4k", "4G:thp"):
        both(f"  {step}: then to the next kernel's 1st line",
             lambda c, s=step: values(c, s, "jump_first"), fmt_t)

    t.section("3. next kernel's early boot: swiotlb, KHO, memblock_free_all()")
    for step in ("plain", "4G:4k", "4G:thp"):
        both(f"{step} preserved", lambda c, s=step: values(c, s, "early"), fmt_t)
    for step in ("4G:4k", "4G:thp"):
        for k, name in (("kho_reserved", "reserve pass"), ("kho_stamped", "stamp pass")):
            both(f"  {step}: KHO {name} (ours only)", lambda c, s=step, k=k: values(c, s, k), fmt_t)

    t.section("4. RETRIEVE_SESSION + RETRIEVE_FD, per GiB")
    for step in ("1G:4k", "4G:4k", "1G:thp", "4G:thp"):
        both(f"{step} memfd", lambda c, s=step: values(c, s, "retrieve", gib(s)), fmt_t)
    for step in ("4G:4k", "4G:thp"):
        both(f"  {step}: then touch every page, per GiB",
             lambda c, s=step: values(c, s, "touch", gib(s)), fmt_t)
    for step in ("4G:4k", "4G:thp"):
        both(f"  {step}: both, agent start to every page touched, per GiB",
             lambda c, s=step: values(c, s, "retrieve_touch", gib(s)), fmt_t)

    t.section("5. blackout: reboot() to memory retrieved (TSC)")
    for step in ("0G", "1G:4k", "1G:thp", "4G:4k", "4G:thp"):
        both(f"{step} preserved", lambda c, s=step: values(c, s, "blackout"), fmt_t)
    for step in ("0G", "1G:4k", "1G:thp", "4G:4k", "4G:thp"):
        both(f"  {step}: over plain kexec", lambda c, s=step: overhead(c, s), fmt_t)
    for step in ("1G:4k", "1G:thp", "4G:4k", "4G:thp"):
        both(f"  {step}: over plain, % of B0 per GiB", lambda c, s=step: pct_per_gib(c, s), fmt_pct)
    for step in ("0G", "1G:4k", "1G:thp", "4G:4k", "4G:thp"):
        both(f"  {step}: over plain, without the jump",
             lambda c, s=step: overhead(c, s, "blackout_nojump"), fmt_t)
    for step in ("1G:4k", "1G:thp", "4G:4k", "4G:thp"):
        both(f"  {step}: that, % of B0 per GiB",
             lambda c, s=step: pct_per_gib(c, s, "blackout_nojump"), fmt_pct)
    for step in ("1G:4k", "1G:thp", "4G:4k", "4G:thp"):
        both(f"  {step}: reboot() to every page touched",
             lambda c, s=step: values(c, s, "blackout_touched"), fmt_t)

    if host:  # memory and disk rows: real time only
        t.section("6. VMM without live update: save to virtio disk, kexec, read back")
        for g in (1, 4):
            both(f"{g} GiB: save start to memory read back",
                 lambda c, g=g: values(c, f"disk:{g}G", "disk_blackout"), fmt_t)
        for g in (1, 4):
            both(f"  LUO speedup at {g} GiB (disk / {g}G:4k blackout)",
                 lambda c, g=g: speedup(c, g), fmt_x)

    t.section("7. hand-over metadata per GiB (MemFree drop at PRESERVE_FD)")
    for step in ("1G:4k", "4G:4k", "1G:thp", "4G:thp"):
        both(f"{step} memfd", lambda c, s=step: values(c, s, "meta", gib(s)), fmt_b)

    if host:  # memory and disk rows: real time only
        t.section("8. scratch as a share of RAM (cold boot)")
        for g, name in ((2, "scratch2g"), (8, "scratch8g")):
            vals = {}
            for leg in (a.ours, a.peer):
                p, _ = scratch(read_simple(os.path.join(a.dir, f"{name}-{leg}.log")), g * GIB)
                vals[leg] = [p]
            t.row(f"{g} GiB VM", vals[a.ours], vals[a.peer], fmt_pct)

        t.section("9. memory lost after 10 updates (256 MiB memfd preserved)")
        res = {leg: lost(read_simple(os.path.join(a.dir, f"repeat-{leg}.log")))
               for leg in (a.ours, a.peer)}
        for k, name in (("free_cold", "MemFree: cold boot - after update 10"),
                        ("free_1", "MemFree: after update 1 - after update 10"),
                        ("total", "MemTotal: cold boot - after update 10")):
            t.row(name, [res[a.ours].get(k)], [res[a.peer].get(k)], fmt_b)

    t.section("10. blackout phases on our kernel, 4G:4k (TSC; ours only)")
    if not phase_rows(t, O, "4G:4k"):
        t.lines.append("  (no lu612,blackout phases in these runs)")

    t.section("11. hugetlbfs memfds, 1 GiB of 2 MiB or 1 GiB pages (ours only)")
    if hugetlb:
        hugetlb_rows(t, hugetlb)
    else:
        t.lines.append("  (no hugetlb runs)")

    rels = sorted({c.rel for c in O}) + sorted({c.rel for c in P})
    print(t.text(a.title + [f"kernels: {', '.join(rels)}"]))
    print(FOOTER.format(khz=a.khz, n=len(O)))
    if not host:
        print(ICOUNT_FOOTER.format(shift=a.icount, ns=1 << a.icount))
    return 0


FOOTER = """\
Each cell: median over the runs (min .. max); ours/ml: ratio of the medians.  Same VM
for both kernels: 5 GiB, 2 vCPUs (1 on the instruction counter), kho=on liveupdate=on
earlyprintk=ttyS0 tsc_early_khz={khz:.0f} tsc=reliable i8042.noaux, the same initramfs
(it carries both images), kernels built from the same fragment
(harness/legs/bench.config).  TSC rows: the agent's rdtsc in both kernels (the
counter runs on across the kexec), / {khz:.0f} kHz.
 baselines: memfd_agent pwrite() of 1 GiB (CLOCK_BOOTTIME); B0 = kexec with nothing
   preserved and /dev/liveupdate unused: "# time reboot" right before reboot(2) to
   "# time agent-start" of the agent in the next kernel (TSC).  This is the limit.
 1. PRESERVE_FD ioctl (CLOCK_BOOTTIME around it) / GiB, memfd written once before.
 2. printk time of the agent's /dev/kmsg mark right before reboot(2) to "kexec_core:
    Starting new kernel" (same kernel's clock): freeze, device and CPU shutdown.
    "then to the 1st line": host clock (harness/serial-ts.py), arrival of "Starting
    new kernel" to arrival of the next kernel's "Linux version": purgatory (SHA-256 of
    the segments) and decompression, the same work whatever is preserved.  Under TCG
    it is the noisiest phase of the blackout (seconds from kexec to kexec).
 3. printk time from "software IO TLB: area num" to "Memory:" in the next kernel:
    the swiotlb buffer, KHO's early passes and memblock_free_all(), which both kernels
    run there (6.12 and 7.2 order the steps between differently, not these ends);
    ours also prints its two KHO passes (local_clock).
 4. agent start to RETRIEVE_FD returned (RETRIEVE_SESSION + RETRIEVE_FD), / GiB;
    "touch": reading one byte of every page after that, / GiB; ours fills the page
    cache in the background after RETRIEVE_FD, and a touch waits for the fill, so
    "both" is the row that compares the same work (fd in hand, every page mapped).
 5. "# time reboot" in the old kernel to "# time retrieved" (fd in hand) in the new
    one, TSC.  "over plain": minus B0 of the same run (the median of its two plain
    kexecs); "%": that over B0, per GiB.  "without the jump": each blackout minus its
    own "then to the 1st line" (row 2), over plain the same way: on real time under
    TCG, the overhead rows to read.
    "every page touched": to the end of the probe of row 4 (all memory usable).
 6. memfd_agent: O_DIRECT writes of the memfd to /dev/vda (virtio-blk, raw file,
    cache=none) + fsync, kexec, O_DIRECT read into a new memfd; save start to read
    done, TSC.  Speedup: that / the 4 KiB live update blackout of the same size.
 7. MemFree before - after PRESERVE_FD, / GiB: records, tracker and radix pages (at
    1 GiB THP it is within the noise of per-CPU lists).
 8. sum of kho/out/scratch_len at a cold boot / the VM's RAM.
 9. one run: the 256 MiB memfd is retrieved and preserved again 10 times; MemFree
    after drop_caches with it held.
10. ours: the lu612,blackout stamps of the old kernel and this one (debugfs), then
    the agent's TSC; n runs.
11. ours only, mainline 7.2 cannot preserve a hugetlbfs memfd (its memfd handler
    takes shmem files only): a chain plain -> 1G:2M -> plain -> 1G:1G in a 4 GiB VM with
    hugepagesz=2M hugepages=512 hugepagesz=1G hugepages=1 on every command line;
    the memfd is written with memset(); rows as in 1, 3, 4, 5 and 7, against the
    plain kexec of the same VM."""


ICOUNT_FOOTER = """\
On the instruction counter (-icount shift={shift},sleep=off): every clock of the guests,
the TSC and printk times included, is guest time, {ns} ns per guest instruction, and
idle time is skipped.  The same work takes the same time in every run; the rows count
work in instructions, not the speed of a machine (memory and devices cost nothing
beyond their instructions).  Rows 6, 8 and 9 and the host-clock rows are left out."""


if __name__ == "__main__":
    sys.exit(main())
