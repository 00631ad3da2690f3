// The file-system commands over config::ModuleFileSystem. Each maps the file system's errors to
// the module's numbers: an unknown or unmounted volume is 50 everywhere, otherwise the command's
// own error (FSC/FSP/HASH 51, FSD 56, FSR 55, FSL 57, FSM/FSU 59). FSC checks everything it can
// before its payload (count, zero length 33, volume 50, name or read-only volume 51, free space
// 32) and ends at once on failure (spec §2.5, §9 Q7); only a host write failure comes after the
// payload (50).

#include "atcmd/commands/FileCommands.hpp"

#include <mbedtls/md.h>

#include <array>
#include <cstdio>
#include <string>

#include "atcmd/CommandContext.hpp"
#include "config/ModuleFileSystem.hpp"
#include "support/Log.hpp"

namespace spwf::atcmd::commands {
namespace asio = boost::asio;

using config::FileError;

AtError file_error_to_at(const std::error_code& error, AtError otherwise) {
  if (!error) return AtError::none;
  if (error == FileError::unknown_volume || error == FileError::not_mounted) {
    return AtError::filesystem_access;
  }
  if (error == FileError::no_space) return AtError::argument_too_large;
  if (error == FileError::storage_failure) log::error("file system: " + error.message());
  return otherwise;
}

namespace {

using config::ModuleFileSystem;

// A volume number parameter (FSM, FSU): decimal 0..3.
std::optional<unsigned> volume_number(const Arguments& args, std::size_t index) {
  if (!args.is_number(index) || args.number(index) >= ModuleFileSystem::volume_count) {
    return std::nullopt;
  }
  return static_cast<unsigned>(args.number(index));
}

struct HashAlgorithm {
  std::string_view label;
  mbedtls_md_type_t type;
};

// AT+S.HASH algorithm numbers, in order (spec §3.1 row 28).
constexpr std::array<HashAlgorithm, 4> hash_algorithms = {{
    {label::sha1, MBEDTLS_MD_SHA1},
    {label::sha224, MBEDTLS_MD_SHA224},
    {label::sha256, MBEDTLS_MD_SHA256},
    {label::md5, MBEDTLS_MD_MD5},
}};

// Lower-case hex digest of `data`, or nullopt if mbedTLS lacks the algorithm.
std::optional<std::string> hex_digest(mbedtls_md_type_t type, std::string_view data) {
  const mbedtls_md_info_t* info = mbedtls_md_info_from_type(type);
  if (info == nullptr) return std::nullopt;
  std::array<unsigned char, MBEDTLS_MD_MAX_SIZE> digest{};
  if (mbedtls_md(info, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                 digest.data()) != 0) {
    return std::nullopt;
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < mbedtls_md_get_size(info); ++i) {
    text += digits[digest[i] >> 4];
    text += digits[digest[i] & 0x0F];
  }
  return text;
}

}  // namespace

// AT+S.FSM=<volume>
asio::awaitable<AtError> file_mount(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 1); error != AtError::none) co_return error;
  const auto volume = volume_number(args, 0);
  if (!volume) co_return AtError::volume_mount;
  co_return file_error_to_at(context.state().files().mount(*volume), AtError::volume_mount);
}

// AT+S.FSU=<volume>,<0|1>: 1 also erases the volume's files.
asio::awaitable<AtError> file_unmount(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  const auto volume = volume_number(args, 0);
  if (!volume) co_return AtError::volume_mount;
  const int mode = args.keyword_index(1, {"0", "1"});
  if (mode < 0) co_return AtError::invalid_arguments;
  const auto error = context.state().files().unmount(
      *volume, mode == 1 ? config::UnmountMode::erase : config::UnmountMode::keep);
  if (error == FileError::storage_failure) log::error("file system: " + error.message());
  co_return error ? AtError::volume_mount : AtError::none;
}

