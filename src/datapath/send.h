/* SPDX-License-Identifier: MIT */
/* send.h - the send direction: frames read from the tap go to the peer */
#ifndef TTT_SEND_H
#define TTT_SEND_H

#include "path.h"

/* Runs until the path stops (returns 0) or the tap or socket fails for good
 * (returns -1, the reason logged). */
int ttt_send_run(struct ttt_path *path);

#endif
