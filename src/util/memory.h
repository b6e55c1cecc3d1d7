// Giving freed heap memory back to the operating system.
// Thread-safety: may be called from any thread.
#pragma once

namespace nightshift {

// Returns the pages of free heap memory to the system (glibc's malloc_trim; nothing elsewhere).
// glibc gives back only the top of its heap by itself: after a burst of short-lived allocations
// (a turn that changes 100,000 jobs), every free page below a chunk still in use stays resident.
// It walks the allocator's free lists, which takes tens of milliseconds on a heap of a few hundred
// megabytes: for after such a burst, not for every loop turn.
void ReleaseFreeMemory();

}  // namespace nightshift
