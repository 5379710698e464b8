# Sourced by scripts/gpu.sh (it uses that script's variables: root, work, deps, kit,
# self_test, jobs, and its bad/say): which of our C++ packages this machine lacks, and
# the kit's copies of them.
#
# Debian's compiled libraries in the kit (Google Benchmark's shared library, GoogleTest's
# static ones) were built for bookworm: they need glibc 2.32 and GCC 12's libstdc++
# (GLIBCXX_3.4.30). A GPU image with older system libraries cannot use them. So a tiny
# program is built and run against the kit's copies first; if that fails, or with
# SHISHU_KIT_FROM_SOURCE=1, the two are built from the upstream sources the kit carries
# (Debian's .orig tarballs of the same versions) into $deps/source, with this machine's
# compiler. The header-only packages (nlohmann/json, CLI11, Eigen) need nothing of the kind.

# A throwaway configure asks CMake which of our packages the system provides.
ignore_paths=""
mkdir -p "$work/probe"
cat >"$work/probe/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(probe LANGUAGES CXX)
foreach(p benchmark GTest nlohmann_json CLI11 Eigen3)
  find_package(${p} CONFIG QUIET)
  message(STATUS "probe|${p}|${${p}_FOUND}|${${p}_DIR}")
endforeach()
CMAKE
probe=$(cmake -S "$work/probe" -B "$work/probe/build" 2>&1 | sed -n 's/^-- probe|//p')
[[ -n "$probe" ]] || bad "CMake could not configure a trivial C++ project here (see: cmake -S $work/probe)"
need=()
while IFS='|' read -r name found dir; do
  if ((self_test)); then
    need+=("$name")
    [[ "$found" == 1 ]] && ignore_paths+="${ignore_paths:+;}$dir"  # hide the system's copy
  elif [[ "$found" != 1 ]]; then
    need+=("$name")
  fi
done <<<"$probe"
nvml_include=""
for d in /usr/local/cuda/include /usr/local/cuda/targets/x86_64-linux/include; do
  [[ -f "$d/nvml.h" ]] && { nvml_include=$d; break; }
done
# NVML only adds GPU clock and throttle readings: taken from the kit when it is there,
# never a reason to stop.
want_nvml=0
[[ -z "$nvml_include" || $self_test == 1 ]] && want_nvml=1

kit=${SHISHU_KIT_DIR:-$root/.offline}  # another folder: for the tests of this script
((want_nvml)) && [[ -f "$kit/MANIFEST.tsv" ]] && need+=(nvml)
if ((${#need[@]})); then
  [[ -f "$kit/MANIFEST.tsv" ]] ||
    bad "this machine lacks ${need[*]}$( ((self_test)) && echo ' (the self-test hides the system'"'"'s copies)'), and there is no kit in $kit: make it with scripts/gpu-kit.sh on a machine that reaches Debian's registry, and bring .offline/ along"
  SHISHU_KIT_DIR="$kit" "$root/scripts/gpu-kit.sh" --check || bad "the kit in $kit is damaged (see above); make it again with scripts/gpu-kit.sh"
  rm -rf "$deps/usr" "$deps/wheel"  # $deps/source, an upstream build, is kept: see below
  mkdir -p "$deps"
  for name in "${need[@]}"; do
    files=$(awk -F'\t' -v n="$name" '$1 == n { print $4 }' "$kit/MANIFEST.tsv")
    [[ -n "$files" ]] || bad "the kit in $kit has no $name; make it again with scripts/gpu-kit.sh"
    for f in $files; do
      case "$f" in
        *.deb)
          if command -v dpkg-deb >/dev/null; then
            dpkg-deb -x "$kit/$f" "$deps"
          else  # a .deb is an ar archive holding data.tar.*
            member=$(ar t "$kit/$f" | grep '^data\.tar')
            ar p "$kit/$f" "$member" | tar -x -a -f - -C "$deps" 2>/dev/null ||
              ar p "$kit/$f" "$member" | tar -x -J -f - -C "$deps"
          fi ;;
        *.whl) python3 -m zipfile -e "$kit/$f" "$deps/wheel" ;;
      esac
    done
  done
  h=$(find "$deps" -name nvml.h -print -quit)
  [[ -n "$h" ]] && nvml_include=$(dirname "$h")
  say "from the kit: ${need[*]} (unpacked into $deps)"
fi

deps_prefixes="$deps/usr"

# The compiled packages taken from the kit, each with its upstream build's CMake options.
declare -A upstream_options=(
  [benchmark]="-DBENCHMARK_ENABLE_TESTING=OFF -DBENCHMARK_ENABLE_GTEST_TESTS=OFF -DBENCHMARK_ENABLE_WERROR=OFF -DBENCHMARK_INSTALL_DOCS=OFF"
  [GTest]="-DBUILD_GMOCK=ON -DINSTALL_GTEST=ON"
)
compiled=()
for name in "${need[@]}"; do
  if [[ -n "${upstream_options[$name]:-}" ]]; then compiled+=("$name"); fi
