#include <malloc.h>
#include "CHeapProbe.h"

// Swift's Glibc module does not import <malloc.h>; this is the one call the tests need from it.
size_t chaos_heap_in_use(void) { return mallinfo2().uordblks; }
