#!/usr/bin/env bash
# Checks the README's terminal commands as a user types them: each `picocom`, `minicom` and
# `screen` line of the README's "Attaching firmware or a terminal" section is run in tmux against
# a running emulator (with /tmp/spwf replaced by this run's pty link), `AT` and Enter are typed,
# the module's `AT-S.OK` must show, and the documented quit keys must end the terminal. Last,
# `spwf04emu --stdio` runs in the terminal itself and Ctrl-A Ctrl-X must end it with exit 0.
# Waits poll the screen (tmux capture-pane) against a deadline; nothing sleeps for a fixed time.
#   scripts/check-terminals.sh [path/to/spwf04emu]      (default: build/emulator/spwf04emu)
set -euo pipefail
cd "$(dirname "$0")/.."
emulator=$(realpath "${1:-build/emulator/spwf04emu}")
work=$(mktemp -d)
socket="spwf-check-$$"
tmux_() { tmux -L "$socket" -f /dev/null "$@"; }
emulator_pid=""
cleanup() {
  tmux_ kill-server 2>/dev/null || true
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "check-terminals: FAIL: $*" >&2
  if tmux_ has-session -t term 2>/dev/null; then tmux_ capture-pane -p -t term >&2 || true; fi
  [ -f "$work/log" ] && sed 's/^/  log: /' "$work/log" >&2
  exit 1
}

# Polls `condition` (a command) every 0.1 s until it holds or `seconds` have passed.
wait_until() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
# The screen is captured first: grep -q on a pipe may leave early and SIGPIPE the writer.
screen() { tmux_ capture-pane -p -t term 2>/dev/null || true; }
screen_has() { grep -qF -- "$1" <<<"$(screen)"; }
terminal_gone() { ! tmux_ has-session -t term 2>/dev/null; }

echo "== the README's terminal commands, typed into under tmux"
link="$work/spwf"
"$emulator" --boot instant --state-dir "$work/state" --pty-link "$link" --log-file "$work/log" \
  >"$work/out" &
emulator_pid=$!
wait_until 10 grep -qs "AT console on" "$work/out" || fail "the emulator did not start"

# The commands exactly as the README gives them (first word picocom, minicom or screen).
mapfile -t commands < <(sed -n '/^## Attaching firmware or a terminal/,/^## /p' README.md |
  grep -E '^(picocom|minicom|screen) ' | sed 's/[[:space:]]*#.*$//' | awk '!seen[$0]++')
[ "${#commands[@]}" -ge 3 ] || fail "the README's terminal lines were not found"

for command in "${commands[@]}"; do
  tool=${command%% *}
  echo "== $command"
  tmux_ new-session -d -s term -x 150 -y 40 "${command//\/tmp\/spwf/$link}"
  # The terminal has opened the pty (and shows its banner, where it has one).
  wait_until 10 grep -q "host opened" "$work/log" || fail "$tool did not open the pty"
  case $tool in
    picocom) wait_until 10 screen_has "Terminal ready" || fail "$tool did not start" ;;
    minicom) wait_until 10 screen_has "Welcome to minicom" || fail "$tool did not start" ;;
  esac
  tmux_ send-keys -t term A T Enter
  wait_until 10 screen_has "AT-S.OK" || fail "$tool: no AT-S.OK after AT and Enter"
  if grep -q "AT-S.ERROR" <<<"$(screen)"; then fail "$tool: an error shows"; fi
  case $tool in
    picocom) tmux_ send-keys -t term C-a C-x ;;
    minicom) tmux_ send-keys -t term C-a x && wait_until 5 screen_has "Leave" &&
      tmux_ send-keys -t term Enter ;;
    screen) tmux_ send-keys -t term C-a k && wait_until 5 screen_has "kill" &&
      tmux_ send-keys -t term y ;;
  esac
  wait_until 10 terminal_gone || fail "$tool did not quit with the README's keys"
  # The terminal closed the pty: the next one starts clean.
  wait_until 10 grep -q "host closed" "$work/log" || fail "$tool did not close the pty"
  : >"$work/log"
done

echo "== spwf04emu --stdio in the terminal, Ctrl-A Ctrl-X"
tmux_ new-session -d -s term -x 150 -y 40 \
  "'$emulator' --stdio --boot instant --state-dir '$work/stdio-state'; echo \$? >'$work/stdio-exit'"
wait_until 10 screen_has "Console active" || fail "--stdio did not boot"
tmux_ send-keys -t term A T Enter
wait_until 10 screen_has "AT-S.OK" || fail "--stdio: no AT-S.OK after AT and Enter"
tmux_ send-keys -t term C-a C-x
stdio_exit() { [ "$(cat "$work/stdio-exit" 2>/dev/null)" = 0 ]; }
wait_until 10 stdio_exit || fail "--stdio: Ctrl-A Ctrl-X did not end the run with exit 0"
echo "== terminals: all passed"
