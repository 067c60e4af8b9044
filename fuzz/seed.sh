#!/bin/sh
# Seeds each fuzz target's corpus (fuzz/corpus/<target>/) from the test fixtures and
# the example project: markdown documents for the plan readers and the renderer,
# every text file for the marker scanner, `tracemark.toml` files for the config.
# Run from the repository root: `sh fuzz/seed.sh`.
set -eu
cd "$(dirname "$0")/.."
seed() { # seed TARGET FILE...
    mkdir -p "fuzz/corpus/$1"
    target=$1
    shift
    for f in "$@"; do
        cp "$f" "fuzz/corpus/$target/$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
    done
}
md=$(find tests/fixtures content-example -type f \( -name '*.md' -o -name '*.json' \) -not -path '*/.tracemark-cache/*' | sort)
all=$(find tests/fixtures content-example -type f -size -64k -not -path '*/.tracemark-cache/*' | sort)
toml=$(find tests/fixtures content-example -type f -name 'tracemark.toml' | sort)
for t in declarations headings requirements tables trackers completion_records items markdown; do
    # shellcheck disable=SC2086
    seed "$t" $md
done
# shellcheck disable=SC2086
seed markers $all
# shellcheck disable=SC2086
seed config $toml
echo "seeded fuzz/corpus/"
