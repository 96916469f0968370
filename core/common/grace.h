// Read sections and grace periods: how a decision pins what it reads (the engine snapshot, a
// remote key set) without touching a shared reference count or lock. A reader announces itself
// in its own thread's slot (one uncontended store to a cache line only that thread writes);
// a writer that unpublished an object frees it once every reader that might still see it has
// left its section. Sections nest (only the outermost announces). This is quiescent-state
// reclamation in the style of RCU, sized for objects that change rarely (reloads, key sets).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace authpolicy::grace {

// RAII: the thread reads published objects until the section ends.
class ReadSection {
  public:
    ReadSection();
    ~ReadSection();
    ReadSection(const ReadSection&) = delete;
    ReadSection& operator=(const ReadSection&) = delete;

  private:
    void* state_;  // this thread's state: one TLS lookup per section, not two
};

bool in_read_section();

// What a writer remembers after unpublishing: the readers that were inside at that moment.
class Token {
  public:
    // Call after the new object is published (the old one can no longer be found).
    static Token now();
    // True once each of those readers has left the section it was in.
    bool passed() const;
    // Blocks until passed(). Never call from inside a read section (it would wait on itself).
    void wait() const;

  private:
    std::vector<std::pair<const void*, uint64_t>> busy_;
};

}  // namespace authpolicy::grace
