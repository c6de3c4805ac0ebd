#!/usr/bin/env bash
# Builds the GPU benchmark harness against a built libsparse4j and runs it, on a GPU host with the
# CUDA toolkit (nvcc, cuSPARSE, cuBLAS) and CMake:
#
#   bench/native/run.sh path/to/libsparse4j.so.0 results.json [--suite density|llm|sddmm|gemv|bsr|all] [--quick] [--batch N] [--cold]
#
# The JSON has the shape of JMH's, so bench/report.sh turns it into tables and plots: copy it to
# bench/results/gpu-<suite>.<machine>.json (with --suite all, one file per benchmark class: gpu-spmm,
# gpu-llm, gpu-gemv, gpu-bsr, gpu-sddmm). --cold reads a buffer twice the L2's size before each
# timed call, so no operand is left in L2 from the call before (decoding, where a layer's weight
# comes back only after the other layers ran); the default times back-to-back calls.
set -euo pipefail
lib=${1:?usage: run.sh LIBSPARSE4J OUT.json [gpu_bench options]}
out=${2:?usage: run.sh LIBSPARSE4J OUT.json [gpu_bench options]}
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$(mktemp -d)}
cmake -S "$top/bench/native" -B "$build" -DSPARSE4J_LIBRARY="$(readlink -f "$lib")" -DCMAKE_BUILD_TYPE=Release \
    > "$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" > "$build/build.log" 2>&1 || { tail -40 "$build/build.log"; exit 1; }
"$build/gpu_bench" --out "$out" "$@"
