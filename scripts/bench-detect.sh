#!/usr/bin/env bash
# Time to detection with and without scheduling faults (`make bench-detect`, issue 15).
#
# For each race (the two seed plans), N runs of the seed plan as it is (with its `jitter` steps; the plan's own
# length, 2 minutes at most) and N runs of the same plan with the `jitter` steps taken out, each capped at CAP
# (counted as not found when the checker finds nothing). Seeds vary per run. Prints, per run, the time until the
# checker's finding first applies (a lag stall that lasts to the end of the run: its start plus `stall_after`; a
# crash on shutdown: the exit), the
# mean time to detection both ways (runs that found nothing count as CAP, so the "without" mean is a lower bound),
# the ratio, the share of runs that caught it, and the ok operations per second of each way (the throughput the
# scheduling faults cost).
#
#   N=5 CAP=10m bash scripts/bench-detect.sh          # defaults: N=5, CAP=10m
#   ONLY=lost-wakeup N=3 CAP=5m bash scripts/bench-detect.sh
#   WAYS=with N=10 bash scripts/bench-detect.sh          # only the runs with the faults (how often they catch it)
set -uo pipefail
cd "$(dirname "$0")/.."
CHAOS=${CHAOS:-.build/release/chaos}
N=${N:-5}
CAP=${CAP:-10m}
ONLY=${ONLY:-}
OUT=${OUT:-.build/bench-detect}
PARALLEL=${PARALLEL:-1}
mkdir -p "$OUT"
rm -f "$OUT/results.txt"

# name | seed plan | checker | words of its finding
races=(
  "lost-wakeup|plans/seeds/braft-lost-wakeup.yaml|lag|stalled"
  "unsafe-shutdown|plans/seeds/cubefs-shutdown-race.yaml|crash|crash on shutdown"
)

# Writes the plan without its `jitter` steps (the same workload and other faults) to $2.
without_jitter() {
  python3 - "$1" "$2" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
out, item, in_nemesis = [], [], False
def flush():
    if item and not any(re.search(r"faults?: *\[?[^\]]*\bjitter\b", l) for l in item):
        out.extend(item)
    item.clear()
for line in lines:
    if line.startswith("nemesis:"):
        in_nemesis = True
        out.append(line)
        continue
    if in_nemesis and line.startswith("  - "):
        flush(); item.append(line); continue
    if in_nemesis and line.startswith("    ") and item:
        item.append(line); continue
    if in_nemesis:
        flush(); in_nemesis = False
    out.append(line)
flush()
text = "\n".join(out)
if "nemesis:\n  -" not in text:
    text = text.replace("nemesis:\n", "nemesis: []\n")
open(sys.argv[2], "w").write(text)
PY
}

# Prints "<seconds or -> <ok ops/s>" for one finished run directory.
judge() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys, re
run, checker, words = sys.argv[1:4]
try:
    results = json.load(open(run + "/results.json"))
except Exception:
    print("- 0"); sys.exit()
found = None
for check in results.get("checks", []):
    if check.get("name") != checker or check.get("verdict") != "invalid":
        continue
    for f in check.get("findings", []):
        text = " ".join([f.get("message", "")] + f.get("details", []))
        # A lost wakeup is for good: only a stall that lasts until the end counts (a loaded machine shows short
        # stalls of a slow follower that catch up again; those are not this race).
        if checker == "lag" and "until the end" not in text:
            continue
        if words in text and f.get("time") is not None:
            t = f["time"]
            if checker == "lag":
                m = re.search(r"stall_after:\s*([0-9.]+)s", open(run + "/plan.yaml").read())
                t += float(m.group(1)) if m else 0
            found = t if found is None else min(found, t)
stats = next((c for c in results.get("checks", []) if c.get("name") == "stats"), {})
ok = stats.get("metrics", {}).get("okPerSecond", 0)
print(("%.1f" % found) if found is not None else "-", "%.0f" % ok)
PY
}

for race in "${races[@]}"; do
  IFS='|' read -r name plan checker words <<<"$race"
  [ -n "$ONLY" ] && [[ ! "$name" =~ $ONLY ]] && continue
  plain="$OUT/$name-without-jitter.yaml"
  without_jitter "$plan" "$plain"
  for way in ${WAYS:-with without}; do
    file=$plan; extra=()
    if [ $way = without ]; then file=$plain; extra=(--duration "$CAP"); fi
    for i in $(seq 1 "$N"); do
      seed=$((1000 * i + ${#name}))
      dir="$OUT/$name-$way-$i"
      rm -rf "$dir"
      "$CHAOS" run "$file" --quiet --seed "$seed" --out "$dir" "${extra[@]}" >/dev/null 2>&1
      read -r t ok < <(judge "$dir/latest" "$checker" "$words")
      echo "$name $way run $i (seed $seed): detected ${t}${t:+ s} ; ok ops/s $ok" | sed 's/- s/not found/'
      echo "$name $way $i $t $ok" >>"$OUT/results.txt"
    done
  done
done

python3 - "$OUT/results.txt" "$CAP" <<'PY'
import sys, collections
cap_text = sys.argv[2]
cap = float(cap_text[:-1]) * {"s": 1, "m": 60, "h": 3600}[cap_text[-1]]
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, way, i, t, ok = line.split()
    rows[(name, way)].append((None if t == "-" else float(t), float(ok)))
for name in sorted({k[0] for k in rows}):
    print(f"\n{name}:")
    means = {}
    for way in ("with", "without"):
        runs = rows.get((name, way), [])
        if not runs: continue
        times = [t if t is not None else (cap if way == "without" else 120.0) for t, _ in runs]
        caught = sum(t is not None for t, _ in runs)
        means[way] = sum(times) / len(times)
        ok = sum(o for _, o in runs) / len(runs)
        bound = " (a lower bound: runs that found nothing count as the cap)" if caught < len(runs) else ""
        print(f"  {way:7} jitter: caught in {caught}/{len(runs)} runs, mean time to detection "
              f"{means[way]:.1f} s{bound}; ok ops/s {ok:.0f}")
    if "with" in means and "without" in means and means["with"] > 0:
        print(f"  ratio: {means['without'] / means['with']:.1f}x faster with jitter")
PY
