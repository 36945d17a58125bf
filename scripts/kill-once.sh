#!/bin/sh
# Test helper for the Spark recipe: kill-once.sh MARK CMD… runs CMD; the first call (the
# one that creates the directory MARK) SIGKILLs CMD once it has printed LINES lines
# (default 2: the task is half done, some of its inputs recorded and some not) and fails,
# as a lost executor would, so Spark retries that task and the retry must resume.
mark=$1
shift
if mkdir "$mark" 2>/dev/null; then
    out="$mark/stdout"
    # An asynchronous command's stdin is /dev/null in sh unless it is handed over by
    # another descriptor (`0<&0` is not enough: it is applied after the reset).
    exec 3<&0
    "$@" <&3 3<&- >"$out" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null && [ "$(wc -l <"$out")" -lt "${LINES:-2}" ]; do
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid"
    echo "kill-once: killed the first attempt after $(wc -l <"$out") recorded inputs" >&2
    exit 137
fi
exec "$@"
