#pragma once
// `spwf04emu ctl --control ADDRESS VERB [NAME=VALUE ...]`: the control interface from a shell.
// Sends one request, prints the reply's "ok" object as JSON on stdout (exit 0) or its error on
// stderr (exit 1); `events` subscribes and prints event lines as they come.

namespace spwf::emulator {

/// Runs the client with the words after "ctl"; returns the process's exit code.
int run_control_client(int argc, char** argv);

}  // namespace spwf::emulator
