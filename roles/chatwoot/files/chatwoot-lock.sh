#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The host-side half of the lock that serialises the runs changing one Chatwoot project (roles/chatwoot/tasks/lock.yml).
# Ansible runs every task in a process of its own, so no process lives as long as a run to hold a flock: the lock
# is a file naming its holder, and every look at it or change of it happens under a flock of "$lock.guard", which
# makes take-when-free atomic. /run is emptied by a reboot, which ends every run, so no lock outlives one.
#
#   chatwoot-lock.sh try LOCK          take the lock when it is free or stale, else print its holder
#   chatwoot-lock.sh wait LOCK SECS    try every 2 s until taken; exit 3 after SECS with the holder printed
#   chatwoot-lock.sh release LOCK      drop the lock when this run holds it
#   chatwoot-lock.sh show LOCK         print the holder, if any
#
# Environment: LOCK_OWNER, this run's key=value lines (run= first); LOCK_STALE_AGE, the age in seconds after
# which a lock is taken over; LOCK_GONE_RUN, a holder whose process the controller has seen gone.
# Output, key=value lines: state (acquired, taken_over, held, released, free, not_ours), reason, age, waited,
# and the holder's lines prefixed with holder_.
set -eu
umask 077

action=$1
lock=$2
# show only reads (check mode runs it): the lock file is replaced whole (mv), so it is read whole without the guard.
if [ "$action" != show ]; then
    mkdir -p "$(dirname "$lock")"
    exec 9>>"$lock.guard"
fi

# Each decision is made on one read of the lock, kept in $held: the lock may be removed by hand, outside the guard,
# while it is looked at, and a second read would then find it gone (a lock with no run, taken over).
look() { held=$(cat "$lock" 2>/dev/null); }
get() { printf '%s\n' "$held" | sed -n "s/^$1=//p" | head -n 1; }
mine() { printf '%s\n' "${LOCK_OWNER:-}" | sed -n 's/^run=//p' | head -n 1; }
now() { date +%s; }

# Whether the holder is a process of this machine that is gone: same name, and either another boot (a reboot ended
# it) or no process with that pid and start time. A holder elsewhere cannot be seen from here: it counts as alive.
gone_here() {
    [ "$(get controller)" = "$(uname -n)" ] || return 1
    [ "$(get boot_id)" = "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || true)" ] || return 0
    pid=$(get pid)
    [ -n "$pid" ] || return 1
    [ -r "/proc/$pid/stat" ] || return 0
    start=$(get pid_start)
    [ -n "$start" ] && [ "$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)" != "$start" ]
}

stale() {
    run=$(get run)
    started=$(get started)
    if [ -z "$run" ] || [ -z "$started" ]; then
        reason="it names no run (written by hand, or cut short)"
    elif [ -n "${LOCK_GONE_RUN:-}" ] && [ "$run" = "$LOCK_GONE_RUN" ]; then
        reason="its ansible-playbook process on the controller is gone"
    elif gone_here; then
        reason="its process on $(uname -n) is gone"
    elif [ $(($(now) - started)) -gt "${LOCK_STALE_AGE:-7200}" ]; then
        reason="it is older than ${LOCK_STALE_AGE:-7200} s (chatwoot_lock_stale_age)"
    else
        return 1
    fi
}

take() {
    printf '%s\n' "$LOCK_OWNER" > "$lock.new"
    mv -f "$lock.new" "$lock"
}

holder() {
    started=$(get started)
    echo "age=$(($(now) - ${started:-$(now)}))"
    printf '%s\n' "$held" | sed 's/^/holder_/'
}

attempt() {
    flock 9
    if ! look || [ "$(get run)" = "$(mine)" ]; then
        take
        echo state=acquired
    elif stale; then
        echo state=taken_over
        echo "reason=$reason"
        holder
        take
    else
        echo state=held
        holder
    fi
    flock -u 9
}

case $action in
try)
    attempt
    ;;
wait)
    begun=$(now)
    while :; do
        out=$(attempt)
        waited=$(($(now) - begun))
        case $out in
        state=held*)
            if [ "$waited" -ge "$3" ]; then
                printf '%s\nwaited=%s\n' "$out" "$waited"
                exit 3
            fi
            sleep 2
            ;;
        *)
            printf '%s\nwaited=%s\n' "$out" "$waited"
            exit 0
            ;;
        esac
    done
    ;;
release)
    flock 9
    if ! look; then
        echo state=free
    elif [ "$(get run)" = "$(mine)" ]; then
        rm -f "$lock"
        echo state=released
    else
        echo state=not_ours
        holder
    fi
    ;;
show)
    if look; then
        echo state=held
        holder
    else
        echo state=free
    fi
    ;;
*)
    echo "usage: $0 try|wait|release|show LOCK [SECONDS]" >&2
    exit 2
    ;;
esac
