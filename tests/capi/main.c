/* Runs every C API test group and prints "N passed, M failed". */
#define CHECK_IMPLEMENTATION
#include "check.h"
#include "tests.h"

int main(void) {
    test_decisions();
    test_callbacks();
    test_lazy();
    test_throttle();
    test_errors();
    test_sessions();
    test_oauth();
    test_reload();
    test_security();
    test_cert_binding();
    test_directory();
    test_apikey();
    return check_summary();
}
