#!/usr/bin/env bash
# Builds the sample book and a generated 1,000-note book with the binary of
# BEFORE_REV and with the working tree, then compares the two sites byte for
# byte (`diff -r`). Use it after a change that must not alter any output:
#
#   scripts/compare-output.sh 00ed351
#
# Exits 0 when both sites are identical, 1 when they differ. The generated
# book comes from examples/corpus.rs of the working tree, so both binaries
# read the same notes. Both builds use the same --as-of.
set -euo pipefail
cd "$(dirname "$0")/.."
before_rev=${1:?usage: scripts/compare-output.sh BEFORE_REV [NOTES]}
notes=${2:-1000}
as_of=2026-11-01
root=$(pwd)
work=$(mktemp -d)
trap 'git worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# The older revision builds in a target folder of its own (kept between
# runs, so only the first run compiles its dependencies): sharing one would
# let the two binaries overwrite each other.
git worktree add --detach "$work/tree" "$before_rev" >/dev/null
(cd "$work/tree" && CARGO_TARGET_DIR="$root/target/compare-before" \
    cargo build --release --quiet --bin rapport)
cp "$root/target/compare-before/release/rapport" "$work/rapport-before"

cargo build --release --quiet --bin rapport --example corpus
cp "$root/target/release/rapport" "$work/rapport-after"
"$root/target/release/examples/corpus" "$work/corpus" "$notes"

status=0
for book in sample-data "$work/corpus"; do
    name=$(basename "$book")
    for side in before after; do
        "$work/rapport-$side" build "$book" -o "$work/$side-$name" --as-of "$as_of" >/dev/null 2>&1
    done
    # .rapport-inputs records what the build read (rapport's own binary
    # included): it differs between revisions by design.
    if diff -r -x .rapport-inputs "$work/before-$name" "$work/after-$name"; then
        echo "$name: identical ($(find "$work/after-$name" -type f | wc -l) files)"
    else
        echo "$name: DIFFERENT"
        status=1
    fi
done
exit $status
