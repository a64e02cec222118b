#!/usr/bin/env bash
# Builds the real tools this repo's tests need from their Go modules into a cache
# outside the repo. Each tool is skipped when its pinned version is already there.
# Usage: scripts/install-tools.sh [opa ...]   (no argument: all tools)
set -euo pipefail

CACHE="${KUBESCAPE_DEV_CACHE:-$HOME/.cache/kubescape-dev}"
BIN="$CACHE/bin"
mkdir -p "$BIN"

OPA_VERSION="v1.22.3"

install_go_tool() { # name module version
  local name="$1" module="$2" version="$3"
  local stamp="$BIN/.$name.version"
  if [[ -x "$BIN/$name" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    return 0
  fi
  echo "building $name $version from $module (first time only)…" >&2
  GOBIN="$BIN" CGO_ENABLED=0 go install "$module@$version"
  echo "$version" > "$stamp"
}

tools=("$@")
[[ ${#tools[@]} -eq 0 ]] && tools=(opa)
for t in "${tools[@]}"; do
  case "$t" in
    opa) install_go_tool opa github.com/open-policy-agent/opa "$OPA_VERSION" ;;
    *) echo "unknown tool: $t" >&2; exit 2 ;;
  esac
done
echo "$BIN"
