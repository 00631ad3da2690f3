#pragma once
// A test suite with its own copy of the certificates of scripts/make-test-certs.sh, made once
// before the suite's first test and removed after its last.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "tests/integration/EmulatorProcess.hpp"

namespace spwf::testing {

/// The certificates one test suite uses, made in its SetUpTestSuite and removed in its
/// TearDownTestSuite (suites of one program run one after another, so one copy serves each).
struct SuiteCertificates {
  static void make() {
    directory = std::make_unique<TempDir>();
    const std::string output = make_test_certificates(SPWF_MAKE_TEST_CERTS, directory->path());
    ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  }
  static void remove() { directory.reset(); }
  /// The path of one of the certificate files ("root-ca.pem").
  static std::filesystem::path path(std::string_view name) {
    return directory->path() / std::string{name};
  }

  static inline std::unique_ptr<TempDir> directory;
};

class CertificateSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { SuiteCertificates::make(); }
  static void TearDownTestSuite() { SuiteCertificates::remove(); }
  /// The path of one of the certificate files ("root-ca.pem").
  static std::filesystem::path cert(std::string_view name) { return SuiteCertificates::path(name); }
};

}  // namespace spwf::testing
