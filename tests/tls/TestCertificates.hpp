#pragma once
// A test suite's own copy of the certificates of scripts/make-test-certs.sh (run once per suite
// into a temporary directory, removed after it), and reading them.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace spwf::tls {

class TestCertificates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (std::filesystem::temp_directory_path() / "spwf-certs-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    s_directory = pattern;
    const std::string command =
        std::string{"bash "} + SPWF_MAKE_TEST_CERTS + " " + s_directory.string() + " >/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    std::filesystem::remove_all(s_directory, ignored);
  }
  /// The path of one of the files.
  static std::filesystem::path path(std::string_view name) {
    return s_directory / std::string{name};
  }
  /// The bytes of one of the files ("" when it is missing).
  static std::string read(std::string_view name) {
    std::ifstream in(path(name), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
  }

  static inline std::filesystem::path s_directory;
};

}  // namespace spwf::tls
