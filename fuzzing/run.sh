#!/usr/bin/env bash
# Builds the libFuzzer targets (every module under -sanitize=fuzzer,address) and runs each one for
# FUZZ_SECONDS (default 10; 0: no limit) from its seed corpus. New inputs go to .build/corpus/<target>, crashes
# to .build/artifacts/. Extra arguments go to every libFuzzer run:
#   FUZZ_SECONDS=0 fuzzing/run.sh -runs=1000000
#   FUZZ_SECONDS=60 FUZZ_TARGETS="container y4m" fuzzing/run.sh
set -euo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-10}
targets=${FUZZ_TARGETS:-container frame y4m safetensors}
# SwiftPM's --sanitize=fuzzer keeps libFuzzer's main; the driver keeps only the last -sanitize=,
# so coverage and ASan go in one -Xswiftc flag.
# The build plan is made again each time: SwiftPM keeps a stale one when files of the main
# package (a path dependency) move, and then fails on "missing inputs".
rm -f .build/release.yaml
swift build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
mkdir -p .build/artifacts
status=0
# Swift traps go straight to libFuzzer (the runtime backtracer trips ASan reading memory).
export SWIFT_BACKTRACE=enable=no
for t in $targets; do
    mkdir -p ".build/corpus/$t"
    echo "== fuzz-$t: ${seconds}s"
    # Known crashes first: each file in regressions/<target>/ must run clean.
    if compgen -G "regressions/$t/*" > /dev/null; then
        if ! ".build/release/fuzz-$t" regressions/$t/* > ".build/regressions-$t.log" 2>&1; then
            status=1; tail -20 ".build/regressions-$t.log"
        fi
    fi
    log=".build/fuzz-$t.log"
    ".build/release/fuzz-$t" ".build/corpus/$t" "corpus/$t" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
        -artifact_prefix=".build/artifacts/$t-" "$@" > "$log" 2>&1 || status=1
    # libFuzzer's final line (executions, cov, ft, corpus), its speed, and any finding.
    grep -E 'DONE|^stat::average_exec_per_sec|ERROR|SUMMARY|Test unit written' "$log" || true
done
exit $status
