/* SPDX-License-Identifier: MIT */
/*
 * serial_list.c - the ports of this machine (libserialport's enumeration),
 * choosing one by USB identity (usb:VID:PID[:SERIAL]), and the "ports
 * present" hint for a port that does not exist.
 */
#include "serial_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static int fill_info(struct serial_port_info *i, struct sp_port *sp)
{
	int vid, pid;

	i->path = strdup(sp_get_port_name(sp));
	i->description = dup_or_null(sp_get_port_description(sp));
	if (sp_get_port_transport(sp) == SP_TRANSPORT_USB &&
	    sp_get_port_usb_vid_pid(sp, &vid, &pid) == SP_OK) {
		i->usb = true;
		i->vid = (unsigned)vid;
		i->pid = (unsigned)pid;
		i->serial = dup_or_null(sp_get_port_usb_serial(sp));
		i->manufacturer = dup_or_null(sp_get_port_usb_manufacturer(sp));
		i->product = dup_or_null(sp_get_port_usb_product(sp));
	}
	return i->path ? SB_OK : SB_ERR_NOMEM;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct serial_port_info *)a)->path,
		      ((const struct serial_port_info *)b)->path);
}

int serial_list(struct serial_port_info **ports, size_t *count, struct sb_diag *d)
{
	struct serial_port_info *arr;
	struct sp_port **list;
	size_t n = 0;
	int r = SB_OK;

	*ports = NULL;
	*count = 0;
	if (sp_list_ports(&list) != SP_OK) {
		char *msg = sp_last_error_message();
		sb_diag_set(d, SB_ERR_IO, "cannot list serial ports: %s", msg ? msg : "?");
		sp_free_error_message(msg);
		return SB_ERR_IO;
	}
	while (list[n])
		n++;
	arr = calloc(n ? n : 1, sizeof(*arr));
	for (size_t i = 0; arr && i < n && r == SB_OK; i++)
		r = fill_info(&arr[i], list[i]);
	sp_free_port_list(list);
	if (!arr || r != SB_OK) {
		serial_list_free(arr, n);
		return SB_ERR_NOMEM;
	}
	qsort(arr, n, sizeof(*arr), by_path);
	*ports = arr;
	*count = n;
	return SB_OK;
}

void serial_list_free(struct serial_port_info *ports, size_t count)
{
	if (!ports)
		return;
	for (size_t i = 0; i < count; i++) {
		free(ports[i].path);
		free(ports[i].description);
		free(ports[i].serial);
		free(ports[i].manufacturer);
		free(ports[i].product);
	}
	free(ports);
}

/* ---- hints ---------------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	if (used < len)
		vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* "/dev/ttyUSB0 (FT232R USB UART), /dev/ttyS0" or "none found"; usb_only: USB ports with VID:PID. */
static void ports_present(char *buf, size_t len, bool usb_only)
{
	struct serial_port_info *ports;
	size_t n, shown = 0;
	char id[48];

	buf[0] = '\0';
	if (serial_list(&ports, &n, NULL) != SB_OK) {
		snprintf(buf, len, "unknown (cannot enumerate them)");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (usb_only && !ports[i].usb)
			continue;
		if (ports[i].usb)
			snprintf(id, sizeof(id), "%04x:%04x%s%.20s", ports[i].vid, ports[i].pid,
				 ports[i].serial ? " serial " : "", ports[i].serial ? ports[i].serial : "");
		append(buf, len, "%s%s", shown++ ? ", " : "", ports[i].path);
		if (ports[i].usb)
			append(buf, len, " (%s)", id);
		else if (ports[i].description && strcmp(ports[i].description, strrchr(ports[i].path, '/') + 1))
			append(buf, len, " (%s)", ports[i].description);
	}
	if (!shown)
		snprintf(buf, len, "none found");
	serial_list_free(ports, n);
}

