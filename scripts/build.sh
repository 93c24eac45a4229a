#!/usr/bin/env bash
# `npm run build`: compiles into a fresh dist.tmp-<pid>/, makes the CLI bin executable, then swaps
# it in for dist/ with two renames, so a worker or CLI running from this checkout never finds
# dist/ half-written or missing (as `rm -rf dist && tsc` left it for the whole compile).
# A failed compile leaves the previous dist/ as it was.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp="dist.tmp-$$"
old="dist.old-$$"
trap 'rm -rf "$tmp" "$old"' EXIT
rm -rf "$tmp"
node node_modules/typescript/bin/tsc -p tsconfig.json --outDir "$tmp"
chmod +x "$tmp/src/cli/index.js"
if [[ -e dist ]]; then mv dist "$old"; fi
mv "$tmp" dist
