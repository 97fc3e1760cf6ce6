#!/usr/bin/env bash
# CalDAV benchmark: Kairos, Radicale and Xandikos through the same client
# (examples/dav_bench.rs) in the same run, loopback only, bounded in time.
#
#   bench/dav/run.sh                      # defaults below
#   SECONDS_PER_ROW=10 OUT=/tmp/dav bench/dav/run.sh
#
# Steps: a throwaway venv with the two peers (pinned versions) in a temp dir; a release
# build of Kairos and the client; the three servers on 127.0.0.1 with temp storage; each
# loaded with EVENTS objects by PUT; then every row at concurrency 1 and 8, the three
# servers back to back per row so that drift in the machine's load hits all three
# alike; peak RSS (VmHWM) of each server; a table with Kairos / faster peer per row.
# Everything started here is stopped on exit, and the temp dir removed (raw results
# are copied to $OUT first when it is set).
set -euo pipefail

EVENTS=${EVENTS:-2000}
SECONDS_PER_ROW=${SECONDS_PER_ROW:-6}
LOAD_CAP=${LOAD_CAP:-240}        # seconds each server is given to take the PUTs
TIME_CAP=${TIME_CAP:-780}        # the whole script, seconds
RADICALE_VERSION=${RADICALE_VERSION:-3.9.0}
XANDIKOS_VERSION=${XANDIKOS_VERSION:-0.4.10}
PYTHON=${PYTHON:-python3}
OUT=${OUT:-}
ROWS=(query-week query-month freebusy-month propfind-d1 sync-initial)
LEVELS=(1 8)
SERVERS=(kairos radicale xandikos)
USER_NAME=domina

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kairos-dav-bench.XXXXXX")
declare -A PID URL PORT
started_pids=()

log() { printf '[%4ds] %s\n' "$SECONDS" "$*" >&2; }

