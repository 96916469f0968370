/* The C API test groups; main.c runs them in order. */
#ifndef AUTHP_TESTS_TESTS_H
#define AUTHP_TESTS_TESTS_H

void test_decisions(void);
void test_callbacks(void);
void test_lazy(void);
void test_throttle(void);
void test_errors(void);
void test_sessions(void);
void test_oauth(void);
void test_reload(void);
void test_security(void);
void test_cert_binding(void);
void test_directory(void);
void test_apikey(void);

#endif /* AUTHP_TESTS_TESTS_H */
