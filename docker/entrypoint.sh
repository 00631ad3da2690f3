#!/bin/bash
# The image's entrypoint: checks that the module's flash directory (--state-dir in the command,
# where one is given) is writable by the user the container runs as, then runs the command.
#
# The image runs as uid 10001 (user spwf). A named volume gets the image's ownership, but a
# bind-mounted host directory keeps the host's: the emulator then could not save its flash. Say
# what to do instead of a bare "permission denied".
set -u
state_dir=""
previous=""
for word in "$@"; do
  case "$word" in
    --state-dir=*) state_dir="${word#--state-dir=}" ;;
    *) if [ "$previous" = "--state-dir" ]; then state_dir="$word"; fi ;;
  esac
  previous="$word"
done

if [ -n "$state_dir" ] && [ -d "$state_dir" ] && ! [ -w "$state_dir" -a -x "$state_dir" ]; then
  owner="$(stat -c '%u:%g' "$state_dir" 2>/dev/null || echo unknown)"
  cat >&2 <<EOF
spwf04emu: error: --state-dir $state_dir: not writable by uid $(id -u) (gid $(id -g)), which the
  container runs as; the directory belongs to $owner. For a bind-mounted host directory, either
  give it to the image's user:   chown 10001:10001 HOST-DIR
  or run the container as the directory's owner:   --user \$(id -u):\$(id -g)
  (a named volume, -v spwf-flash:$state_dir, needs neither)
EOF
  exit 2
fi
exec "$@"