done

# Builds and runs a program that uses each compiled package from the kit. Returns 1 (with
# the log in $work/kit-probe.log) if any does not configure, link or run here.
kit_binaries_work() {
  local dir="$work/kit-probe" hide=()
  rm -rf "$dir" && mkdir -p "$dir"
  cat >"$dir/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(kit_probe LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 17)
if("benchmark" IN_LIST PACKAGES)
  find_package(benchmark CONFIG REQUIRED)
  file(WRITE ${CMAKE_BINARY_DIR}/bm.cpp "#include <benchmark/benchmark.h>\nstatic void Nop(benchmark::State& s) { for (auto _ : s) {} }\nBENCHMARK(Nop);\nBENCHMARK_MAIN();\n")
  add_executable(bm ${CMAKE_BINARY_DIR}/bm.cpp)
  target_link_libraries(bm benchmark::benchmark)
endif()
if("GTest" IN_LIST PACKAGES)
  find_package(GTest CONFIG REQUIRED)
  file(WRITE ${CMAKE_BINARY_DIR}/gt.cpp "#include <gtest/gtest.h>\nTEST(Kit, Runs) { EXPECT_EQ(1 + 1, 2); }\n")
  add_executable(gt ${CMAKE_BINARY_DIR}/gt.cpp)
  target_link_libraries(gt GTest::gtest_main)
endif()
CMAKE
  ((self_test)) && hide=(-DCMAKE_IGNORE_PATH="$ignore_paths")
  local packages
  packages=$(IFS=';'; echo "${compiled[*]}")
  {
    cmake -S "$dir" -B "$dir/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$deps/usr" \
      "-DPACKAGES=$packages" "${hide[@]}" &&
      cmake --build "$dir/build" &&
      if [[ " ${compiled[*]} " == *" benchmark "* ]]; then "$dir/build/bm" --benchmark_list_tests; fi &&
      if [[ " ${compiled[*]} " == *" GTest "* ]]; then "$dir/build/gt"; fi
  } >"$work/kit-probe.log" 2>&1
}

# Builds one package from the kit's upstream source into $deps/source, once per source
# tarball: later calls (another --stage, --resume) find the stamp and skip it.
build_upstream() {
  local name=$1 file src sha stamp
  file=$(awk -F'\t' -v n="$name-source" '$1 == n { print $4 }' "$kit/MANIFEST.tsv")
  [[ -n "$file" ]] || bad "the kit in $kit has no source for $name (an older kit): make it again with scripts/gpu-kit.sh"
  sha=$(awk -F'\t' -v n="$name-source" '$1 == n { print $5 }' "$kit/MANIFEST.tsv")
  stamp="$deps/source/.built-$name"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$sha" ]]; then
    say "$name: built from this source before, kept (in $deps/source)"
    return 0
  fi
  local t0
  t0=$(date +%s)
  src="$work/upstream/$name"
  rm -rf "$src" && mkdir -p "$src"
  tar -xf "$kit/$file" -C "$src" --strip-components=1
  # shellcheck disable=SC2086  # the options are words
  cmake -S "$src" -B "$src/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$deps/source" \
    -DCMAKE_INSTALL_LIBDIR=lib ${upstream_options[$name]} >"$work/upstream-$name.log" 2>&1 &&
    cmake --build "$src/build" -j "$jobs" >>"$work/upstream-$name.log" 2>&1 &&
    cmake --install "$src/build" >>"$work/upstream-$name.log" 2>&1 ||
    { tail -20 "$work/upstream-$name.log" >&2
      printf 'gpu.sh: error: building %s from the kit'"'"'s source failed (see %s)\n' "$name" "$work/upstream-$name.log" >&2
      exit 1; }
  echo "$sha" >"$stamp"
  say "built $name from source in $(($(date +%s) - t0)) s (into $deps/source)"
}

built_from_source=()
if ((${#compiled[@]})); then
  if [[ "${SHISHU_KIT_FROM_SOURCE:-0}" == 1 ]]; then
    say "SHISHU_KIT_FROM_SOURCE=1: building ${compiled[*]} from the kit's upstream sources"
    built_from_source=("${compiled[@]}")
  elif ! kit_binaries_work; then
    say "Debian's ${compiled[*]} binaries do not build and run here ($(grep -m1 -iE 'error|not found|undefined' "$work/kit-probe.log" || echo "see $work/kit-probe.log")): building them from the kit's upstream sources"
    built_from_source=("${compiled[@]}")
  fi
  for name in "${built_from_source[@]}"; do build_upstream "$name"; done
  if ((${#built_from_source[@]})); then deps_prefixes="$deps/source;$deps/usr"; fi
fi
true  # this file's status is `source`'s, which gpu.sh's `set -e` would act on
