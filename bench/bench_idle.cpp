// bench_idle: what emulators cost the machine while nobody talks to them, and how fast one is
// ready (issue 16, "Idle means no wake-ups").
//   (a) N emulators, each on its own pty and state directory, nobody attached: their wake-ups
//       (voluntary and involuntary context switches of all their threads, /proc/<pid>/task/*/
//       status) and CPU time (/proc/<pid>/stat) over S seconds; then the same after a host has
//       opened each pty, read the boot and closed it again (the state between two firmware runs);
//   (b) start-up: from spawning the emulator to `+WIND:0:Console active` at a host that opens
//       the pty as soon as the console line is printed, p50 / p99 / max over 20 starts.
// It prints figures and the targets beside them (0 wake-ups while idle, start-up p99 <= 10 ms);
// it never fails on them, only when an emulator cannot be started. Emulators that had to fall
// back to checking for a host every 50 ms (inotify refused: fs.inotify.max_user_instances) are
// counted and named in the output.
//
//   bench_idle [instances (default 8)] [seconds (default 30)] [starts (default 20)]

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "BenchSupport.hpp"

namespace spwf::bench {
namespace {

constexpr std::string_view console_active = "+WIND:0:Console active\r\n";
constexpr std::string_view fallback_line = "no inotify";

/// Context switches of every thread of `pid` so far (voluntary + involuntary).
long context_switches(pid_t pid) {
  long total = 0;
  std::error_code error;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream status{task.path() / "status"};
    std::string line;
    while (std::getline(status, line)) {
      if (line.starts_with("voluntary_ctxt_switches:") ||
          line.starts_with("nonvoluntary_ctxt_switches:")) {
        total += std::stol(line.substr(line.find(':') + 1));
      }
    }
  }
  return total;
}

/// CPU time (user + system) of `pid` so far, in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream file{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text{std::istreambuf_iterator<char>{file}, {}};
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields{text.substr(close + 2)};
  std::string field;
  long ticks = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14 || index == 15) ticks += std::stol(field);
  }
  return ticks;
}

std::string inotify_instance_limit() {
  std::ifstream file{"/proc/sys/fs/inotify/max_user_instances"};
  std::string value;
  file >> value;
  return value.empty() ? "unknown" : value;
}

struct Instance {
  std::unique_ptr<TemporaryDirectory> directory;
  std::unique_ptr<EmulatorChild> child;
  std::filesystem::path log;
  bool polling = false;  ///< inotify refused: it checks for a host every 50 ms
};

/// Wake-ups and CPU ticks of a group of instances over the measurement.
struct Cost {
  std::size_t instances = 0;
  long wake_ups = 0;
  long worst = 0;
  long ticks = 0;
};

void print_cost(const char* group, const Cost& cost, int seconds) {
  if (cost.instances == 0) return;
  const double cpu_percent =
      100.0 * static_cast<double>(cost.ticks) / ::sysconf(_SC_CLK_TCK) / seconds;
  std::printf(
      "    %-22s %4zu instances: %7ld wake-ups (%.2f/s per instance, worst %ld), CPU "
      "%.2f %% of a core  [target: 0]\n",
      group, cost.instances, cost.wake_ups,
      static_cast<double>(cost.wake_ups) / seconds / cost.instances, cost.worst, cpu_percent);
}

/// Measures the wake-ups and CPU time of all `instances` over `seconds` and prints them, for
/// those with inotify and those polling apart.
void measure_idle(const std::vector<Instance>& instances, int seconds, const char* state) {
  std::vector<long> switches_before, ticks_before;
  for (const auto& instance : instances) {
    switches_before.push_back(context_switches(instance.child->pid()));
    ticks_before.push_back(cpu_ticks(instance.child->pid()));
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));  // the measurement itself
  Cost watching, polling;
  for (std::size_t index = 0; index < instances.size(); ++index) {
    Cost& cost = instances[index].polling ? polling : watching;
    const long own = context_switches(instances[index].child->pid()) - switches_before[index];
    ++cost.instances;
    cost.wake_ups += own;
    cost.worst = std::max(cost.worst, own);
    cost.ticks += cpu_ticks(instances[index].child->pid()) - ticks_before[index];
  }
  std::printf("  %s, over %d s:\n", state, seconds);
  print_cost("woken by inotify:", watching, seconds);
  print_cost("polling (no inotify):", polling, seconds);
  std::fflush(stdout);
}

