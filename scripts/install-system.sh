#!/usr/bin/env bash
# Installs the Debian packages the consumers test tier reads reports with, only those whose
# command is missing: chromium (html), poppler-utils (pdftotext, pdftoppm, pdfinfo), and
# libxml2-utils (xmllint). Idempotent; run as root (or through sudo) on Debian 12.
set -euo pipefail

declare -A NEEDS=(
  [chromium]=chromium
  [pdftotext]=poppler-utils
  [pdftoppm]=poppler-utils
  [pdfinfo]=poppler-utils
  [xmllint]=libxml2-utils
)

missing=()
for cmd in "${!NEEDS[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDS[$cmd]}")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-system: need root (or sudo) to install: ${packages[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
install() { "${SUDO[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null; }
echo "install-system: installing ${packages[*]}" >&2
# a fresh machine has no package lists yet: update once and retry
install || { "${SUDO[@]}" apt-get update -qq >/dev/null && install; }
