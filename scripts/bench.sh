#!/usr/bin/env bash
# Runs the Go benchmarks in bench/ against a throwaway private PostGIS cluster and
# prints each result beside its target (bench/targets.tsv).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
out=$(mktemp)
trap 'rm -f "$out"' EXIT
scripts/with-cluster.sh go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-1s}" -count 1 ./bench/... | tee "$out" >&2
echo
awk -F'\t' '
  NR == FNR { if ($0 !~ /^#/ && NF >= 3) { target[$1] = $2; what[$1] = $3 } ; next }
  /^Benchmark/ {
    name = $1; sub(/[ ]+$/, "", name); sub(/-[0-9]+$/, "", name)
    n = split($0, f, /[ \t]+/)
    for (i = 1; i < n; i++) if (f[i+1] == "ns/op") ms = f[i] / 1e6
    t = (name in target) ? target[name] : ""
    verdict = (t == "") ? "" : (ms <= t ? "ok" : "OVER")
    printf "| %-32s | %10.3f ms | %8s ms | %-4s | %s\n", name, ms, t, verdict, what[name]
  }
' bench/targets.tsv "$out" | { printf "| %-32s | %13s | %11s | %-4s | %s\n" benchmark measured target "" what; cat; }
