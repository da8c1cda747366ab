#!/usr/bin/env bash
# The nightly run: longer plans, every seed plan, and a soak, each against the release build. A plan ends as
# expected (clean plans valid, seed plans invalid because their bug was caught) or the night fails.
# Run directories land in runs/; every summary.md is appended to $GITHUB_STEP_SUMMARY when it is set.
set -uo pipefail
cd "$(dirname "$0")/.."
CHAOS=${CHAOS:-.build/release/chaos}
OUT=${OUT:-runs}
SOAK=${SOAK:-10m}
# A regular expression: run only the plans whose path matches (ONLY=seeds/ runs the seed plans alone).
ONLY=${ONLY:-}
failed=0

# plan | expected exit code | extra arguments
runs=(
  "plans/quickstart.yaml|0|--duration 2m"
  "plans/leader-churn.yaml|0|"
  "plans/shutdown-under-load.yaml|0|"
  "plans/seeds/braft-lost-wakeup.yaml|1|"
  "plans/seeds/cubefs-shutdown-race.yaml|1|"
  "plans/cas-100k.yaml|0|"
  "plans/custom-raft-node.yaml|0|--duration 1m"
  "plans/soak.yaml|0|--duration $SOAK"
  "plans/etcd-kill.yaml|0|"
  "plans/etcd-pause.yaml|0|"
)
if [ -x /usr/bin/etcd ]; then
  runs+=("plans/custom-etcd.yaml|0|--duration 1m")
else
  echo "nightly: /usr/bin/etcd missing (apt-get install etcd-server), skipping plans/custom-etcd.yaml"
fi
if [ "$(id -u)" = 0 ]; then
  runs+=("plans/partition.yaml|0|" "plans/seeds/divergence-skip-prev-check.yaml|1|"
    "plans/seeds/restate-stuck-appenders.yaml|1|" "plans/seeds/braft-leak-on-retry.yaml|1|"
    "plans/seeds/tikv-paused-writer.yaml|1|")
  runs+=("plans/etcd-leader-isolation.yaml|0|" "plans/etcd-ci.yaml|0|")
  # The FUSE disk layer (disk: cached) mounts as root here.
  runs+=("plans/seeds/lost-write-ack-before-fsync.yaml|1|" "plans/etcd-power-failure.yaml|0|")
  # Membership changes under load (both systems) and its seed; 5-node mixed faults (leak checker on).
  runs+=("plans/membership-churn.yaml|0|" "plans/etcd-membership.yaml|0|" "plans/seeds/restate-half-reconfig.yaml|1|"
    "plans/mixed-faults.yaml|0|" "plans/etcd-mixed-faults.yaml|0|" "plans/etcd-torn-write.yaml|0|")
else
  echo "nightly: not root, skipping the lab-network plans (partition, etcd isolation; divergence, stuck-appenders, leak and TiKV seeds)"
fi

for entry in "${runs[@]}"; do
  IFS='|' read -r plan expected extra <<<"$entry"
  if [ -n "$ONLY" ] && ! [[ $plan =~ $ONLY ]]; then continue; fi
  echo "::group::$plan (expect exit $expected)"
  # shellcheck disable=SC2086
  "$CHAOS" run "$plan" --out "$OUT" $extra
  code=$?
  echo "::endgroup::"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$OUT/latest/summary.md" ]; then
    cat "$OUT/latest/summary.md" >> "$GITHUB_STEP_SUMMARY"
  fi
  if [ "$code" != "$expected" ]; then
    echo "nightly: $plan exited $code, expected $expected"
    failed=1
  fi
done

[ -d "$OUT/quickstart" ] && { "$CHAOS" lag "$OUT"/quickstart/* || true; }
exit $failed
