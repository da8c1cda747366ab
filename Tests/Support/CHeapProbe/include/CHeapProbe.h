#ifndef CHEAPPROBE_H
#define CHEAPPROBE_H
#include <stddef.h>

/// Bytes the process's malloc heap has handed out and not yet had back (glibc `mallinfo2().uordblks`): what
/// tests compare before and during a pass to see what a reader keeps, independent of what the kernel maps.
size_t chaos_heap_in_use(void);

#endif
