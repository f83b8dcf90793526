#!/usr/bin/env bash
# Runs every test of rapport: installs what the browser tests need when it is
# missing (Debian's chromium), then `cargo test`.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing chromium for the browser tests..." >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "chromium is missing and cannot be installed here; browser tests will fail" >&2
    fi
fi
cargo test --release "$@"
