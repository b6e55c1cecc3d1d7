// Checkpointer: copies a store's write-ahead log into its database file on a thread of its own,
// so that the store's writer does not stop for it.
//
// Why: sqlite's automatic checkpoint runs inside the commit that fills the WAL. Under SubmitJob's
// load that commit took 10-50 ms (up to 250 ms with both cores busy) to copy 10,000 pages and
// fsync the file, and every caller waiting for the writer waited with it.
//
// How: the writer reports the WAL's size after each commit (AfterCommit). Once it holds
// `start_frames`, a pass runs here on a connection of its own, in PASSIVE mode: it copies every
// frame committed before it began, and takes no lock the writer needs. The frames committed
// meanwhile (the tail) are still only in the WAL, and sqlite starts the WAL over from its
// beginning (instead of growing it) only once every frame is copied. So when a pass has ended
// and the tail is at most `tail_frames`, AfterCommit asks the writer to copy the tail itself: a
// short pass that no commit can overtake, after which the next commit starts the WAL over. A
// longer tail gets one more pass here, and after that the writer copies what remains whatever its
// size: it was written during one pass, and a writer that keeps the disk busy (as SubmitJob's load
// does) commits faster than passes copy, so more passes would not catch up. If the WAL reaches
// `limit_frames` all the same (passes failing), AfterCommit asks the writer to copy it all, as
// sqlite's automatic checkpoint would.
//
// A pass that fails (a full disk, an I/O error) is counted (stats()) and the next commit asks for
// another: the WAL keeps every frame until one succeeds, so nothing committed is at risk.
//
// Thread-safety: AfterCommit and stats() may be called from any thread; the store calls
// AfterCommit from its writer, one call at a time. Destruction waits for the pass in progress.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "store/sqlite_db.h"
#include "util/status.h"

namespace nightshift::store {

class Checkpointer {
 public:
  struct Options {
    // 4,000 pages: 16 MiB of WAL. SubmitJob's load writes ~2 pages a job, so a pass every
    // ~2,000 submissions.
    int start_frames = 4000;
    int tail_frames = 1000;
    int limit_frames = 40000;
  };

  struct Stats {
    int64_t passes = 0;              // passes run on the checkpointer's thread
    int64_t failed_passes = 0;       // of which failed; last_error says why
    int64_t writer_checkpoints = 0;  // times AfterCommit asked the writer to checkpoint
    int64_t wal_restarts = 0;        // commits that started the WAL over from its beginning
    int wal_frames = 0;              // in the WAL after the last commit
    std::string last_error;
  };

  // Opens a second connection to the store at `path` (through the sqlite VFS `vfs_name`, empty:
  // the default) and starts the thread. Errors: those of Database::Open.
  static Result<std::unique_ptr<Checkpointer>> Start(const std::string& path,
                                                     const std::string& vfs_name,
                                                     const Options& options);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // A commit left `wal_frames` frames in the WAL. Starts a pass if one is due. True when the
  // writer should checkpoint on its own connection now, before its next commit.
  bool AfterCommit(int wal_frames);

  Stats stats() const;

 private:
  Checkpointer(Database db, const Options& options);
  void Run();

  const Options options_;
  Database db_;  // used on thread_ only

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool pass_wanted_ = false;
  bool pass_running_ = false;
  // Set when a pass ends, taken by the next AfterCommit: the frames copied up to then.
  std::optional<int> ended_pass_copied_;
  int passes_since_restart_ = 0;  // passes that ended since the WAL last started over
  Stats stats_;

  std::thread thread_;  // last: started once everything above is set up
};

}  // namespace nightshift::store
