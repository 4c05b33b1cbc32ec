#!/usr/bin/env python3
"""Side-by-side table of the Weft store benchmarks and the LangGraph.js peer, as markdown.

usage: compare.py <weft-results.jsonl> <peer-results/raw.jsonl>
Medians over the runs of each configuration; ratio = LangGraph.js / Weft for times (how many
times faster Weft is) and Weft / LangGraph.js for throughputs and sizes as labelled.
"""
import json
import statistics
import sys
from collections import defaultdict


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def weft_key(r):
    b = r["bench"]
    if b == "linear":
        g = r.get("sync_writes_grace_ms", 0)
        x = r.get("exclusive_locking", False)
        return f"linear/{r['saver']}{'+grace' if g else ''}{'+exclusive' if x else ''}/n={r['n']}"
    if b == "growing":
        return f"growing/{r['saver']}/n={r['n']}"
    if b == "resume":
        return f"resume/{r['fixture']}/n={r['n']}"
    if b == "threads":
        return f"threads/{r['mode']}/{r['saver']}/t={r['threads']}"
    if b == "saver":
        g = r.get("sync_writes_grace_ms", 0)
        grow = "/growing" if r.get("growing") else ""
        return f"saver/payload={r['payload']}{'+grace' if g else ''}{grow}/n={r['n']}"
    return b


def peer_key(r):
    b = r["bench"]
    if b == "linear":
        return f"linear/{r['saver']}/n={r['n']}"
    if b == "growing":
        return f"growing/{r['mode']}/n={r['n']}"
    if b == "resume":
        return f"resume/{r['fixture']}/n={r['n']}"
    if b == "threads":
        return f"threads/{r['mode']}/t={r['threads']}"
    if b == "saver":
        return f"saver/payload={r['payload']}/n={r['n']}"
    return b


def get(r, path):
    for p in path.split("."):
        r = r[p]
    return r


def med(rows, key, path):
    vals = [get(r, path) for r in rows.get(key, [])]
    return statistics.median(vals) if vals else None


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if abs(v) >= 100:
        s = f"{v:,.0f}"
    elif abs(v) >= 10:
        s = f"{v:.1f}"
    else:
        s = f"{v:.2f}"
    return s + unit


