# Sourced by the other scripts: runs setup, then exports its findings and the preset.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
set -a
# shellcheck disable=SC1091
source "$root/build/setup.env"
set +a
preset=${SHISHU_PRESET:-release}
build_dir="$root/build/$preset"

configure_and_build() {
  (cd "$root" && cmake --preset "$preset" >"$root/build/configure-$preset.log" 2>&1) || {
    cat "$root/build/configure-$preset.log" >&2
    echo "configure failed (log above: build/configure-$preset.log)" >&2
    return 1
  }
  (cd "$root" && cmake --build --preset "$preset")
}
