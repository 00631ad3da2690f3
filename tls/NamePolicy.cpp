#include "tls/NamePolicy.hpp"

#include <algorithm>
#include <cctype>

namespace spwf::tls {

std::string sockon_server_name(std::string_view host, std::string_view kind) {
  // One character (s, x, ...) selects TLS with the host as the name; anything longer is the name.
  return std::string{kind.size() <= 1 ? host : kind};
}

std::string sni_for(std::string_view server_name) {
  return std::string{server_name};
}

bool common_name_matches(std::string_view common_name, std::string_view server_name) {
  // Exact, ASCII case-insensitive; "*" has no special meaning (a wildcard CN matches only itself).
  if (common_name.empty() || common_name.size() != server_name.size()) return false;
  return std::equal(common_name.begin(), common_name.end(), server_name.begin(),
                    [](char left, char right) {
                      return std::tolower(static_cast<unsigned char>(left)) ==
                             std::tolower(static_cast<unsigned char>(right));
                    });
}

}  // namespace spwf::tls
