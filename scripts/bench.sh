#!/usr/bin/env bash
# Set up, build and run the main job.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
configure_and_build
"$build_dir/cli/shishu-bench" models "$@"
