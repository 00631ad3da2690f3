// Tests of atcmd/HeapModel.hpp: reservations by holder, the refusal when the heap is short, the
// low-water mark, and power-on.

#include <gtest/gtest.h>

#include "atcmd/HeapModel.hpp"
#include "support/Limits.hpp"

namespace spwf::atcmd {
namespace {

TEST(HeapModelTest, ReservationsTakeAndGiveBack) {
  HeapModel heap;
  EXPECT_EQ(heap.free(), limits::heap_free_at_boot);
  EXPECT_TRUE(heap.reserve(HeapUser::client_socket, 0, 1000));
  EXPECT_TRUE(heap.reserve(HeapUser::server_socket, 0, 500));
  EXPECT_EQ(heap.free(), limits::heap_free_at_boot - 1500);
  heap.release(HeapUser::client_socket, 0);
  heap.release(HeapUser::client_socket, 0);  // twice: nothing more is given back
  EXPECT_EQ(heap.free(), limits::heap_free_at_boot - 500);
  EXPECT_EQ(heap.lowest_free(), limits::heap_free_at_boot - 1500);
}

TEST(HeapModelTest, AReservationTheHeapCannotHoldTakesNothing) {
  HeapModel heap;
  EXPECT_TRUE(heap.reserve(HeapUser::client_socket, 0, limits::heap_free_at_boot - 10));
  EXPECT_FALSE(heap.reserve(HeapUser::client_socket, 1, 11));
  EXPECT_EQ(heap.free(), 10u);
  EXPECT_TRUE(heap.reserve(HeapUser::client_socket, 1, 10));
  EXPECT_EQ(heap.free(), 0u);
}

TEST(HeapModelTest, ReleaseAllAndPowerOn) {
  HeapModel heap;
  heap.reserve(HeapUser::client_socket, 0, 100);
  heap.reserve(HeapUser::client_socket, 1, 100);
  heap.reserve(HeapUser::server_socket, 0, 100);
  heap.release_all(HeapUser::client_socket);
  EXPECT_EQ(heap.free(), limits::heap_free_at_boot - 100);
  heap.reset();
  EXPECT_EQ(heap.free(), limits::heap_free_at_boot);
  EXPECT_EQ(heap.lowest_free(), limits::heap_free_at_boot);
}

TEST(HeapModelTest, WhatTheModuleIsKnownToAllowFits) {
  // Two TLS clients and six TCP sockets at the factory ip_sock_memsize (1 x 1500 bytes).
  std::size_t total =
      2 * HeapModel::socket_cost(1500, true) + 6 * HeapModel::socket_cost(1500, false);
  EXPECT_LE(total, limits::heap_free_at_boot);
  // One socket with a 48000-byte buffer (ip_sock_memsize=32) fits; two do not.
  EXPECT_LE(HeapModel::socket_cost(48000, false), limits::heap_free_at_boot);
  EXPECT_GT(2 * HeapModel::socket_cost(48000, false), limits::heap_free_at_boot);
}

}  // namespace
}  // namespace spwf::atcmd
