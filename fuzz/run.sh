#!/usr/bin/env bash
# Runs one fuzz target for a while, on one core, starting from the committed seeds and
# regressions plus whatever corpus earlier runs grew (fuzz/corpus, not committed).
#
#   fuzz/run.sh <target> [seconds=600] [extra libFuzzer flags…]
#   fuzz/run.sh list
#
# Needs cargo-fuzz 0.13 (`cargo install cargo-fuzz --locked`); runs on the stable
# toolchain through RUSTC_BOOTSTRAP=1. Crashes land in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
if [[ "${1:-}" == "" || "${1:-}" == "list" ]]; then
    cargo fuzz list
    exit 0
fi
target="$1"
seconds="${2:-600}"
shift $(( $# >= 2 ? 2 : 1 ))
mkdir -p "corpus/$target" "artifacts/$target"
for dir in "seeds/$target" "regressions/$target"; do
    if [[ -d "$dir" ]]; then
        cp -n "$dir"/* "corpus/$target/" 2>/dev/null || true
    fi
done
dict=()
if [[ -f "dicts/$target.dict" ]]; then
    dict=("-dict=dicts/$target.dict")
fi
exec cargo fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=3 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 "${dict[@]}" "$@"
