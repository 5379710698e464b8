#!/usr/bin/env bash
# Make the offline kit for a GPU machine that has no internet and no package registry:
# the C++ dependencies such machines lack, gathered into .offline/ (git-ignored) on a
# machine that reaches Debian's registry and PyPI. scripts/gpu.sh unpacks them there.
#
#   scripts/gpu-kit.sh            # make or refresh .offline/ (seconds when up to date)
#   scripts/gpu-kit.sh --check    # verify an existing kit against its manifest only
#
# What goes in: Debian's own binary packages (Eigen's headers among them, which the
# planner needs), of the versions this machine builds with (the installed version, else
# the candidate), fetched with `apt-get download`; and
# NVML's header from the nvidia-nvml-dev wheel, for GPU clock and throttle readings
# when the GPU machine's toolkit lacks nvml.h; and the upstream sources of the two
# compiled packages (Debian's .orig tarballs of the same versions, checked against the
# sha256 in their .dsc), which scripts/gpu-deps.sh builds on a GPU machine whose system
# libraries are too old for Debian's binaries. .offline/MANIFEST.tsv records each file's
# CMake package, name, version and sha256; the kit must stay under 20 MB.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kit=${SHISHU_KIT_DIR:-$root/.offline}
manifest="$kit/MANIFEST.tsv"
nvml_version=${SHISHU_NVML_DEV_VERSION:-13.0.87}
max_bytes=$((20 * 1000 * 1000))
say() { printf 'gpu-kit: %s\n' "$*" >&2; }
die() { printf 'gpu-kit: error: %s\n' "$1" >&2; exit "${2:-1}"; }

