#ifndef CCHAOSSYS_H
#define CCHAOSSYS_H

#include <sys/types.h>

/// Asks the kernel to send `signal` to the calling process when its parent thread dies (PR_SET_PDEATHSIG).
int cchaos_set_parent_death_signal(int signal);

#endif
