"""Turns a bench results file into BENCHMARKS.md tables and PNG plots.

    python bench/report.py RESULTS.json OUT.md PLOTS_DIR

The figures section of OUT.md (between the two markers) is replaced; the
text around it — how to read the figures, what the profile showed — is kept.
"""

import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- figures: written by bench/report.py -->"
END = "<!-- end of figures -->"

TARGETS = {
    "throughput": 0.6,
    "hot": 0.5,
    "p99_ms": 20.0,
    "delivery": 2.0,
    "scale": 1.5,
    "idle_mib": 40.0,
    "peak_mib": 150.0,
    "drain_s": 30.0,
}


def verdict(ok):
    return "met" if ok else "**missed**"


def statements(rows):
    """Table 2d: PostgreSQL's top-level statements per change, ours and pgbench's."""
    rows = [t for t in rows if t["handover"].get("statements") and t["baseline"].get("statements")]
    if not rows:
        return []
    out = ["#### 2d. PostgreSQL's statements per change (pg_stat_statements, top level: one round trip each)", "",
           "Besides `BEGIN` and `COMMIT`, which both sides send once per change. 'exec' is the statements' own "
           "time in PostgreSQL, µs per change (wall time, so a saturated machine inflates it); the rest of "
           "PostgreSQL's CPU per change (table 2c) goes to each statement's round trip and to the commit.", "",
           "| ROs | clients | ours: statements | ours: exec µs | pgbench: statements | pgbench: exec µs |",
           "|---:|---:|---:|---:|---:|---:|"]
    for t in rows:
        h, b = t["handover"]["statements"], t["baseline"]["statements"]
        out.append(f"| {t['ros']:,} | {t['concurrency']} | {h['per_change']:.2f} | {h['exec_us_per_change']:.0f} | "
                   f"{b['per_change']:.2f} | {b['exec_us_per_change']:.0f} |")
    first = rows[0]
    out += ["", f"The statements at {first['ros']:,} ROs, {first['concurrency']} clients, heaviest first:", "",
            "| who | statement | per change | mean µs |", "|---|---|---:|---:|"]
    for who, s in (("ours", first["handover"]["statements"]), ("pgbench", first["baseline"]["statements"])):
        for st in s["statements"]:
            text = st["text"].replace("|", "\\|")
            out.append(f"| {who} | `{text}` | {st['per_change']:.2f} | {st['mean_us']:.0f} |")
    out.append("")
    return out