def main():
    weft, peer = defaultdict(list), defaultdict(list)
    for r in load(sys.argv[1]):
        weft[weft_key(r)].append(r)
    for r in load(sys.argv[2]):
        if r.get("bench") in ("resume-prepare",):
            continue
        peer[peer_key(r)].append(r)

    lines = ["| workload | metric | Weft | LangGraph.js | ratio |", "|---|---|---|---|---|"]

    def row(name, metric, wk, wp, pk, pp, unit, lower_is_better=True, scale_w=1.0, scale_p=1.0, word=None):
        w = med(weft, wk, wp)
        p = med(peer, pk, pp) if pk else None
        w = w * scale_w if w is not None else None
        p = p * scale_p if p is not None else None
        ratio = "n/a"
        if w and p and word != "":
            word_ = word or ("faster" if lower_is_better else "")
            r = p / w if lower_is_better else w / p
            ratio = (f"{r:,.0f}x" if r >= 10 else f"{r:.1f}x") + (f" {word_}" if word_ else "")
        elif word == "":
            ratio = "-"
        lines.append(f"| {name} | {metric} | {fmt(w, unit)} | {fmt(p, unit)} | {ratio} |")

    for n in (1000, 10000):
        row(f"(a) self-loop, N={n}, durability sync", "µs/step", f"linear/sqlite-sync/n={n}", "us_per_step",
            f"linear/sqlite-sync/n={n}", "us_per_step", " µs")
        row(f"(a) same", "CPU µs/step (process)", f"linear/sqlite-sync/n={n}", "cpu_us_per_step",
            f"linear/sqlite-sync/n={n}", "cpu_ms", " µs", scale_p=1000 / n)
        row(f"(a) same, exclusive locking (opt-in, file unusable by others)", "µs/step",
            f"linear/sqlite-sync+exclusive/n={n}", "us_per_step", f"linear/sqlite-sync/n={n}", "us_per_step", " µs")
        row(f"(a) same, exclusive", "CPU µs/step (process)", f"linear/sqlite-sync+exclusive/n={n}", "cpu_us_per_step",
            f"linear/sqlite-sync/n={n}", "cpu_ms", " µs", scale_p=1000 / n)
        row(f"(a) self-loop, N={n}, durability async (LangGraph default)", "µs/step", f"linear/sqlite/n={n}",
            "us_per_step", f"linear/sqlite/n={n}", "us_per_step", " µs")
        row(f"(a) same, async", "CPU µs/step (process)", f"linear/sqlite/n={n}", "cpu_us_per_step",
            f"linear/sqlite/n={n}", "cpu_ms", " µs", scale_p=1000 / n)
        row(f"(a) self-loop, N={n}, durability exit", "µs/step", f"linear/sqlite-exit/n={n}", "us_per_step",
            f"linear/sqlite-exit/n={n}", "us_per_step", " µs")
        row(f"(a) self-loop, N={n}, no checkpointer", "µs/step", f"linear/none/n={n}", "us_per_step",
            f"linear/none/n={n}", "us_per_step", " µs")
    for saver, label in (("sqlite", "async"), ("sqlite-sync", "sync")):
        k = f"growing/{saver}/n=1000"
        row(f"(b) 1,000 appended messages ({label})", "µs/step, first 100", k, "us_per_step_first_window",
            "growing/reducer/n=1000", "us_per_step_first_window", " µs")
        row(f"(b) same ({label})", "µs/step, last 100", k, "us_per_step_last_window",
            "growing/reducer/n=1000", "us_per_step_last_window", " µs")
        row(f"(b) same ({label})", "CPU µs/step (process, whole run)", k, "cpu_us_per_step", "growing/reducer/n=1000",
            "cpu_ms", " µs")
        row(f"(b) same ({label})", "last / first", k, "growth_ratio_last_over_first", "growing/reducer/n=1000",
            "growth_ratio_last_over_first", "", word="")
        # The peer reports window means only; a window mean also counts one-off costs that land
        # in it (a periodic WAL checkpoint's fsync, the end-of-run flush), the median does not.
        row(f"(b) same ({label})", "median µs/step, first 100", k, "us_per_step_first_window_median", None, None, " µs")
        row(f"(b) same ({label})", "median µs/step, last 100", k, "us_per_step_last_window_median", None, None, " µs")
        row(f"(b) same ({label})", "last / first, median step", k, "growth_ratio_median", None, None, "", word="")
        row(f"(b) same ({label})", "DB MiB after wal_checkpoint", k, "db_bytes_after_wal_checkpoint",
            "growing/reducer/n=1000", "sizes.after_wal_checkpoint.db", " MiB", scale_w=1 / 2**20, scale_p=1 / 2**20,
            word="smaller")
    row("(b) store alone (no engine), sync, 1,000 appends", "CPU µs/step first 100", "saver/payload=0/growing/n=1000",
        "cpu_us_per_step_first_100", None, None, " µs")
    row("(b) same", "CPU µs/step last 100", "saver/payload=0/growing/n=1000", "cpu_us_per_step_last_100", None, None, " µs")
    for fixture in ("linear", "growing"):
        k = f"resume/{fixture}/n=1000"
        row(f"(d) {fixture} 1,000-step thread, fresh process", "load latest, first call", k, "getState_first_ms", k,
            "getState_first_ms", " ms")
        row(f"(d) same", "load latest, warm median", k, "getState_warm_median_ms", k, "getState_warm_median_ms", " ms")
        row(f"(d) same", "full history, first call", k, "getStateHistory_first_ms", k, "getStateHistory_first_ms",
            " ms")
        row(f"(d) same", "full history, repeat", k, "getStateHistory_repeat_median_ms", k,
            "getStateHistory_repeat_median_ms", " ms")
    row("(e) 1,000 threads x 10 steps, sequential (async)", "runs/s", "threads/sequential/sqlite/t=1000",
        "runs_per_sec", "threads/sequential/t=1000", "runs_per_sec", "", lower_is_better=False)
    row("(e) same", "CPU µs/run (process)", "threads/sequential/sqlite/t=1000", "cpu_ms", "threads/sequential/t=1000",
        "cpu_ms", " µs")
    row("(e) same, sync durability", "runs/s", "threads/sequential/sqlite-sync/t=1000", "runs_per_sec",
        "threads/sequential/t=1000", "runs_per_sec", "", lower_is_better=False)
    row("(e) same, 50 concurrent runs", "runs/s", "threads/concurrent/sqlite/t=1000", "runs_per_sec",
        "threads/concurrent/t=1000", "runs_per_sec", "", lower_is_better=False)
    for payload in (0, 2000):
        k = f"saver/payload={payload}/n=10000"
        row(f"(f) raw store, payload {payload} B", "put checkpoint", k, "us_per_put", k, "us_per_put", " µs")
        row(f"(f) same", "put 3 writes", k, "us_per_putWrites3", k, "us_per_putWrites3", " µs")
        row(f"(f) same", "get latest (median)", k, "getTuple_latest_median_us", k, "getTuple_latest_median_us", " µs")
        row(f"(f) same", "list 10,000", k, "list_all_ms", k, "list_all_ms", " ms")
    row("(f) raw store, payload 0", "CPU µs/step (put + 3 writes, process)", "saver/payload=0/n=10000", "cpu_ms",
        "saver/payload=0/n=10000", "cpu_ms", " µs", scale_w=0.1, scale_p=0.1)
    print("\n".join(lines))

    # Run conditions, so a reader can judge the noise.
    loads = [r.get("loadavg_1m_at_start") for rs in weft.values() for r in rs if r.get("loadavg_1m_at_start") is not None]
    others = [r["process"]["other_cpu_cores"] for rs in peer.values() for r in rs if "process" in r]
    if loads:
        print(f"\nWeft runs: 1-min load average at start median {statistics.median(loads):.1f} "
              f"(min {min(loads):.1f}, max {max(loads):.1f}); "
              f"{sum(len(v) for v in weft.values())} runs.")
    if others:
        print(f"LangGraph.js runs: other processes used median {statistics.median(others):.2f} cores during a run "
              f"(min {min(others):.2f}, max {max(others):.2f}); {sum(len(v) for v in peer.values())} runs.")


if __name__ == "__main__":
    main()
