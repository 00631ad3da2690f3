#include "PayloadSupport.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <thread>
#include <utility>

namespace spwf::bench {

namespace payload {

std::string pattern(std::size_t offset, std::size_t length) {
  std::string bytes(length, '\0');
  for (std::size_t index = 0; index < length; ++index) bytes[index] = pattern_byte(offset + index);
  return bytes;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

namespace {

/// Reads exactly `length` bytes from `fd` (or throws at the deadline).
void read_exactly(int fd, std::size_t length, Clock::time_point until) {
  std::string buffer;
  std::size_t done = 0;
  while (done < length) {
    buffer.clear();
    if (!fill(fd, buffer, until)) {
      throw std::runtime_error("bare pty: transfer stalled after " + std::to_string(done) +
                               " bytes");
    }
    done += buffer.size();
  }
}

}  // namespace

Throughput bare_pty_stream(std::size_t total, std::size_t chunk, Direction direction) {
  auto [master, slave] = open_pty_pair();
  const int writer_fd = direction == Direction::host_to_device ? slave.get() : master.get();
  const int reader_fd = direction == Direction::host_to_device ? master.get() : slave.get();
  const std::string block = pattern(0, chunk);
  const auto start = Clock::now();
  std::thread writer{[&] {
    try {
      for (std::size_t sent = 0; sent < total; sent += chunk) {
        write_all(writer_fd, std::string_view{block}.substr(0, std::min(chunk, total - sent)));
      }
    } catch (const std::exception&) {
      // The reader reports the stall.
    }
  }};
  try {
    read_exactly(reader_fd, total, Clock::now() + step_deadline);
  } catch (...) {
    master.reset();
    slave.reset();
    writer.join();
    throw;
  }
  const double seconds = seconds_since(start);
  writer.join();
  return {total, seconds};
}

namespace {

/// Sends `command` `rounds` times over a fresh pty pair, each time waiting for "AT-S.OK" (the
/// pattern holds no "AT-S.OK", so a payload before it cannot fake one), while `device` answers on
/// the master side in a thread of its own. Returns the seconds the exchanges took.
double lock_step_seconds(const std::string& command, std::size_t rounds,
                         const std::function<void(int master)>& device, const char* what) {
  auto [master, slave] = open_pty_pair();
  std::thread device_thread{device, master.get()};
  std::string buffer;
  const auto start = Clock::now();
  try {
    for (std::size_t round = 0; round < rounds; ++round) {
      write_all(slave.get(), command);
      if (!read_until(slave.get(), buffer, ok_line, step_deadline)) {
        throw std::runtime_error(std::string{what} + ": no answer");
      }
    }
  } catch (...) {
    slave.reset();
    master.reset();
    device_thread.join();
    throw;
  }
  const double seconds = seconds_since(start);
  // The device's read fails once the host side is gone (EIO), which ends its thread.
  slave.reset();
  master.reset();
  device_thread.join();
  return seconds;
}

}  // namespace

Throughput bare_pty_lock_step_write(std::size_t total, std::size_t chunk) {
  const std::string command = "AT+S.SOCKW=0," + std::to_string(chunk) + "\r" + pattern(0, chunk);
  const std::size_t rounds = (total + chunk - 1) / chunk;
  const auto device = [size = command.size(), rounds](int fd) {
    char block[4096];
    std::size_t have = 0;
    for (std::size_t round = 0; round < rounds;) {
      const ssize_t count = ::read(fd, block, sizeof block);
      if (count < 0 && errno == EINTR) continue;
      if (count <= 0) return;
      have += static_cast<std::size_t>(count);
      while (have >= size && round < rounds) {
        have -= size;
        ++round;
        try {
          write_all(fd, ok_line);
        } catch (const std::exception&) {
          return;
        }
      }
    }
  };
  return {rounds * chunk, lock_step_seconds(command, rounds, device, "bare pty lock-step write")};
}

Throughput bare_pty_lock_step_read(std::size_t total, std::size_t chunk) {
  const std::string command = "AT+S.SOCKR=0," + std::to_string(chunk) + "\r";
  const std::string answer = "AT-S.Reading:" + std::to_string(chunk) + ":" + std::to_string(chunk) +
                             "\r\n" + pattern(0, chunk) + std::string{ok_line};
  const std::size_t rounds = (total + chunk - 1) / chunk;
  const auto device = [&answer](int fd) {
    char block[512];
    for (;;) {
      const ssize_t count = ::read(fd, block, sizeof block);
      if (count < 0 && errno == EINTR) continue;
      if (count <= 0) return;
      for (ssize_t index = 0; index < count; ++index) {
        if (block[index] != '\r') continue;
        try {
          write_all(fd, answer);
        } catch (const std::exception&) {
          return;
        }
      }
    }
  };
  return {rounds * chunk, lock_step_seconds(command, rounds, device, "bare pty lock-step read")};
}

void SinkState::add(std::string_view bytes) {
  const std::lock_guard lock{m_mutex};
  for (const char byte : bytes) {
    if (byte != pattern_byte(m_received)) m_corrupt = true;
    ++m_received;
  }
  m_changed.notify_all();
}

bool SinkState::wait_for(std::size_t total, std::chrono::milliseconds deadline) {
  std::unique_lock lock{m_mutex};
  return m_changed.wait_for(lock, deadline, [&] { return m_received >= total; });
}

std::size_t SinkState::received() {
  const std::lock_guard lock{m_mutex};
  return m_received;
}

bool SinkState::corrupt() {
  const std::lock_guard lock{m_mutex};
  return m_corrupt;
}

void ModuleConsole::prepare() {
  wait_for_boot(m_fd.get(), m_buffer, step_deadline);
  command("AT+S.SCFG=console_echo,0");
  command("AT+S.SCFG=console_wind_off_medium,0x84800000");
}

std::string ModuleConsole::command(std::string_view line) {
  return run_command(m_fd.get(), m_buffer, line, step_deadline);
}

void ModuleConsole::load_ca(std::string_view ca_pem, std::int64_t epoch_seconds) {
  command("AT+S.TIME=" + std::to_string(epoch_seconds));
  // The header and the PEM in one write, with no CR after the payload.
  bench::write_all(m_fd.get(),
                   "AT+S.TLSCERT=ca," + std::to_string(ca_pem.size()) + "\r" + std::string{ca_pem});
  bool key_id = false;
  for (;;) {
    const std::string line = next_line();
    if (line.starts_with("AT-S.SubjectKeyId:")) {
      key_id = true;
    } else if (line == "AT-S.OK" && key_id) {
      return;
    } else if (!line.starts_with("+WIND:")) {
      throw std::runtime_error("TLSCERT=ca answered \"" + line + "\"");
    }
  }
}

unsigned ModuleConsole::open_socket(std::string_view host, std::uint16_t port,
                                    std::string_view kind) {
  const std::string lines = command("AT+S.SOCKON=" + std::string{host} + "," +
                                    std::to_string(port) + ",," + std::string{kind});
  const auto at = lines.find("AT-S.On:");
  const auto id_at = at == std::string::npos ? at : lines.find(':', at + 8);
  if (id_at == std::string::npos) throw std::runtime_error("SOCKON answered \"" + lines + "\"");
  return static_cast<unsigned>(std::strtoul(lines.c_str() + id_at + 1, nullptr, 10));
}

void ModuleConsole::write_socket(unsigned id, std::string_view bytes) {
  m_scratch = "AT+S.SOCKW=" + std::to_string(id) + "," + std::to_string(bytes.size()) + "\r";
  m_scratch.append(bytes);
  bench::write_all(m_fd.get(), m_scratch);
  expect_ok("SOCKW of socket " + std::to_string(id));
}

std::size_t ModuleConsole::query(unsigned id) {
  const std::string lines = command("AT+S.SOCKQ=" + std::to_string(id));
  const auto at = lines.find("AT-S.Query:");
  if (at == std::string::npos) throw std::runtime_error("SOCKQ answered \"" + lines + "\"");
  return std::strtoul(lines.c_str() + at + 11, nullptr, 10);
}

std::size_t ModuleConsole::read_socket(std::string_view command_line, SinkState& sink) {
  bench::write_all(m_fd.get(), command_line);
  for (;;) {
    const std::string line = next_line();
    if (line.starts_with("AT-S.Read Cap:")) {
      ++m_read_caps;
      continue;
    }
    if (line == "AT-S.Empty") {
      ++m_empty_reads;
      expect_ok("SOCKR after AT-S.Empty");
      return 0;
    }
    if (line.starts_with("AT-S.Reading:")) {
      char* end = nullptr;
      const std::size_t count = std::strtoul(line.c_str() + 13, &end, 10);
      if (end == line.c_str() + 13 || *end != ':') {
        throw std::runtime_error("bad Reading line \"" + line + "\"");
      }
      const auto until = Clock::now() + step_deadline;
      while (m_buffer.size() < count + ok_line.size()) {
        if (!fill(m_fd.get(), m_buffer, until)) {
          throw std::runtime_error("SOCKR: " + std::to_string(count) +
                                   " bytes announced, fewer arrived");
        }
      }
      sink.add(std::string_view{m_buffer}.substr(0, count));
      if (std::string_view{m_buffer}.substr(count, ok_line.size()) != ok_line) {
        throw std::runtime_error("SOCKR: no AT-S.OK right after the " + std::to_string(count) +
                                 " raw bytes");
      }
      m_buffer.erase(0, count + ok_line.size());
      return count;
    }
    if (line.starts_with("+WIND:")) {
      ++m_indications;
      continue;
    }
    throw std::runtime_error("SOCKR answered \"" + line + "\"");
  }
}

std::string ModuleConsole::next_line() {
  auto line = read_line(m_fd.get(), m_buffer, step_deadline);
  if (!line) throw std::runtime_error("no answer; got \"" + m_buffer + "\"");
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return *line;
}

void ModuleConsole::expect_ok(const std::string& what) {
  for (;;) {
    const std::string line = next_line();
    if (line == "AT-S.OK") return;
    if (line.starts_with("+WIND:")) {
      ++m_indications;
      continue;
    }
    throw std::runtime_error(what + " answered \"" + line + "\"");
  }
}

}  // namespace payload

}  // namespace spwf::bench