// AT+S.FSC=<filename>,<datalen><CR><data>: creates the file if needed and appends the payload.
asio::awaitable<AtError> file_create(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  const std::uint64_t length = args.number(1);
  if (length == 0) co_return AtError::argument_zero;
  auto& files = context.state().files();
  const std::string name{args.text(0)};
  if (auto error = files.check_append(name, length)) {
    co_return file_error_to_at(error, AtError::file_open);
  }
  // check_append bounded the length by the volume's free space, so holding it is bounded too.
  const auto payload = co_await context.read_payload(length, length);
  if (!payload) co_return AtError::filesystem_access;
  co_return file_error_to_at(files.append(name, *payload), AtError::filesystem_access);
}

// AT+S.FSD=<filename>
asio::awaitable<AtError> file_delete(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(1, 1); error != AtError::none) co_return error;
  co_return file_error_to_at(context.state().files().remove(args.text(0)), AtError::file_delete);
}

// AT+S.FSR=<old_filename>,<new_filename>
asio::awaitable<AtError> file_rename(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  co_return file_error_to_at(context.state().files().rename(args.text(0), args.text(1)),
                             AtError::file_rename);
}

// AT+S.FSL[=<filename>]: one R line per file, then the free space of the RAM disk, the user
// ("VOL") volume and the external volume as I lines. A name that is only a volume prefix ("2:")
// lists that volume; any failure to find what is named is 57.
asio::awaitable<AtError> file_list(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(0, 1); error != AtError::none) co_return error;
  const auto& files = context.state().files();
  std::vector<config::FileEntry> entries;
  if (args.text(0).empty()) {
    entries = files.list();
  } else if (auto error = files.list(args.text(0), entries)) {
    co_return AtError::directory_open;
  }
  for (const auto& entry : entries) {
    char line[line_buffer_size];
    std::snprintf(line, sizeof line, file_list::line_format, static_cast<char>('0' + entry.volume),
                  static_cast<int>(entry.size), entry.name.c_str());
    context.result(label::file, line);
  }
  context.info(label::free_ram_disk,
               std::to_string(files.free_bytes(ModuleFileSystem::ram_volume)));
  context.info(label::free_vol_disk,
               std::to_string(files.free_bytes(ModuleFileSystem::user_volume)));
  context.info(label::free_ext_disk,
               std::to_string(files.free_bytes(ModuleFileSystem::external_volume)));
  co_return AtError::none;
}

// AT+S.FSP=<filename>,<offset>,<length>: the bytes from <offset> (empty: 0) for <length> bytes
// (empty or 0: to the end), raw; an offset beyond the end is 52.
asio::awaitable<AtError> file_print(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(3, 3); error != AtError::none) co_return error;
  std::string content;
  const auto error = context.state().files().read(args.text(0), content);
  if (error == FileError::storage_failure) co_return file_error_to_at(error, AtError::file_read);
  if (error) co_return file_error_to_at(error, AtError::file_open);
  const std::uint64_t offset = args.number(1);
  if (offset > content.size()) co_return AtError::file_seek;
  const std::uint64_t length = args.number(2);
  context.raw(std::string_view(content).substr(
      static_cast<std::size_t>(offset),
      length == 0 ? std::string_view::npos : static_cast<std::size_t>(length)));
  co_return AtError::none;
}

// AT+S.HASH=<0|1|2|3>,<filename>: "AT-S.<algorithm>:<lower-case hex digest>".
asio::awaitable<AtError> file_hash(CommandContext& context) {
  const Arguments& args = context.args();
  if (auto error = args.check_count(2, 2); error != AtError::none) co_return error;
  if (!args.is_number(0) || args.number(0) >= hash_algorithms.size()) {
    co_return AtError::invalid_arguments;
  }
  const HashAlgorithm& algorithm = hash_algorithms[static_cast<std::size_t>(args.number(0))];
  std::string content;
  const auto error = context.state().files().read(args.text(1), content);
  if (error == FileError::storage_failure) co_return file_error_to_at(error, AtError::file_read);
  if (error) co_return file_error_to_at(error, AtError::file_open);
  const auto digest = hex_digest(algorithm.type, content);
  if (!digest) co_return AtError::file_read;
  context.result(algorithm.label, *digest);
  co_return AtError::none;
}

}  // namespace spwf::atcmd::commands
