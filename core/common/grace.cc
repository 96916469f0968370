#include "core/common/grace.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace authpolicy::grace {
namespace {

// Odd while its thread is inside a section. Own cache line: readers never share one.
struct alignas(64) Slot {
    std::atomic<uint64_t> counter{0};
};

struct Registry {
    std::mutex mutex;
    std::vector<Slot*> all;   // never freed: a thread's slot is reused by later threads
    std::vector<Slot*> free;  // slots of threads that exited
};

Registry& registry() {
    static Registry* r = new Registry();  // leaked: threads may exit during static destruction
    return *r;
}

struct ThreadState {
    Slot* slot = nullptr;
    unsigned depth = 0;
    ~ThreadState() {
        if (slot == nullptr) return;
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        r.free.push_back(slot);
    }
    Slot* get() {
        if (slot != nullptr) return slot;
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        if (!r.free.empty()) {
            slot = r.free.back();
            r.free.pop_back();
        } else {
            slot = new Slot();
            r.all.push_back(slot);
        }
        return slot;
    }
};

thread_local ThreadState t_state;

}  // namespace

// Sequentially consistent store/load pairs (Dekker): either the writer's scan sees this
// reader's odd counter, or this reader's later loads see the writer's new publication.
ReadSection::ReadSection() : state_(&t_state) {
    ThreadState& t = *static_cast<ThreadState*>(state_);
    if (t.depth++ != 0) return;
    Slot* s = t.get();
    s->counter.store(s->counter.load(std::memory_order_relaxed) + 1, std::memory_order_seq_cst);
}

ReadSection::~ReadSection() {
    ThreadState& t = *static_cast<ThreadState*>(state_);
    if (--t.depth != 0) return;
    Slot* s = t.slot;
    s->counter.store(s->counter.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

bool in_read_section() {
    return t_state.depth != 0;
}

Token Token::now() {
    Token t;
    std::atomic_thread_fence(std::memory_order_seq_cst);
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    for (Slot* s : r.all) {
        const uint64_t c = s->counter.load(std::memory_order_seq_cst);
        if ((c & 1) != 0) t.busy_.emplace_back(s, c);
    }
    return t;
}

bool Token::passed() const {
    for (const auto& [slot, seen] : busy_) {
        // acquire: the reader's reads of the old object happen before the writer frees it.
        if (static_cast<const Slot*>(slot)->counter.load(std::memory_order_acquire) == seen) return false;
    }
    return true;
}

void Token::wait() const {
    if (in_read_section()) throw std::logic_error("grace::Token::wait inside a read section");
    while (!passed()) std::this_thread::sleep_for(std::chrono::microseconds(200));
}

}  // namespace authpolicy::grace
