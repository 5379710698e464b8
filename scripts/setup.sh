#!/usr/bin/env bash
# Idempotent, non-interactive setup: Debian build packages and a LibTorch.
#
# LibTorch, first found wins:
#   1. $Torch_DIR, or a TorchConfig.cmake under $CMAKE_PREFIX_PATH (an existing LibTorch,
#      e.g. the official zip);
#   2. a `python3` whose torch imports (a GPU runner's own PyTorch);
#   3. torch==$SHISHU_TORCH_VERSION from PyPI, installed into a virtual environment in a
#      per-user cache keyed by version (~/.cache/shishu-bench/torch-2.11.0), so fresh
#      clones reuse it; `.venv` in the checkout links to it (git-ignored).
# matplotlib (plots only): python3's if it has one, else a venv in the same cache.
# transformers (parity tests only): into the Python that holds the torch in use.
# NVML's header (nvml.h, for GPU clock and throttle readings): the CUDA toolkit's, else
# the nvidia-nvml-dev wheel unpacked into the same cache; the library itself is loaded
# from the driver at run time.
# Writes build/setup.env (SHISHU_TORCH_PREFIX=..., SHISHU_PLOT_PYTHON=...) for the other
# scripts and prints what it found. A second run takes seconds.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
torch_version=${SHISHU_TORCH_VERSION:-2.11.0}
cache=${SHISHU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shishu-bench}
say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# --- Debian packages --------------------------------------------------------------
# libbenchmark-tools and python3-scipy: Google Benchmark's compare.py, which a test runs
# on our --benchmark_out files.
# clang-14 and libclang-rt-14-dev: libFuzzer, for scripts/fuzz.sh.
# libeigen3-dev: the planner's least-squares fits (planner/).
packages=(cmake ninja-build g++ ccache libbenchmark-dev libgtest-dev googletest
          nlohmann-json3-dev libcli11-dev libfmt-dev python3-venv libbenchmark-tools python3-scipy
          clang-14 libclang-rt-14-dev libeigen3-dev)
if command -v dpkg-query >/dev/null; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    [[ $(id -u) == 0 ]] || die "missing Debian packages (run as root or install them): ${missing[*]}"
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  say "not a Debian system: make sure CMake, Ninja, GoogleTest, Google Benchmark, nlohmann/json and CLI11 are installed"
fi

# --- LibTorch -----------------------------------------------------------------------
prefix=""
source_desc=""
if [[ -n "${Torch_DIR:-}" ]]; then
  [[ -f "$Torch_DIR/TorchConfig.cmake" ]] || die "Torch_DIR=$Torch_DIR has no TorchConfig.cmake"
  prefix=$(cd "$Torch_DIR/.." && pwd)  # .../share/cmake/Torch -> .../share/cmake
  source_desc="Torch_DIR"
elif [[ -n "${CMAKE_PREFIX_PATH:-}" ]]; then
  IFS=: read -ra dirs <<<"$CMAKE_PREFIX_PATH"
  for d in "${dirs[@]}"; do
    for c in "$d/Torch/TorchConfig.cmake" "$d/share/cmake/Torch/TorchConfig.cmake"; do
      if [[ -f "$c" ]]; then prefix=$(cd "$(dirname "$c")/.." && pwd); source_desc="CMAKE_PREFIX_PATH"; break 2; fi
    done
  done
fi
if [[ -z "$prefix" ]] && command -v python3 >/dev/null; then
  if p=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null); then
    prefix=$p; source_desc="python3's torch"
  fi
fi
if [[ -z "$prefix" ]]; then
  venv="$cache/torch-$torch_version"
  if [[ ! -f "$venv/.complete" ]]; then
    say "installing torch==$torch_version into $venv (once per machine; ~5 GB with its CUDA libraries)"
    rm -rf "$venv"
    mkdir -p "$cache"
    python3 -m venv "$venv" || die "python3 -m venv failed (install python3-venv)"
    "$venv/bin/python" -m pip install -q "torch==$torch_version" ||
      die "pip could not install torch==$torch_version; no LibTorch is available (set Torch_DIR to use an existing one)"
    touch "$venv/.complete"
  fi
  prefix=$("$venv/bin/python" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null)
  ln -sfn "$venv" "$root/.venv"
  source_desc="torch==$torch_version wheel in $venv"
fi

