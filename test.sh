#!/usr/bin/env bash
# Runs every test of rapport: installs what the browser tests need when it is
# missing (Debian's chromium), then `cargo test`.
set -euo pipefail
cd "$(dirname "$0")"
# The browser tests drive Chromium; one of them edits a note with vim, as a
# user would; the print test reads the printed PDF with pdftotext.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v vim >/dev/null 2>&1 || missing="$missing vim"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing$missing for the browser tests..." >&2
        apt-get update -qq >/dev/null
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
        echo "missing:$missing (cannot install here); browser tests will fail" >&2
    fi
fi
cargo test --release "$@"
