/* The least a Cortex-M4 program needs on QEMU: a vector table, a reset
   handler that lays out RAM and calls main, semihosting for output and
   exit (QEMU turns the exit into its own status), a hard-fault handler that
   fails the run, and sbrk for newlib's malloc. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "semihosting.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _stack_top;
extern char _heap_start, _heap_end;
int main(void);
void reset(void);

static int semihost(int op, void *arg) {
  register int r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void put(const char *text) { semihost(0x04 /* SYS_WRITE0 */, (void *)text); }

void put_number(unsigned long n) {
  char digits[24];
  char *at = digits + sizeof digits - 1;
  *at = 0;
  do {
    *--at = (char)('0' + n % 10);
    n /= 10;
  } while (n);
  put(at);
}

void _exit(int status) {
  /* ADP_Stopped_ApplicationExit: QEMU exits 0; a run-time error: 1. */
  semihost(0x18 /* SYS_EXIT */, (void *)(status == 0 ? 0x20026 : 0x20023));
  for (;;) {
  }
}

/* abort() raises SIGABRT: there is no process to signal, so the run ends. */
int _kill(int pid, int signal) {
  (void)pid;
  (void)signal;
  put("abort\n");
  _exit(1);
}

int _getpid(void) { return 1; }

void *_sbrk(ptrdiff_t increment) {
  static char *next = &_heap_start;
  if (increment > &_heap_end - next) return (void *)-1;
  char *start = next;
  next += increment;
  return start;
}

void reset(void) {
  memcpy(&_sdata, &_sidata, (size_t)((char *)&_edata - (char *)&_sdata));
  memset(&_sbss, 0, (size_t)((char *)&_ebss - (char *)&_sbss));
  /* The FPU (the library is built for the hard-float ABI): CP10, CP11 on. */
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
  __asm__ volatile("dsb\n isb");
  _exit(main());
}

static void hard_fault(void) {
  put("hard fault\n");
  _exit(1);
}

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &_stack_top, (void *)reset, (void *)hard_fault, (void *)hard_fault, (void *)hard_fault,
    (void *)hard_fault, (void *)hard_fault,
};
