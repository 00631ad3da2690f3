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

class CertificateSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_certificates = std::make_unique<TempDir>();
    const std::string output = make_test_certificates(SPWF_MAKE_TEST_CERTS, s_certificates->path());
    ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  }
  static void TearDownTestSuite() { s_certificates.reset(); }
  /// The path of one of the certificate files ("root-ca.pem").
  static std::filesystem::path cert(std::string_view name) {
    return s_certificates->path() / std::string{name};
  }

  static inline std::unique_ptr<TempDir> s_certificates;
};

}  // namespace spwf::testing
