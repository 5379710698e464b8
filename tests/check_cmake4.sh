#!/usr/bin/env bash
# The test suite must be listable under CMake 4.x as well as Debian's 3.25: a CMake 4
# image once refused our generated discovery file, and ctest then ran nothing at all.
# This installs CMake 4.x from the Python package index into a private environment (the
# per-user cache), configures and builds the project's test targets with it, and checks
# that `ctest -N` lists exactly the tests the given reference build lists, the GPU ones
# among them. Usage: tests/check_cmake4.sh REFERENCE_BUILD_DIR [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
reference=${1:?usage: check_cmake4.sh REFERENCE_BUILD_DIR [BUILD_DIR]}
build=${2:-$root/build/cmake4}
cache=${SHISHU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shishu-bench}
spec=${SHISHU_CMAKE4_SPEC:-cmake>=4.0,<5}
venv="$cache/cmake4"
say() { echo "check_cmake4: $*" >&2; }

if [[ ! -f "$venv/.complete" ]]; then
  say "installing '$spec' into $venv (once per machine)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q "$spec"
  touch "$venv/.complete"
fi
cmake4="$venv/bin/cmake"
ctest4="$venv/bin/ctest"
version=$("$cmake4" --version | head -1)
[[ "$version" == "cmake version 4."* ]] || { say "expected CMake 4.x, got '$version'"; exit 1; }
say "$version"

# The same cache variables as the release preset (CMakePresets.json), with CMake 4's
# own configure, build and test listing.
set -a
# shellcheck disable=SC1091
source "$root/build/setup.env"
set +a
"$cmake4" -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$SHISHU_TORCH_PREFIX" \
  -DSHISHU_PLOT_PYTHON="$SHISHU_PLOT_PYTHON" -DSHISHU_PARITY_PYTHON="$SHISHU_PARITY_PYTHON" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log" >&2; say "configure with CMake 4 failed"; exit 1; }
"$cmake4" --build "$build" >"$build.build.log" 2>&1 ||
  { tail -50 "$build.build.log" >&2; say "build with CMake 4 failed"; exit 1; }

# Test names only: "  Test  #12: Suite.Name".
list() { (cd "$1" && "$2" -N "${@:3}") | sed -n 's/^ *Test *#[0-9]*: //p' | sort; }
ours=$(list "$build" "$ctest4") || { say "ctest -N failed under CMake 4"; exit 1; }
theirs=$(list "$reference" ctest)
gpu=$(list "$build" "$ctest4" -L gpu | wc -l)
if [[ "$ours" != "$theirs" ]]; then
  say "CMake 4 lists other tests than the reference build:"
  diff <(echo "$theirs") <(echo "$ours") >&2 || true
  exit 1
fi
[[ "$gpu" -ge 1 ]] || { say "CMake 4 lists no GPU-labelled test"; exit 1; }
say "ok: $(echo "$ours" | wc -l) tests listed, $gpu GPU-labelled, the same as $reference"
