/* A minimal firmware for QEMU's mps2-an385 (Cortex-M3): copies what arrives on UART0 (the
   Wi-Fi module) to UART1 (a log), and sends "AT\r" once the module says Console active. */
#define UART0 ((volatile unsigned*)0x40004000)
#define UART1 ((volatile unsigned*)0x40005000)
enum { DATA = 0, STATE = 1, CTRL = 2, BAUDDIV = 4 };

static void put(volatile unsigned* uart, char c) {
  while (uart[STATE] & 1) {
  }
  uart[DATA] = (unsigned char)c;
}

void reset(void) {
  UART0[BAUDDIV] = 16;
  UART0[CTRL] = 3;
  UART1[BAUDDIV] = 16;
  UART1[CTRL] = 3;
  static const char needle[] = "Console active\r\n";
  unsigned matched = 0, sent = 0;
  for (;;) {
    if (!(UART0[STATE] & 2)) continue;
    const char c = (char)UART0[DATA];
    put(UART1, c);
    if (sent) continue;
    matched = c == needle[matched] ? matched + 1 : (c == needle[0]);
    if (needle[matched] == '\0') {
      for (const char* p = "AT\r"; *p; ++p) put(UART0, *p);
      sent = 1;
    }
  }
}

__attribute__((section(".vectors"), used)) static const void* vectors[] = {(void*)0x20010000,
                                                                           (void*)reset};
