/* Output and exit through the debugger interface (semihosting). */
#ifndef EMBEDDED_SEMIHOSTING_H
#define EMBEDDED_SEMIHOSTING_H
void put(const char *text);
void put_number(unsigned long n);
__attribute__((noreturn)) void _exit(int status);
#endif