cleanup() {
  local status=$?
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [[ -n "$OUT" && -d "$work" ]]; then
    mkdir -p "$OUT"
    cp "$work"/results.tsv "$work"/memory.tsv "$work"/table.txt "$work"/*.log "$OUT"/ 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# Stops the run once the time cap is (nearly) spent; call it between steps.
check_time() {
  if ((TIME_CAP - SECONDS <= 5)); then
    log "time cap of ${TIME_CAP}s reached; stopping"
    exit 3
  fi
}

# Runs "$@" for at most $1 seconds, and never past the time cap.
bounded() {
  local limit=$1 rest=$((TIME_CAP - SECONDS))
  shift
  ((limit > rest)) && limit=$rest
  ((limit < 1)) && limit=1
  timeout --kill-after=5 "$limit" "$@"
}

free_port() {
  "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something answers HTTP on 127.0.0.1:$1.
wait_http() {
  local port=$1 name=$2
  for _ in $(seq 1 150); do
    local code
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/" || true)
    [[ "$code" != "000" ]] && return 0
    sleep 0.2
  done
  log "$name did not start; its log:"
  tail -20 "$work/$name.log" >&2
  exit 1
}

command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
log "work dir $work"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- peers in a throwaway venv ------------------------------------------------------
log "venv: radicale==$RADICALE_VERSION xandikos==$XANDIKOS_VERSION"
"$PYTHON" -m venv "$work/venv"
bounded 300 "$work/venv/bin/pip" install --quiet --disable-pip-version-check \
  "radicale==$RADICALE_VERSION" "xandikos==$XANDIKOS_VERSION"

# --- Kairos and the client --------------------------------------------------------------
log "cargo build --release (kairos, dav_bench)"
(cd "$repo" && bounded 600 cargo build --release --quiet --bin kairos --example dav_bench)
# Copies, so a concurrent rebuild of target/ cannot swap the binaries mid-run.
cp "$repo/target/release/kairos" "$repo/target/release/examples/dav_bench" "$work/"
revision=${REVISION:-$(cd "$repo" && git describe --always --dirty 2>/dev/null || echo unknown)}
password="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# --- servers ----------------------------------------------------------------------------
for name in "${SERVERS[@]}"; do PORT[$name]=$(free_port); done
mkdir -p "$work/kairos-data" "$work/radicale-data" "$work/xandikos-data"

log "starting kairos on 127.0.0.1:${PORT[kairos]}"
(cd "$work" && exec env KAIROS_LISTEN="127.0.0.1:${PORT[kairos]}" \
  KAIROS_DATA_DIR="$work/kairos-data" KAIROS_ADMIN_PASSWORD="$password" \
  ./kairos >"$work/kairos.log" 2>&1) &
PID[kairos]=$!
started_pids+=("${PID[kairos]}")
URL[kairos]="http://127.0.0.1:${PORT[kairos]}/dav/calendars/$USER_NAME/personal/"

# Radicale: no authentication backend, so any Basic credentials are accepted and the
# user name picks the principal; the calendar is made with MKCALENDAR below.
log "starting radicale on 127.0.0.1:${PORT[radicale]}"
"$work/venv/bin/radicale" --server-hosts "127.0.0.1:${PORT[radicale]}" \
  --auth-type none --storage-filesystem-folder "$work/radicale-data" \
  --logging-level warning >"$work/radicale.log" 2>&1 &
PID[radicale]=$!
started_pids+=("${PID[radicale]}")
URL[radicale]="http://127.0.0.1:${PORT[radicale]}/$USER_NAME/bench/"

# Xandikos: --defaults creates /user/calendars/calendar/; it takes no authentication and
# ignores the Authorization header.
log "starting xandikos on 127.0.0.1:${PORT[xandikos]}"
"$work/venv/bin/xandikos" serve --defaults -d "$work/xandikos-data" \
  -l 127.0.0.1 -p "${PORT[xandikos]}" >"$work/xandikos.log" 2>&1 &
PID[xandikos]=$!
started_pids+=("${PID[xandikos]}")
URL[xandikos]="http://127.0.0.1:${PORT[xandikos]}/user/calendars/calendar/"

for name in "${SERVERS[@]}"; do wait_http "${PORT[$name]}" "$name"; done
code=$(curl -s -o /dev/null -m 10 -w '%{http_code}' -u "$USER_NAME:$password" \
  -X MKCALENDAR "${URL[radicale]}")
[[ "$code" == 201 ]] || { log "radicale MKCALENDAR answered $code"; exit 1; }

# One client run against server $1 for at most $2 seconds; its lines go to results.tsv.
client() {
  local name=$1 limit=$2 status=0
  shift 2
  check_time
  bounded "$limit" "$work/dav_bench" --url "${URL[$name]}" --user "$USER_NAME" \
    --password "$password" --label "$name" --events "$EVENTS" "$@" \
    >"$work/last.tsv" 2>>"$work/client.log" || status=$?
  grep -v '^#' "$work/last.tsv" | tee -a "$work/results.tsv" >&2 || true
  ((status == 0)) || log "$name: the client stopped with status $status (124: timed out)"
}

# --- load -------------------------------------------------------------------------------
: >"$work/results.tsv"
for name in "${SERVERS[@]}"; do
  log "$name: loading $EVENTS events"
  client "$name" $((LOAD_CAP + 30)) --load-only --load-seconds "$LOAD_CAP"
done

# --- rows, the three servers back to back -----------------------------------------------
# A row's budget, plus the time its slowest in-flight requests may take to finish.
row_limit=$((SECONDS_PER_ROW * 2 + 120))
# The first level of a row is warmed up (up to 8 requests or 15 s: Xandikos builds an
# index after 5 queries of a kind); the next levels follow on warm servers.
for row in "${ROWS[@]}"; do
  warmup=8
  for level in "${LEVELS[@]}"; do
    for name in "${SERVERS[@]}"; do
      log "$name: $row at concurrency $level"
      client "$name" $((row_limit + 15)) --skip-load --rows "$row" --concurrency "$level" \
        --seconds-per-row "$SECONDS_PER_ROW" --warmup "$warmup" --warmup-seconds 15
    done
    warmup=1
  done
done

# --- memory -----------------------------------------------------------------------------
: >"$work/memory.tsv"
for name in "${SERVERS[@]}"; do
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/${PID[$name]}/status" 2>/dev/null || echo 0)
  printf '%s\t%s\n' "$name" "${hwm:-0}" >>"$work/memory.tsv"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done

# --- table ------------------------------------------------------------------------------
{
  echo "Kairos CalDAV benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), kairos $revision"
  echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), shared by client and servers;" \
    "load average at start $load_start, at end $load_end"
  echo "$EVENTS events, ${SECONDS_PER_ROW}s per row; radicale $RADICALE_VERSION, xandikos $XANDIKOS_VERSION"
  "$PYTHON" - "$work/results.tsv" "$work/memory.tsv" <<'PY'
import sys
from collections import OrderedDict

rows = OrderedDict()
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 9:
        continue
    label, row, conc, reqs, rate, p50, p99, errors, items = f[:9]
    rows.setdefault((row, conc), {})[label] = dict(
        rate=float(rate), p50=float(p50), p99=float(p99),
        errors=int(errors), items=items, reqs=int(reqs))

def cell(m):
    if m is None:
        return "-"
    text = f"{m['rate']:.1f} ({m['p50']:.1f}/{m['p99']:.1f})"
    if m["errors"]:
        text += f" ERR {m['errors']}"
    return text

header = ["row", "c", "kairos req/s (p50/p99 ms)", "radicale", "xandikos", "kairos / faster peer", "items k/r/x"]
table = [header]
for (row, conc), by in rows.items():
    k, r, x = by.get("kairos"), by.get("radicale"), by.get("xandikos")
    peers = [m["rate"] for m in (r, x) if m and m["reqs"] > m["errors"]]
    ratio = f"{k['rate'] / max(peers):.0f}x" if k and peers and max(peers) > 0 else "-"
    items = "/".join(m["items"] if m else "-" for m in (k, r, x))
    table.append([row, conc, cell(k), cell(r), cell(x), ratio, items])
widths = [max(len(r[i]) for r in table) for i in range(len(header))]
for n, r in enumerate(table):
    print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    if n == 0:
        print("  ".join("-" * w for w in widths))
mem = dict(l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if "\t" in l)
print("peak RSS (VmHWM): " + ", ".join(
    f"{name} {int(mem.get(name, 0)) / 1024:.1f} MiB" for name in ("kairos", "radicale", "xandikos")))
PY
} | tee "$work/table.txt"
if grep -q 'error' "$work/client.log" 2>/dev/null; then
  log "client reported errors (first ones):"
  grep 'error' "$work/client.log" | head -5 >&2
fi
