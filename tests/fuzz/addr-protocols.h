/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The protocol numbers the address fuzzers choose from, also where the
 * system's headers lack some of them (no Bluetooth headers, older CAN
 * headers): the codec must handle the numbers whatever the headers say. */
#pragma once

#include <linux/can.h>
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
#include <bluetooth/bluetooth.h>
#endif

#ifndef CAN_J1939
#define CAN_J1939 7
#endif
#ifndef CAN_ISOTP
#define CAN_ISOTP 6
#endif
#ifndef BTPROTO_L2CAP
#define BTPROTO_L2CAP 0
#define BTPROTO_HCI 1
#define BTPROTO_SCO 2
#define BTPROTO_RFCOMM 3
#endif
