#!/usr/bin/env bash
# Screenshots of the example site for the README: builds content-example/ with the
# tracemark binary given (default: target/release/tracemark, built when missing) and
# takes 1280×800 pictures of its index and of one requirement page with headless
# Chromium (Debian's `chromium` package, or CHROMIUM=/path/to/chrome).
#
#   scripts/screenshot.sh [TRACEMARK]     → docs/screenshot-index.png, docs/screenshot-requirement.png
set -euo pipefail
cd "$(dirname "$0")/.."
tm=${1:-target/release/tracemark}
[ -x "$tm" ] || cargo build --release
chromium=${CHROMIUM:-chromium}
site=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$site" "$profile"' EXIT
# SOURCE_DATE_EPOCH fixes the build date in the footer, so the pictures change only when the pages do.
SOURCE_DATE_EPOCH=1764547200 "$tm" build content-example --out "$site/out" --force >/dev/null
shot() { # shot PAGE PNG
  "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1280,800 \
    --screenshot="$PWD/$2" "file://$site/out/$1" >/dev/null 2>&1
  echo "wrote $2"
}
shot index.html docs/screenshot-index.png
shot plans/PLAN-20251104-INGRESS-HARDENING/requirements/REQ-ING-002.html docs/screenshot-requirement.png
