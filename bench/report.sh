#!/usr/bin/env bash
# Turns the JMH JSON files in bench/results (or the folder given) into bench/results/README.md and PNG plots.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# JMH records the JVM's absolute path; results keep only its name.
sed -i -E 's#("jvm" ?: ")[^"]*/([^"/]*)"#\1\2"#' "${1:-$top/bench/results}"/*.json
java -Djava.awt.headless=true -cp "$top/bench/target/benchmarks.jar" org.sparse4j.bench.Report "${1:-$top/bench/results}"