def figures(r, plots_rel):
    out = []
    m = r["machine"]
    out.append(f"Run: {r['date']}{' (quick mode: small sizes, not figures)' if r['quick'] else ''}  ")
    out.append(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']:.0f} GiB, Linux {m['kernel']}; "
               f"{m['postgres']}; {m['rustc']}; Node {m['node']}.")
    out.append("")

    out.append("### 2. Status changes: PUT …/promised-at through the HTTP API vs the bare transaction")
    out.append("")
    out.append("| store | ROs | clients | Handover /s | p50 / p99 ms | baseline | baseline /s | ratio | target ≥ 0.6 |")
    out.append("|---|---:|---:|---:|---:|---|---:|---:|---|")
    for t in r.get("throughput", []):
        h, b = t["handover"], t["baseline"]
        out.append(f"| {t['store']} | {t['ros']:,} | {t['concurrency']} | {h['per_second']:.0f} | "
                   f"{h['response']['p50_ms']:.1f} / {h['response']['p99_ms']:.1f} | {b['tool']} | "
                   f"{b['per_second']:.0f} | {t['ratio']:.2f} | {verdict(t['ratio'] >= TARGETS['throughput'])} |")
    out.append("")

    hot = r.get("hot", [])
    if hot:
        out.append(f"#### 2b. The same on {hot[0]['ros']} busy ROs (every change goes to one of them)")
        out.append("")
        out.append("| store | clients | Handover /s | p50 / p99 ms | pgbench /s | ratio | target ≥ 0.5 |")
        out.append("|---|---:|---:|---:|---:|---:|---|")
        for t in hot:
            h, b = t["handover"], t["baseline"]
            out.append(f"| {t['store']} | {t['concurrency']} | {h['per_second']:.0f} | "
                       f"{h['response']['p50_ms']:.1f} / {h['response']['p99_ms']:.1f} | "
                       f"{b['per_second']:.0f} | {t['ratio']:.2f} | {verdict(t['ratio'] >= TARGETS['hot'])} |")
        out.append("")

    measured = [t for t in r.get("throughput", []) + hot
                if t["handover"].get("cpu") and t["baseline"].get("cpu")]
    if measured:
        out.append("#### 2c. CPU per change, ms (from /proc): who spends it")
        out.append("")
        out.append("The machine is saturated, so throughput follows CPU per change; these move far less "
                   "with the machine's neighbours than the rates do. 'database' is PostgreSQL's processes (SQLite "
                   "runs inside the service, or inside the loop, its baseline). 'CPU ratio' is the baseline's total "
                   "per transaction over ours per change: the throughput ratio a CPU-bound machine would show.")
        out.append("")
        out.append("| store | ROs | clients | service | database | load generator | total | baseline: database | baseline: client | baseline total | CPU ratio |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for t in measured:
            h, b = t["handover"]["cpu"], t["baseline"]["cpu"]
            out.append(f"| {t['store']} | {t['ros']:,} | {t['concurrency']} | {h['service_ms']:.2f} | "
                       f"{h['postgres_ms']:.2f} | {h['client_ms']:.2f} | {h['total_ms']:.2f} | "
                       f"{b['postgres_ms']:.2f} | {b['client_ms']:.2f} | {b['total_ms']:.2f} | "
                       f"{b['total_ms'] / h['total_ms']:.2f} |")
        out.append("")
    out.extend(statements(r.get("throughput", []) + hot))

    lat = r.get("latency", [])
    out.append("### 3. Commit → provider at a steady 200 changes/s (5. at two table sizes)")
    out.append("")
    out.append("| ROs stored | changes | texts matched | p50 ms | p95 ms | p99 ms | max ms | target p99 ≤ 20 ms |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---|")
    for entry in lat:
        x, c = entry["result"], entry["result"]["commit_to_provider"]
        out.append(f"| {entry['ros']:,} | {x['changes']:,} | {x['texts_received']:,} | {c['p50_ms']:.1f} | "
                   f"{c['p95_ms']:.1f} | {c['p99_ms']:.1f} | {c['max_ms']:.1f} | {verdict(c['p99_ms'] <= TARGETS['p99_ms'])} |")
    out.append("")

    out.append("### 5. Scale: the same parts with more ROs stored")
    out.append("")
    pg = [t for t in r.get("throughput", []) if t["store"] == "postgres"]
    sizes = sorted({t["ros"] for t in pg})
    if len(sizes) == 2 and len(lat) == 2:
        small, big = sizes
        out.append(f"| figure | {small:,} ROs | {big:,} ROs | big / small | target |")
        out.append("|---|---:|---:|---:|---|")
        for c in (8, 32):
            a = next((t for t in pg if t["ros"] == small and t["concurrency"] == c), None)
            b = next((t for t in pg if t["ros"] == big and t["concurrency"] == c), None)
            if a and b:
                out.append(f"| status changes/s, {c} clients | {a['handover']['per_second']:.0f} | {b['handover']['per_second']:.0f} | "
                           f"{b['handover']['per_second'] / a['handover']['per_second']:.2f} | — |")
                out.append(f"| response p99 ms, {c} clients | {a['handover']['response']['p99_ms']:.1f} | {b['handover']['response']['p99_ms']:.1f} | "
                           f"{b['handover']['response']['p99_ms'] / max(a['handover']['response']['p99_ms'], 0.001):.2f} | ≤ 1.5 |")
        p_small = lat[0]["result"]["commit_to_provider"]["p99_ms"]
        p_big = lat[1]["result"]["commit_to_provider"]["p99_ms"]
        ratio = p_big / max(p_small, 0.001)
        out.append(f"| commit → provider p99 ms | {p_small:.1f} | {p_big:.1f} | {ratio:.2f} | ≤ 1.5: {verdict(ratio <= TARGETS['scale'])} |")
    out.append("")

    out.append("### 4. Delivery: queued texts drained to the mock provider (messages/s, first to last arrival)")
    out.append("")
    out.append("| provider answers after | Handover | graphile-worker 0.16.6 | pgqueuer 1.6.0 | vs graphile-worker | vs pgqueuer | ceiling (in flight ÷ answer time) | target ≥ 2× graphile-worker |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---|")
    for delay in sorted({d["delay_ms"] for d in r.get("delivery", [])}):
        row = {d["system"]: d for d in r["delivery"] if d["delay_ms"] == delay}
        h, g, q = (row.get(k, {}).get("per_second", 0) for k in ("handover", "graphile-worker", "pgqueuer"))
        jobs = row.get("handover", {}).get("jobs", 0)
        conc = row.get("handover", {}).get("concurrency", 0)
        # With `conc` sends in flight and each answered after `delay` ms, no
        # queue can pass conc / delay: the 2× target can only be met below it.
        ceiling = f"{conc / (delay / 1000):,.0f}/s; Handover at {h / (conc / (delay / 1000)):.0%}" if delay else "—"
        out.append(f"| {delay} ms ({jobs:,} texts, {conc} at a time) | {h:.0f} | {g:.0f} | {q:.0f} | "
                   f"{h / g if g else 0:.2f}× | {h / q if q else 0:.2f}× | {ceiling} | {verdict(g and h / g >= TARGETS['delivery'])} |")
    short = [d for d in r.get("delivery", []) if d.get("received", d["jobs"]) < d["jobs"]]
    if short:
        out.append("")
        out.append("Delivered fewer than queued (the run stops waiting 30 s after the last arrival): " + "; ".join(
            f"{d['system']} at {d['delay_ms']} ms, {d['received']:,} of {d['jobs']:,}" for d in short) + ".")
    out.append("")

    mem = r.get("memory")
    if mem:
        idle = mem["idle_kib"] / 1024
        peak = max(mem["peak_part2_kib"], mem["peak_part3_kib"]) / 1024
        out.append("### 6. Memory (resident set of `handover serve`)")
        out.append("")
        out.append("| idle, worker on | peak during part 2 | peak during part 3 | targets |")
        out.append("|---:|---:|---:|---|")
        out.append(f"| {idle:.1f} MiB | {mem['peak_part2_kib'] / 1024:.1f} MiB | {mem['peak_part3_kib'] / 1024:.1f} MiB | "
                   f"≤ 40 idle: {verdict(idle <= TARGETS['idle_mib'])}; ≤ 150 peak: {verdict(peak <= TARGETS['peak_mib'])} |")
        out.append("")

    c = r.get("crash")
    if c:
        out.append("### 7. Crash run: two instances, SIGKILLs and a PostgreSQL crash")
        out.append("")
        out.append("| changes | kills | PostgreSQL stops | texts written | received | lost | duplicated | drained after last fault | targets |")
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        ok = c["lost"] == 0 and c["duplicated"] == 0 and c["drained_after_last_fault_s"] <= TARGETS["drain_s"]
        out.append(f"| {c['changes']:,} | {c['kills']} | {c['postgres_restarts']} | {c['notifications']:,} | {c['received']:,} | "
                   f"{c['lost']} | {c['duplicated']} | {c['drained_after_last_fault_s']:.1f} s | 0 / 0 / ≤ 30 s: {verdict(ok)} |")
        out.append("")
        out.append(f"Changes with no text written: {c['changes_without_notification']}; requests retried on the other "
                   f"instance while one was down: {c['request_retries']:,}; lease: {c['lease_seconds']} s.")
        out.append("")

    boards = r.get("board", [])
    if boards:
        out.append("### 8. The desk's board: 80 open repair orders, the rest picked up (server time, Server-Timing)")
        out.append("")
        out.append("| ROs stored | requests | board p50 ms | board p99 ms | /healthz p99 ms | board ÷ healthz p99 |")
        out.append("|---:|---:|---:|---:|---:|---:|")
        for b in boards:
            out.append(f"| {b['ros_stored']:,} | {b['requests']} | {b['board']['p50_ms']:.1f} | {b['board']['p99_ms']:.1f} | "
                       f"{b['healthz']['p99_ms']:.2f} | {b['ratio_p99']:.0f} |")
        if len(boards) == 2:
            ratio = boards[1]["board"]["p99_ms"] / max(boards[0]["board"]["p99_ms"], 0.001)
            out.append("")
            out.append(f"p99 at {boards[1]['ros_stored']:,} ÷ at {boards[0]['ros_stored']:,}: {ratio:.2f} "
                       f"(target ≤ 1.5: {verdict(ratio <= TARGETS['scale'])}).")
        out.append("")

    out.append(f"![Latency percentiles]({plots_rel}/latency.png)")
    out.append(f"![Throughput by concurrency]({plots_rel}/throughput.png)")
    return "\n".join(out)


def plots(r, plots_dir):
    os.makedirs(plots_dir, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 4))
    labels = ["p50", "p95", "p99", "max"]
    for entry in r.get("latency", []):
        c = entry["result"]["commit_to_provider"]
        ax.plot(labels, [c["p50_ms"], c["p95_ms"], c["p99_ms"], c["max_ms"]], marker="o", label=f"{entry['ros']:,} ROs stored")
    ax.axhline(20, color="grey", linestyle="--", label="p99 target (20 ms)")
    ax.set_ylabel("ms from API response to the provider")
    ax.set_title("Commit → provider at 200 changes/s")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(plots_dir, "latency.png"), dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    groups = {}
    for t in r.get("throughput", []):
        groups.setdefault((t["store"], t["ros"]), []).append(t)
    for (store, ros), rows in sorted(groups.items()):
        rows.sort(key=lambda t: t["concurrency"])
        xs = [t["concurrency"] for t in rows]
        line = ax.plot(xs, [t["handover"]["per_second"] for t in rows], marker="o", label=f"Handover, {store}, {ros:,} ROs")
        ax.plot(xs, [t["baseline"]["per_second"] for t in rows], marker="x", linestyle="--", color=line[0].get_color(),
                label=f"{rows[0]['baseline']['tool']}, {ros:,} ROs")
    ax.set_xlabel("concurrent clients")
    ax.set_ylabel("status changes per second")
    ax.set_xticks([8, 32])
    ax.set_title("Status-change throughput (solid) vs the bare transaction (dashed)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(plots_dir, "throughput.png"), dpi=100)
    plt.close(fig)


def main():
    results, md, plots_dir = sys.argv[1:4]
    with open(results) as f:
        r = json.load(f)
    plots(r, plots_dir)
    rel = os.path.relpath(plots_dir, os.path.dirname(os.path.abspath(md)))
    body = figures(r, rel)
    text = open(md).read() if os.path.exists(md) else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1] if END in rest else ""
    with open(md, "w") as f:
        f.write(f"{head}{BEGIN}\n{body}\n{END}{tail}")


if __name__ == "__main__":
    main()
