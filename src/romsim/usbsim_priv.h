/* SPDX-License-Identifier: MIT */
/*
 * usbsim_priv.h - insides of the emulated USB bus, shared by usbsim.c (bus,
 * sysfs, threads) and usbsim_ioctl.c (the usbdevfs handler).
 */
#ifndef USBSIM_PRIV_H
#define USBSIM_PRIV_H

#include <pthread.h>
#include <stdint.h>

#include <umockdev.h>

#include "usbsim.h"

/* One enumeration of a device: its node and the handler attached to it.
 * Kept until the bus goes, so that a stale fd still gets ENODEV. */
struct usbsim_node {
	struct usbsim_slot *slot;
	UMockdevIoctlBase *handler;
	char devnode[32];                /* "/dev/bus/usb/001/002" */
	struct usbsim_node *next;
};

/* A completed URB waiting to be reaped by its client. */
struct usbsim_urb {
	UMockdevIoctlClient *client;     /* referenced */
	UMockdevIoctlData *urb;          /* referenced; client memory already written */
	struct usbsim_urb *next;
};

struct usbsim_slot {
	struct usbsim *sim;
	unsigned num;                    /* 1..; sysfs "1-num" */
	struct board *b;
	struct dfu_dev *d;
	struct sb_log log;
	struct usbsim_node *cur;         /* node of the enumeration in force, NULL when off the bus */
	bool listed;                     /* its sysfs entry exists (added, not yet removed) */
	struct usbsim_node *nodes;
	struct usbsim_urb *urbs;         /* FIFO of completed URBs */
	UMockdevIoctlClient *claimed_by; /* referenced; interface 0 claimed */
	uint64_t gone_us;                /* when it left the bus (or was added) */
	uint64_t left_us;                /* when the model dropped off; its node goes gone_ms later */
	unsigned adds, removes;
	char syspath[96];
};

/* A reply held back until the model's completion time (timing only). */
struct usbsim_delay {
	UMockdevIoctlClient *client;     /* referenced */
	long result;
	int err;
	uint64_t due_us;
	struct usbsim_delay *next;
};

struct usbsim {
	struct usbsim_config cfg;
	UMockdevTestbed *tb;
	pthread_mutex_t tb_lock;         /* testbed calls: service thread and usbsim_add() */
	char *root;
	pthread_mutex_t lock;            /* models, boards, slots */
	pthread_cond_t kick;
	pthread_t service;
	bool stop;
	unsigned next_devnum;
	unsigned n;
	struct usbsim_slot slot[USBSIM_MAX_DEVICES];

	pthread_mutex_t dlock;           /* delayed replies */
	pthread_cond_t dcond;
	pthread_t delayer;
	bool delayer_on;
	struct usbsim_delay *delays;     /* sorted by due_us */
};

/* usbsim.c */
void usbsim_logf(struct usbsim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Answer an ioctl now, or at due_us when timing is on. */
void usbsim_complete(struct usbsim *s, UMockdevIoctlClient *client, long result, int err,
		     uint64_t due_us);

/* usbsim_guard.c: run fn(arg); false if it called abort() (see there why). */
bool usbsim_guarded(void (*fn)(void *arg), void *arg);

/* usbsim_ioctl.c: handler for a node; signal user data is the node. */
gboolean usbsim_handle_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client,
			     gpointer node);
void usbsim_drop_urbs(struct usbsim_slot *slot);

#endif
