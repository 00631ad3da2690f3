#pragma once
// The conversation trace: a human-readable record of every console byte and network event,
// written to the file given with --trace. Disabled (and free) when no file is open.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace spwf::trace {

/// Direction or source of a traced record.
enum class Channel { host_to_module, module_to_host, network, tls, wifi, system, fault };

/// What an observer is told: console bytes (raw, not escaped) or a one-line event.
enum class RecordKind { bytes, event };

/// Receives every record as it is made (the control interface's event stream); while one is
/// set, enabled() is true.
using Observer = std::function<void(Channel, RecordKind, std::string_view)>;

/// Sets (or, with an empty function, removes) the one observer.
void set_observer(Observer observer);
/// The channel's short name without padding ("host>mod", "net", "fault", ...).
std::string_view channel_label(Channel channel);

/// Opens (truncates) the trace file; returns false with a reason when it cannot be opened.
bool open(const std::filesystem::path& path, std::string& reason);
/// Closes the trace file.
void close();
/// True when a trace file is open or the log shows debug lines (events are logged at debug,
/// console bytes at trace level).
bool enabled();
/// Records console bytes, escaped so CR, LF, TAB and binary bytes are visible.
void bytes(Channel channel, std::string_view data);
/// Records a one-line event (a connect, a resolution, a handshake step).
void event(Channel channel, std::string_view text);
/// Escapes bytes for display: printable ASCII as is, \r \n \t \\ and \xNN otherwise.
std::string escape(std::string_view data);

}  // namespace spwf::trace
