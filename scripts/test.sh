#!/usr/bin/env bash
# Set up, build and run every test through ctest. GPU-labelled tests are reported as
# skipped on machines without a CUDA device. SHISHU_PRESET=debug|asan picks another build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
configure_and_build
cd "$root" && ctest --preset "$preset" "$@"
