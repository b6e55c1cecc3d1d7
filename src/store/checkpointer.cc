#include "store/checkpointer.h"

#include <utility>

namespace nightshift::store {

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                          const std::string& vfs_name,
                                                          const Options& options) {
  Result<Database> db = Database::Open(path, vfs_name);
  if (!db.ok()) return db.status();
  // The pass copies WAL frames straight into the file: a small page cache is all it needs.
  NS_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -1024"));
  return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(db).value(), options));
}

Checkpointer::Checkpointer(Database db, const Options& options)
    : options_(options), db_(std::move(db)), thread_([this] { Run(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool Checkpointer::AfterCommit(int wal_frames) {
  bool start_pass = false;
  bool writer_copies = false;
  {
    std::lock_guard lock(mu_);
    if (wal_frames < stats_.wal_frames) {
      ++stats_.wal_restarts;
      passes_since_restart_ = 0;
    }
    stats_.wal_frames = wal_frames;
    if (std::optional<int> copied = std::exchange(ended_pass_copied_, std::nullopt)) {
      // A pass copies the frames committed before it began. When no commit came during the
      // pass, the one that reported wal_frames found the WAL all copied and started it over
      // (passes_since_restart_ is back to 0): nothing is left.
      if (passes_since_restart_ > 0) {
        if (wal_frames - *copied <= options_.tail_frames ||
            passes_since_restart_ >= 2) {
          writer_copies = true;
        } else {
          start_pass = true;
        }
      }
    } else if (!pass_wanted_ && !pass_running_ && wal_frames >= options_.start_frames) {
      start_pass = true;
    }
    if (start_pass) pass_wanted_ = true;
    // A pass still running holds sqlite's checkpoint lock: the writer's attempt fails at once
    // and the next commit tries again.
    writer_copies = writer_copies || wal_frames >= options_.limit_frames;
    if (writer_copies) ++stats_.writer_checkpoints;
  }
  if (start_pass) wake_.notify_one();
  return writer_copies;
}

Checkpointer::Stats Checkpointer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Checkpointer::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || pass_wanted_; });
    if (stopping_) return;
    pass_wanted_ = false;
    pass_running_ = true;
    lock.unlock();
    Result<Database::WalProgress> progress = db_.CheckpointPassive();
    lock.lock();
    pass_running_ = false;
    ++stats_.passes;
    if (progress.ok()) {
      ended_pass_copied_ = progress->copied_frames;
      ++passes_since_restart_;
    } else {
      ++stats_.failed_passes;
      stats_.last_error = progress.status().ToString();
    }
  }
}

}  // namespace nightshift::store