# --- transformers, for the Hugging Face parity tests ------------------------------------
# Into the Python whose torch we use (the cache's venv, or python3's own), so the tests'
# reference runs on the same torch. Pinned: the tolerances were measured with it.
transformers_version=${SHISHU_TRANSFORMERS_VERSION:-5.23.0}
parity_python=$(command -v python3 || true)
[[ "$source_desc" == "torch==$torch_version wheel in"* ]] && parity_python="$venv/bin/python"
if [[ -n "$parity_python" ]] && ! "$parity_python" -c 'import transformers, safetensors' 2>/dev/null; then
  say "installing transformers==$transformers_version into $("$parity_python" -c 'import sys; print(sys.prefix)') (once per machine)"
  "$parity_python" -m pip install -q "transformers==$transformers_version" ||
    say "warning: transformers could not be installed; the parity tests will fail under CI=true and skip elsewhere"
fi

# --- matplotlib, for scripts/plot.py only ------------------------------------------------
plot_python=""
if python3 -c 'import matplotlib' 2>/dev/null; then
  plot_python=$(command -v python3)
else
  plot_venv="$cache/plot-venv"
  if [[ ! -f "$plot_venv/.complete" ]]; then
    say "installing matplotlib into $plot_venv (once per machine)"
    rm -rf "$plot_venv"
    if python3 -m venv "$plot_venv" && "$plot_venv/bin/python" -m pip install -q "matplotlib>=3.6"; then
      touch "$plot_venv/.complete"
    else
      say "warning: matplotlib could not be installed; plots will be skipped"
    fi
  fi
  [[ -f "$plot_venv/.complete" ]] && plot_python="$plot_venv/bin/python"
fi

# --- NVML header -------------------------------------------------------------------------
nvml_version=${SHISHU_NVML_DEV_VERSION:-13.0.87}
nvml_include=""
for d in /usr/local/cuda/include /usr/local/cuda/targets/x86_64-linux/include; do
  [[ -f "$d/nvml.h" ]] && { nvml_include=$d; break; }
done
if [[ -z "$nvml_include" ]]; then
  nvml_dir="$cache/nvml-dev-$nvml_version"
  if [[ ! -f "$nvml_dir/.complete" ]]; then
    say "installing nvml.h from nvidia-nvml-dev==$nvml_version into $nvml_dir (once per machine)"
    rm -rf "$nvml_dir"
    if python3 -m pip install -q --no-deps --target "$nvml_dir" "nvidia-nvml-dev==$nvml_version"; then
      touch "$nvml_dir/.complete"
    else
      say "warning: nvml.h could not be installed; GPU clock and throttle readings will be unavailable"
    fi
  fi
  h=$(find "$nvml_dir" -name nvml.h -print -quit 2>/dev/null || true)
  [[ -n "$h" ]] && nvml_include=$(dirname "$h")
fi

config="$prefix/Torch/TorchConfigVersion.cmake"
[[ -f "$config" ]] || die "no LibTorch CMake config under $prefix"
version=$(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")/\1/p' "$config")
libdir=$(cd "$prefix/../../lib" 2>/dev/null && pwd || true)
cuda="no"
[[ -n "$libdir" && -e "$libdir/libtorch_cuda.so" ]] && cuda="yes"
[[ "$version" == "$torch_version"* ]] || say "note: LibTorch $version, not $torch_version: results may differ from the reference runs"
gpu="none"
command -v nvidia-smi >/dev/null && gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || echo none)

mkdir -p "$root/build"
cat >"$root/build/setup.env" <<ENV
SHISHU_TORCH_PREFIX=$prefix
SHISHU_TORCH_VERSION=$version
SHISHU_TORCH_CUDA=$cuda
SHISHU_PLOT_PYTHON=$plot_python
SHISHU_NVML_INCLUDE_DIR=$nvml_include
SHISHU_PARITY_PYTHON=$parity_python
ENV
say "LibTorch $version from $source_desc"
say "  prefix: $prefix"
say "  CUDA support: $cuda; GPU: ${gpu:-none}"
say "  plots: ${plot_python:-unavailable (no matplotlib)}"
say "  NVML header: ${nvml_include:-unavailable}"
say "  parity tests: $("$parity_python" -c 'import transformers; print("transformers", transformers.__version__)' 2>/dev/null || echo 'unavailable (no transformers)')"
say "  compiler: $(${CXX:-g++} --version | head -1); $(cmake --version | head -1)"