/* ---- usb:VID:PID[:SERIAL] ---------------------------------------------------- */

static bool parse_hex16(const char *s, size_t len, unsigned *out)
{
	char tmp[5], *end;

	if (len == 0 || len > 4)
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*out = (unsigned)strtoul(tmp, &end, 16);
	return *end == '\0';
}

static int parse_usb_spec(const char *spec, unsigned *vid, unsigned *pid, const char **serial,
			  struct sb_diag *d)
{
	const char *v = spec + 4, *c1 = strchr(v, ':'), *c2;

	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	*serial = c2 ? c2 + 1 : NULL;
	if (!c1 || !parse_hex16(v, (size_t)(c1 - v), vid) ||
	    !parse_hex16(c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1), pid) ||
	    (*serial && !**serial))
		return sb_diag_set(d, SB_ERR_BAD_INPUT,
				   "bad port '%s': expected usb:VID:PID or usb:VID:PID:SERIAL, VID and PID in hex",
				   spec);
	return SB_OK;
}

static bool usb_match(const struct serial_port_info *i, unsigned vid, unsigned pid, const char *serial)
{
	return i->usb && i->vid == vid && i->pid == pid &&
	       (!serial || (i->serial && !strcmp(i->serial, serial)));
}

static int pick_usb(const char *spec, const struct serial_port_info *ports, size_t n, unsigned vid,
		    unsigned pid, const char *serial, char **dev, struct sb_diag *d)
{
	const struct serial_port_info *found = NULL;
	char list[400] = "";
	int matches = 0;

	for (size_t i = 0; i < n; i++) {
		if (!usb_match(&ports[i], vid, pid, serial))
			continue;
		found = &ports[i];
		append(list, sizeof(list), "%s%s", matches++ ? ", " : "", ports[i].path);
		append(list, sizeof(list), " (serial %s)", ports[i].serial ? ports[i].serial : "none");
	}
	if (matches == 1) {
		*dev = strdup(found->path);
		return *dev ? SB_OK : SB_ERR_NOMEM;
	}
	if (matches > 1)
		return sb_diag_set(d, SB_ERR_NO_DEVICE,
				   "%d serial ports match %s: %s; add the serial number (usb:VID:PID:SERIAL) "
				   "or give the port's path", matches, spec, list);
	ports_present(list, sizeof(list), true);
	return sb_diag_set(d, SB_ERR_NO_DEVICE, "no serial port matches %s; USB serial ports: %s",
			   spec, list);
}

static int resolve_usb(const char *spec, char **dev, struct sb_diag *d)
{
	struct serial_port_info *ports;
	const char *serial;
	unsigned vid = 0, pid = 0;
	size_t n;
	int r;

	r = parse_usb_spec(spec, &vid, &pid, &serial, d);
	if (r != SB_OK)
		return r;
	r = serial_list(&ports, &n, d);
	if (r != SB_OK)
		return r;
	r = pick_usb(spec, ports, n, vid, pid, serial, dev, d);
	serial_list_free(ports, n);
	return r;
}

/*
 * libserialport wants the /dev name it finds in sysfs, so symlinks
 * (/dev/serial/by-id/..., /tmp/board0 -> /dev/pts/3) are resolved first.
 */
int serial_resolve(const char *spec, char **dev, struct sb_diag *d)
{
	char hint[400];

	if (!strncmp(spec, "usb:", 4))
		return resolve_usb(spec, dev, d);
	*dev = realpath(spec, NULL);
	if (*dev)
		return SB_OK;
	if (errno == ENOMEM)
		return SB_ERR_NOMEM;
	if (errno == EACCES)
		return sb_diag_set(d, SB_ERR_NO_DEVICE, "cannot reach port %s: permission denied", spec);
	ports_present(hint, sizeof(hint), false);
	return sb_diag_set(d, SB_ERR_NO_DEVICE, "no such port %s; serial ports present: %s", spec, hint);
}
