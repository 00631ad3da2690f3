#include "PayloadSupport.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
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

namespace {

/// A plain TCP connection as a ServerStream.
class PlainStream final : public ServerStream {
 public:
  explicit PlainStream(int fd) : m_fd(fd) {}
  long read_some(char* target, std::size_t length) override {
    for (;;) {
      const ssize_t count = ::recv(m_fd, target, length, 0);
      if (count < 0 && errno == EINTR) continue;
      return static_cast<long>(count);
    }
  }
  bool write_all(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t count = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (count < 0 && errno == EINTR) continue;
      if (count <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(count));
    }
    return true;
  }
  void finish() override { ::shutdown(m_fd, SHUT_WR); }

 private:
  int m_fd;
};

int tls_send(void* context, const unsigned char* data, std::size_t length) {
  const int fd = *static_cast<int*>(context);
  for (;;) {
    const ssize_t sent = ::send(fd, data, length, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0) return errno == EPIPE ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_SEND_FAILED;
    return static_cast<int>(sent);
  }
}

int tls_receive(void* context, unsigned char* data, std::size_t length) {
  const int fd = *static_cast<int*>(context);
  for (;;) {
    const ssize_t received = ::recv(fd, data, length, 0);
    if (received < 0 && errno == EINTR) continue;
    if (received < 0) return MBEDTLS_ERR_NET_RECV_FAILED;
    return static_cast<int>(received);  // 0: the peer closed
  }
}

/// One server-side TLS connection (own RNG, configuration and context) as a ServerStream.
class TlsStream final : public ServerStream {
 public:
  TlsStream(int fd, mbedtls_x509_crt& chain, mbedtls_pk_context& key) : m_fd(fd) {
    mbedtls_entropy_init(&m_entropy);
    mbedtls_ctr_drbg_init(&m_random);
    mbedtls_ssl_config_init(&m_config);
    mbedtls_ssl_init(&m_ssl);
    static constexpr unsigned char personalisation[] = "spwf04emu bench TlsServer";
    m_ready =
        mbedtls_ctr_drbg_seed(&m_random, mbedtls_entropy_func, &m_entropy, personalisation,
                              sizeof personalisation) == 0 &&
        mbedtls_ssl_config_defaults(&m_config, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) == 0;
    if (!m_ready) return;
    mbedtls_ssl_conf_rng(&m_config, mbedtls_ctr_drbg_random, &m_random);
    mbedtls_ssl_conf_min_version(&m_config, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_1);
    mbedtls_ssl_conf_authmode(&m_config, MBEDTLS_SSL_VERIFY_NONE);
    m_ready = mbedtls_ssl_conf_own_cert(&m_config, &chain, &key) == 0 &&
              mbedtls_ssl_setup(&m_ssl, &m_config) == 0;
    mbedtls_ssl_set_bio(&m_ssl, &m_fd, tls_send, tls_receive, nullptr);
  }
  ~TlsStream() override {
    mbedtls_ssl_free(&m_ssl);
    mbedtls_ssl_config_free(&m_config);
    mbedtls_ctr_drbg_free(&m_random);
    mbedtls_entropy_free(&m_entropy);
  }
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  /// Runs the handshake; true when it succeeded.
  bool handshake() { return m_ready && mbedtls_ssl_handshake(&m_ssl) == 0; }

  long read_some(char* target, std::size_t length) override {
    for (;;) {
      const int count = mbedtls_ssl_read(&m_ssl, reinterpret_cast<unsigned char*>(target), length);
      if (count == MBEDTLS_ERR_SSL_WANT_READ || count == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
      if (count == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return 0;
      return count;
    }
  }
  bool write_all(std::string_view bytes) override {
    while (!bytes.empty()) {
      const int written = mbedtls_ssl_write(
          &m_ssl, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
      if (written == MBEDTLS_ERR_SSL_WANT_READ || written == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
      if (written <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
  }
  void finish() override {
    mbedtls_ssl_close_notify(&m_ssl);
    ::shutdown(m_fd, SHUT_WR);
  }

 private:
  int m_fd;
  bool m_ready = false;
  mbedtls_entropy_context m_entropy;
  mbedtls_ctr_drbg_context m_random;
  mbedtls_ssl_config m_config;
  mbedtls_ssl_context m_ssl;
};

}  // namespace

namespace {

/// Turns Nagle off: mbedTLS 2.28 sends each handshake message on its own, and Nagle holding
/// the second one until the peer's delayed ACK (40 ms) would be the server's cost, not the
/// module's.
void disable_nagle(int fd) {
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

}  // namespace

PlainServer::PlainServer(StreamHandler handler)
    : m_server([handler = std::move(handler)](int fd) {
        disable_nagle(fd);
        PlainStream stream{fd};
        handler(stream);
      }) {}

/// The parsed certificate chain and key, shared read-only by the connections.
struct TlsServer::Identity {
  mbedtls_x509_crt chain;
  mbedtls_pk_context key;
  Identity() {
    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&key);
  }
  ~Identity() {
    mbedtls_x509_crt_free(&chain);
    mbedtls_pk_free(&key);
  }
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
};

TlsServer::TlsServer(const std::filesystem::path& certificate, const std::filesystem::path& key,
                     StreamHandler handler)
    : m_identity(std::make_unique<Identity>()), m_handler(std::move(handler)) {
  if (mbedtls_x509_crt_parse_file(&m_identity->chain, certificate.c_str()) != 0) {
    throw std::runtime_error("cannot parse the certificate " + certificate.string());
  }
  if (mbedtls_pk_parse_keyfile(&m_identity->key, key.c_str(), nullptr) != 0) {
    throw std::runtime_error("cannot parse the key " + key.string());
  }
  m_server = std::make_unique<LoopbackServer>([this](int fd) { serve(fd); });
}

TlsServer::~TlsServer() {
  m_server.reset();
}

void TlsServer::serve(int fd) {
  disable_nagle(fd);
  TlsStream stream{fd, m_identity->chain, m_identity->key};
  if (!stream.handshake()) {
    ++m_failed;
    return;
  }
  ++m_handshakes;
  m_handler(stream);
}

void make_test_certificates(const std::string& script, const std::filesystem::path& directory) {
  const std::string command = "'" + script + "' '" + directory.string() + "' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
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
