#!/bin/sh
# Test helper for the Spark recipe: kill-once.sh MARK CMD… runs CMD; the first call (the
# one that creates the directory MARK) SIGKILLs CMD after SECS seconds (default 3) and
# fails, as a lost executor would, so Spark retries that task.
mark=$1
shift
if mkdir "$mark" 2>/dev/null; then
    "$@" 0<&0 &
    pid=$!
    sleep "${SECS:-3}"
    kill -9 "$pid"
    wait "$pid"
    exit 137
fi
exec "$@"
