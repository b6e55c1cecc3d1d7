// FaultyVfs: a sqlite VFS for tests that wraps the default one and fails file writes or syncs on
// demand, the way a full or failing disk would. Tests open a SqliteStore through it
// (Options::vfs_name = kFaultyVfsName) to check error mapping and batch atomicity against real
// sqlite behaviour rather than against a mock.
//
// Thread-safety: the fault settings are process-wide atomics; tests that use them must not run
// concurrently in one process (gtest runs tests one at a time).
#pragma once

#include <cstdint>

namespace nightshift::store::testing {

inline constexpr char kFaultyVfsName[] = "nightshift-faulty";

// Registers the VFS (idempotent). Must be called before opening a store with it.
void RegisterFaultyVfs();

// After `count` more successful writes, every write fails with SQLITE_FULL until HealFaults().
void FailWritesAfter(int64_t count);
// After `count` more successful syncs, every sync fails with SQLITE_IOERR_FSYNC until HealFaults().
void FailSyncsAfter(int64_t count);
// Every write and sync succeeds again; the counters below restart from zero.
void HealFaults();

// Writes and syncs done through the VFS since the last HealFaults().
int64_t WritesSoFar();
int64_t SyncsSoFar();

}  // namespace nightshift::store::testing