/// Opens each instance's pty, reads the boot up to Console active, and closes it again.
void attach_and_leave(const std::vector<Instance>& instances) {
  for (const auto& instance : instances) {
    auto host = open_slave(instance.child->pty_path());
    std::string buffer;
    if (!read_until(host.get(), buffer, console_active, std::chrono::seconds(10))) {
      throw std::runtime_error("no Console active on " + instance.child->pty_path());
    }
  }
}

/// Marks the instances whose log says they had to fall back to polling.
std::size_t mark_polling(std::vector<Instance>& instances) {
  std::size_t count = 0;
  for (auto& instance : instances) {
    std::ifstream log{instance.log};
    const std::string text{std::istreambuf_iterator<char>{log}, {}};
    instance.polling = text.find(fallback_line) != std::string::npos;
    if (instance.polling) ++count;
  }
  return count;
}

void idle_instances(const std::string& emulator, std::size_t count, int seconds) {
  std::vector<Instance> instances;
  for (std::size_t index = 0; index < count; ++index) {
    Instance instance;
    instance.directory = std::make_unique<TemporaryDirectory>();
    instance.log = instance.directory->path() / "emulator.log";
    instance.child = std::make_unique<EmulatorChild>(
        emulator, instance.directory->path() / "state",
        std::vector<std::string>{"--log-file", instance.log.string()});
    instances.push_back(std::move(instance));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // let the boots finish
  std::printf(
      "(a) %zu idle emulators (%zu without inotify: fs.inotify.max_user_instances is "
      "%s)\n",
      count, mark_polling(instances), inotify_instance_limit().c_str());
  measure_idle(instances, seconds, "never attached");
  attach_and_leave(instances);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  measure_idle(instances, seconds, "after a host came and left");
}

void start_up(const std::string& emulator, std::size_t starts) {
  std::vector<double> to_console_active, open_to_first_byte;
  for (std::size_t index = 0; index < starts; ++index) {
    TemporaryDirectory directory;
    const auto begin = Clock::now();
    EmulatorChild child{emulator, directory.path() / "state"};
    const auto opened = Clock::now();
    auto host = open_slave(child.pty_path());
    std::string buffer;
    if (!fill(host.get(), buffer, Clock::now() + std::chrono::seconds(10))) {
      throw std::runtime_error("nothing on the pty at start " + std::to_string(index + 1));
    }
    open_to_first_byte.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - opened).count());
    if (!read_until(host.get(), buffer, console_active, std::chrono::seconds(10))) {
      throw std::runtime_error("no Console active at start " + std::to_string(index + 1));
    }
    to_console_active.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
  }
  const auto noticed = summarize(open_to_first_byte);
  const auto ready = summarize(to_console_active);
  std::printf(
      "(b) over %zu starts: a host's open to its first byte p50 %.2f ms, p99 %.2f ms  "
      "[target: <= 1 ms]\n",
      starts, noticed.p50, noticed.p99);
  std::printf(
      "    spawn to +WIND:0:Console active p50 %.2f ms, p99 %.2f ms, max %.2f ms  "
      "[target: p99 <= 10 ms]\n",
      ready.p50, ready.p99, ready.max);
  std::fflush(stdout);
}

}  // namespace
}  // namespace spwf::bench

int main(int argc, char** argv) {
  using namespace spwf::bench;
  const auto instances = argc > 1 ? positive_number(argv[1]) : std::optional<std::size_t>{8};
  const auto seconds = argc > 2 ? positive_number(argv[2]) : std::optional<std::size_t>{30};
  const auto starts = argc > 3 ? positive_number(argv[3]) : std::optional<std::size_t>{20};
  if (!instances || !seconds || !starts) {
    std::fprintf(stderr, "usage: bench_idle [instances] [seconds] [starts]\n");
    return 2;
  }
  try {
    const std::string emulator = emulator_path(SPWF04EMU_PATH);
    start_up(emulator, *starts);
    idle_instances(emulator, *instances, static_cast<int>(*seconds));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_idle: %s\n", error.what());
    return 1;
  }
  return 0;
}
