#!/usr/bin/env python3
"""For measuring judging memory (issue 13): `python3 scripts/gen-big-history.py DIR CALLS` then
`/usr/bin/time -v chaos analyze DIR`. Writes a linearizable cas-register run directory (plan.yaml +
history.jsonl) of CALLS calls (2 x CALLS events): 16 clients, 8 keys, overlapping calls, each taking effect at a
point inside its interval."""
import heapq, random, sys, os
n_calls = int(sys.argv[2]); out = sys.argv[1]
os.makedirs(out, exist_ok=True)
open(f"{out}/plan.yaml", "w").write("""name: big-history
duration: 3600s
cluster: { system: raft-node, nodes: 3 }
workload: { kind: cas-register, keys: 8, clients: 16, rate: 500/s, timeout: 1s }
checks: { stats: {}, linearizable: {}, liveness: {} }
""")
rng = random.Random(1)
state = {}
fresh = [1]
def new():
    fresh[0] += 1; return fresh[0]
events = []  # (time, seq, kind, client, payload)
seq = 0
clients = 16
t = [0] * clients
heap = []
for c in range(clients):
    heapq.heappush(heap, (rng.randint(0, 2000_000), c))
idx = 0
f = open(f"{out}/history.jsonl", "w")
pending = []  # heap of (time, seq, line-producer)
lines = []
done = 0
# schedule: each call: invoke at t0, effect at t1, complete at t2; clients sequential
calls = []
for c in range(clients):
    t[c] = rng.randint(0, 2_000_000)
evq = []
def schedule(c):
    global seq
    t0 = t[c]; t1 = t0 + rng.randint(100_000, 3_000_000); t2 = t1 + rng.randint(100_000, 3_000_000)
    t[c] = t2 + rng.randint(1_000_000, 30_000_000)
    key = f"k{rng.randrange(8)}"; roll = rng.random()
    if roll < 0.5: op = ("read", key, None)
    elif roll < 0.7: op = ("write", key, new())
    else: op = ("cas", key, (state.get(key) or new(), new()))
    seq += 1; heapq.heappush(evq, (t0, seq, "invoke", c, op))
    seq += 1; heapq.heappush(evq, (t1, seq, "effect", c, op))
    seq += 1; heapq.heappush(evq, (t2, seq, "complete", c, op))
for c in range(clients): schedule(c)
results = {}
started = 0
buf = []
while evq:
    tm, _, kind, c, op = heapq.heappop(evq)
    fn, key, v = op
    if kind == "invoke":
        val = "null" if fn == "read" else (str(v) if fn == "write" else f"[{v[0]},{v[1]}]")
        buf.append(f'{{"index":{idx},"time":{tm},"process":{c},"type":"invoke","f":"{fn}","key":"{key}","value":{val},"node":"n1"}}\n'); idx += 1
    elif kind == "effect":
        if fn == "read": results[c] = state.get(key)
        elif fn == "write": state[key] = v; results[c] = True
        else:
            if state.get(key) == v[0]: state[key] = v[1]; results[c] = True
            else: results[c] = False
    else:
        r = results.pop(c)
        if fn == "read":
            val = "null" if r is None else str(r)
            buf.append(f'{{"index":{idx},"time":{tm},"process":{c},"type":"ok","f":"read","key":"{key}","value":{val},"node":"n1"}}\n')
        elif fn == "write":
            buf.append(f'{{"index":{idx},"time":{tm},"process":{c},"type":"ok","f":"write","key":"{key}","value":{v},"node":"n1"}}\n')
        else:
            if r: buf.append(f'{{"index":{idx},"time":{tm},"process":{c},"type":"ok","f":"cas","key":"{key}","value":[{v[0]},{v[1]}],"node":"n1"}}\n')
            else: buf.append(f'{{"index":{idx},"time":{tm},"process":{c},"type":"fail","f":"cas","key":"{key}","value":[{v[0]},{v[1]}],"error":"mismatch","node":"n1"}}\n')
        idx += 1; started += 1
        if len(buf) > 10000: f.write("".join(buf)); buf = []
        if started < n_calls: schedule(c)
f.write("".join(buf))
