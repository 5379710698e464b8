#!/usr/bin/env bash
# Set up, build and run the main job: `shishu-bench run` with its default preset,
# cpu-default without a GPU and ci-gpu with one. Extra arguments go to `run`
# (e.g. --preset paper, --models ..., --out DIR, --benchmark_filter=...).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
configure_and_build
cd "$root"
"$build_dir/cli/shishu-bench" run "$@"
