#!/usr/bin/env bash
# Replays one destination's dead letters at a gentle rate during an incident.
# Usage: replay-dlq.sh <destination-url> [rate-per-second]
#
# @plan:PLAN-20251119-DLQREPLAY.P03
# @requirement:REQ-DLQ-003
set -euo pipefail

destination="${1:?usage: replay-dlq.sh <destination-url> [rate-per-second]}"
rate="${2:-1}"
root="${HOOKPOST_ROOT:-/var/lib/hookpost}"

# Never faster than the worker's default for a fresh destination.
if awk -v r="$rate" 'BEGIN { exit !(r > 5) }'; then
  echo "refusing rate $rate/s: above 5/s, use the worker instead" >&2
  exit 2
fi

count=$(python3 -m relay_replay.cli --root "$root" list --destination "$destination" | wc -l)
echo "about to replay $count dead letters to $destination at $rate/s"
read -r -p "type 'replay' to continue: " answer
[[ "$answer" == "replay" ]] || { echo "aborted"; exit 1; }

python3 -m relay_replay.cli --root "$root" replay \
  --destination "$destination" --rate "$rate" --execute