# What the GPU machine lacks, as (CMake package, Debian package). The one list: gpu.sh
# reads the CMake names back from the manifest to decide what to unpack.
entries=(
  "benchmark libbenchmark-dev"
  "benchmark libbenchmark1debian"
  "GTest libgtest-dev"
  "nlohmann_json nlohmann-json3-dev"
  "CLI11 libcli11-dev"
  "Eigen3 libeigen3-dev"  # header-only: the planner's least squares (planner/)
)
# The compiled ones, whose upstream source the kit carries too, as (CMake package, binary
# package whose Debian source package to take).
source_entries=(
  "benchmark libbenchmark-dev"
  "GTest libgtest-dev"
)
mirror=${SHISHU_DEBIAN_MIRROR:-http://deb.debian.org/debian}

verify() {
  [[ -f "$manifest" ]] || return 1
  local ok=0
  while IFS=$'\t' read -r cmake_name name version file sha; do
    [[ "$cmake_name" == "#"* ]] && continue
    if [[ ! -f "$kit/$file" ]]; then say "missing: $file"; ok=1; continue; fi
    [[ $(sha256sum "$kit/$file" | cut -d' ' -f1) == "$sha" ]] || { say "sha256 mismatch: $file"; ok=1; }
  done <"$manifest"
  return "$ok"
}

(($# <= 1)) || die "expected at most one argument, got $#: '$*' (usage: scripts/gpu-kit.sh [--check])" 2
if [[ "${1:-}" == "--check" ]]; then
  verify || die "the kit in $kit is incomplete or damaged; rerun scripts/gpu-kit.sh"
  say "kit verified: $(du -sh "$kit" | cut -f1) in $kit"
  exit 0
elif [[ $# -gt 0 ]]; then
  die "unknown argument '$1' (usage: scripts/gpu-kit.sh [--check])" 2
fi

command -v apt-get >/dev/null || die "apt-get not found: the kit is made from Debian's packages, on a Debian machine" 2

# The version each package is built with here: installed, else what apt would install.
want_version() {
  local v
  v=$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^install ok installed //p')
  [[ -n "$v" ]] || v=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^  Candidate: //p')
  [[ -n "$v" && "$v" != "(none)" ]] || return 1
  printf '%s' "$v"
}

# Up to date: every package at the wanted version, every file intact.
if verify 2>/dev/null; then
  current=1
  for e in "${entries[@]}"; do
    read -r _ name <<<"$e"
    v=$(want_version "$name") || { current=0; break; }
    grep -q "^[^	]*	$name	$v	" "$manifest" || { current=0; break; }
  done
  grep -q "	nvidia-nvml-dev	$nvml_version	" "$manifest" || current=0
  for e in "${source_entries[@]}"; do
    read -r cmake_name _ <<<"$e"
    grep -q "^$cmake_name-source	" "$manifest" || current=0
  done
  if ((current)); then
    say "kit up to date: $(du -sh "$kit" | cut -f1) in $kit"
    exit 0
  fi
fi

rm -rf "$kit.tmp"
mkdir -p "$kit.tmp/debs" "$kit.tmp/wheels"
rows=()
for e in "${entries[@]}"; do
  read -r cmake_name name <<<"$e"
  if ! version=$(want_version "$name"); then
    [[ $(id -u) == 0 ]] && apt-get update -qq
    version=$(want_version "$name") || die "Debian has no package '$name' here"
  fi
  say "downloading $name $version"
  (cd "$kit.tmp/debs" && apt-get download -qq "$name=$version" 2>/dev/null) ||
    { [[ $(id -u) == 0 ]] && apt-get update -qq && (cd "$kit.tmp/debs" && apt-get download -qq "$name=$version"); } ||
    die "apt-get download $name=$version failed"
  file=$(cd "$kit.tmp" && ls debs/"${name}"_*.deb | head -1)
  rows+=("$cmake_name	$name	$version	$file	$(sha256sum "$kit.tmp/$file" | cut -d' ' -f1)")
done

say "downloading nvidia-nvml-dev $nvml_version (nvml.h)"
python3 -m pip download -q --no-deps --only-binary=:all: -d "$kit.tmp/wheels" "nvidia-nvml-dev==$nvml_version" ||
  die "pip could not download nvidia-nvml-dev==$nvml_version"
file=$(cd "$kit.tmp" && ls wheels/nvidia_nvml_dev-*.whl | head -1)
rows+=("nvml	nvidia-nvml-dev	$nvml_version	$file	$(sha256sum "$kit.tmp/$file" | cut -d' ' -f1)")

fetch() {  # URL FILE
  curl -fsSL --retry 2 -o "$2" "$1" 2>/dev/null ||
    python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$1" "$2" 2>/dev/null
}
mkdir -p "$kit.tmp/src"
for e in "${source_entries[@]}"; do
  read -r cmake_name name <<<"$e"
  version=$(want_version "$name")
  # "Source: googletest", or "Source: name (version)" when it differs from the binary's.
  src_field=$(apt-cache show "$name=$version" 2>/dev/null | sed -n 's/^Source: //p' | head -1)
  src=${src_field%% *}
  src=${src:-$name}
  src_version=$(sed -n 's/.*(\(.*\)).*/\1/p' <<<"$src_field")
  src_version=${src_version:-$version}
  letter=${src:0:1}
  [[ "$src" == lib* ]] && letter=${src:0:4}
  pool="$mirror/pool/main/$letter/$src"
  dsc="${src}_${src_version#*:}.dsc"
  say "downloading the source of $src $src_version (for $name)"
  fetch "$pool/$dsc" "$kit.tmp/src/$dsc" || die "could not download $pool/$dsc"
  read -r sha orig < <(awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 }
                            on && $3 ~ /\.orig\.tar\./ { print $1, $3; exit }' "$kit.tmp/src/$dsc") ||
    die "$dsc lists no .orig tarball"
  fetch "$pool/$orig" "$kit.tmp/src/$orig" || die "could not download $pool/$orig"
  [[ $(sha256sum "$kit.tmp/src/$orig" | cut -d' ' -f1) == "$sha" ]] || die "$orig does not match the sha256 in $dsc"
  rm -f "$kit.tmp/src/$dsc"
  rows+=("$cmake_name-source	$src	$src_version	src/$orig	$sha")
done

{
  printf '# shishu-bench GPU kit, made %s on %s (%s)\n' "$(date -u +%FT%TZ)" "$(hostname)" \
    "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  printf '# cmake_package\tpackage\tversion\tfile\tsha256\n'
  printf '%s\n' "${rows[@]}"
} >"$kit.tmp/MANIFEST.tsv"

bytes=$(du -sb "$kit.tmp" | cut -f1)
((bytes <= max_bytes)) || die "the kit is $bytes bytes, over its 20 MB limit"
rm -rf "$kit"
mv "$kit.tmp" "$kit"
say "kit ready: $((bytes / 1000)) kB in $kit ($(grep -vc '^#' "$kit/MANIFEST.tsv") files)"
say "carry it with the checkout to the GPU machine, then run there: scripts/gpu.sh OUT"
