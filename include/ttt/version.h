/* SPDX-License-Identifier: MIT */
/* version.h - the release this tree builds */
#ifndef TTT_VERSION_H
#define TTT_VERSION_H

#define TTT_VERSION "0.1.0"

#endif
