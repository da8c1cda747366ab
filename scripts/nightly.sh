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
  "plans/soak.yaml|0|--duration $SOAK"
)
if [ "$(id -u)" = 0 ]; then
  runs+=("plans/partition.yaml|0|" "plans/seeds/divergence-skip-prev-check.yaml|1|"
    "plans/seeds/restate-stuck-appenders.yaml|1|" "plans/seeds/braft-leak-on-retry.yaml|1|")
else
  echo "nightly: not root, skipping the lab-network plans (partition; divergence, stuck-appenders and leak seeds)"
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
