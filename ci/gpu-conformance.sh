#!/usr/bin/env bash
# Runs sparse4j's whole JUnit suite (GPU cases included) and the conformance command on a GPU host
# that has neither Java nor Maven.
#
#   On the build machine, after `mvn -B -ntp install`:
#     ci/gpu-conformance.sh bundle DIR     # JRE + sparse4j-cli.jar + test classes + JUnit console
#   Copy DIR to the GPU host, then there:
#     DIR/gpu-conformance.sh run DIR OUT   # JUnit XML reports and conformance.json land in OUT
#
# The run takes the whole suite once, then the plan and CUDA tests again with S4J_CUDA_CLUSTERS=0
# (thread-block clusters off), so the kernels' unclustered fallbacks are tested on Hopper too.
#
# Exit status: 0 when every test and every conformance case passed (skips allowed), else non-zero.
set -euo pipefail

mode=${1:-}
case "$mode" in
bundle)
    dir=${2:?usage: gpu-conformance.sh bundle DIR}
    top=$(cd "$(dirname "$0")/.." && pwd)
    mkdir -p "$dir"
    cp "$top/java/target/sparse4j-cli.jar" "$dir/"
    rm -rf "$dir/test-classes" && cp -r "$top/java/target/test-classes" "$dir/test-classes"
    cp "$0" "$dir/gpu-conformance.sh"
    if [ ! -s "$dir/junit-console.jar" ]; then
        mvn -B -ntp -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.4 \
            -DoutputDirectory="$dir" -Dmdep.stripVersion=true
        mv "$dir/junit-platform-console-standalone.jar" "$dir/junit-console.jar"
    fi
    if [ ! -s "$dir/jre.tgz" ]; then
        jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
        tmp=$(mktemp -d)
        "$jdk/bin/jlink" --add-modules java.base,java.logging,java.management,jdk.unsupported,java.xml,java.naming,jdk.management,jdk.zipfs,java.sql \
            --strip-debug --no-man-pages --no-header-files --compress=2 --output "$tmp/jre"
        tar czf "$dir/jre.tgz" -C "$tmp" jre
        rm -rf "$tmp"
    fi
    echo "bundle ready in $dir ($(du -sh "$dir" | cut -f1))"
    ;;
run)
    dir=$(cd "${2:?usage: gpu-conformance.sh run DIR OUT}" && pwd)
    out=${3:?usage: gpu-conformance.sh run DIR OUT}
    mkdir -p "$out"
    work=$(mktemp -d)
    tar xzf "$dir/jre.tgz" -C "$work"
    java="$work/jre/bin/java"
    status=0
    "$java" -jar "$dir/sparse4j-cli.jar" doctor | tee "$out/doctor.txt" || status=1
    "$java" -jar "$dir/junit-console.jar" execute --disable-banner --details=summary \
        --class-path "$dir/sparse4j-cli.jar:$dir/test-classes" --scan-class-path \
        --reports-dir "$out/junit" 2>&1 | tee "$out/junit.txt" || status=1
    # Again with thread-block clusters off, so the unclustered fallbacks of the clustered kernels
    # (the 2:4 plan's TMA kernel, the activation-sparse GEMV) run on a GPU that has clusters too.
    S4J_CUDA_CLUSTERS=0 "$java" -jar "$dir/junit-console.jar" execute --disable-banner --details=summary \
        --class-path "$dir/sparse4j-cli.jar:$dir/test-classes" --select-class org.sparse4j.ops.SpmmPlanTest \
        --select-class org.sparse4j.CudaTest --reports-dir "$out/junit-no-clusters" 2>&1 | tee "$out/junit-no-clusters.txt" || status=1
    "$java" -jar "$dir/sparse4j-cli.jar" conformance --summary-only --no-progress --json "$out/conformance.json" \
        | tee "$out/conformance.txt" || status=1
    rm -rf "$work"
    exit $status
    ;;
*)
    echo "usage: gpu-conformance.sh bundle DIR | run DIR OUT" >&2
    exit 2
    ;;
esac
