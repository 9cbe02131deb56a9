#!/usr/bin/env bash
# Runs the Go benchmarks in bench/ against a throwaway private PostGIS cluster and
# prints each figure beside its target (bench/targets.tsv: benchmark, metric, <= or >=,
# target). BENCH selects benchmarks (a -bench regexp), BENCHTIME sets -benchtime.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh bench
out=$(mktemp)
trap 'rm -f "$out"' EXIT
scripts/with-cluster.sh go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-1s}" -count 1 -timeout 60m ./bench/... | tee "$out" >&2
echo
awk -F'\t' '
  NR == FNR {
    if ($0 ~ /^#/ || NF < 5) next
    n = ++count[$1]; metric[$1, n] = $2; cmp[$1, n] = $3; target[$1, n] = $4; what[$1, n] = $5
    next
  }
  /^Benchmark/ {
    name = $1; sub(/[ ]+$/, "", name); sub(/-[0-9]+$/, "", name)
    n = split($0, f, /[ \t]+/)
    delete v
    for (i = 2; i < n; i++) if (f[i] ~ /^[-0-9.eE+]+$|^NaN$/) { v[f[i+1]] = f[i] }
    if ("ns/op" in v) v["ms/op"] = v["ns/op"] / 1e6
    if (count[name] == 0) { printf "| %-30s | %-8s | %12.3f | %14s |      | \n", name, "ms/op", v["ms/op"], ""; next }
    for (k = 1; k <= count[name]; k++) {
      m = metric[name, k]; t = target[name, k]
      has = (m in v); got = has ? v[m] : "NaN"
      ok = has && ((cmp[name, k] == "<=") ? got + 0 <= t + 0 : got + 0 >= t + 0)
      printf "| %-30s | %-8s | %12.3f | %-2s %11s | %-4s | %s\n", name, m, got, cmp[name, k], t, (ok ? "ok" : "MISS"), what[name, k]
    }
  }
' bench/targets.tsv "$out" | { printf "| %-30s | %-8s | %12s | %14s | %-4s | %s\n" benchmark metric measured target "" what; cat; }
