# Precompiled headers: Asio's coroutine headers (and GoogleTest in the tests) take about as long
# to parse as a source file takes to compile, and nearly every source includes them. Precompiled
# once per target, they take roughly a third off the build (CI builds the tree three times with
# g++: coverage, sanitizers, and the container's release build). SPWF_PCH=OFF builds without.
option(SPWF_PCH "Precompile the common Asio / standard / GoogleTest headers" ON)

set(spwf_pch_common <algorithm> <array> <chrono> <cstdint> <functional> <memory> <optional>
    <span> <string> <string_view> <utility> <variant> <vector>)
set(spwf_pch_asio <boost/asio/any_io_executor.hpp> <boost/asio/as_tuple.hpp>
    <boost/asio/awaitable.hpp> <boost/asio/co_spawn.hpp> <boost/asio/steady_timer.hpp>
    <boost/asio/use_awaitable.hpp> <boost/asio/ip/tcp.hpp> <boost/asio/ip/udp.hpp>
    <boost/asio/experimental/awaitable_operators.hpp> <boost/asio/write.hpp>)

# spwf_precompile(TARGET asio|tests [REUSE_FROM OTHER]): the emulator's libraries (asio) or a
# test program (tests: GoogleTest). REUSE_FROM takes another target's precompiled header, for
# targets built with the same flags.
function(spwf_precompile target kind)
  if(NOT SPWF_PCH)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "REUSE_FROM" "")
  if(arg_REUSE_FROM)
    target_precompile_headers(${target} REUSE_FROM ${arg_REUSE_FROM})
  elseif(kind STREQUAL "asio")
    target_precompile_headers(${target} PRIVATE ${spwf_pch_common} ${spwf_pch_asio})
  else()
    target_precompile_headers(${target} PRIVATE ${spwf_pch_common} <gtest/gtest.h>)
  endif()
endfunction()
