// A host clock written in C++ that throws through the C ABI (a host bug the engine must survive
// with its documented safe denial; issue 22 finding 9). Linked into the plain-C test program.
#include <stdexcept>

extern "C" double throwing_clock(void*) {
    throw std::runtime_error("the host's clock is broken");
}
