#pragma once
// The control interface's verbs that act on the emulated module: they call the same model the
// AT commands use (ModuleState, its link and sockets) and the Session's own entry points, so
// every consequence reaches the host as the module would print it.

#include "atcmd/ModuleState.hpp"
#include "atcmd/Session.hpp"
#include "emulator/ControlProtocol.hpp"

namespace spwf::emulator {

/// Adds the module verbs (status, module.reset, ...) to `protocol`.
void add_module_verbs(ControlProtocol& protocol, atcmd::Session& session,
                      atcmd::ModuleState& state);

}  // namespace spwf::emulator
