/* SPDX-License-Identifier: MIT */
/*
 * fwtalk.c - a small host for the CPU-model tests: opens a serial port
 * 8E1 with termios (run it under the serial shim so that romsim learns the
 * settings), loads firmware with AN3155 Write Memory + Go (protocol-facts
 * A.3/A.5), then runs a script of steps against it:
 *
 *   fwtalk PORT STEP...
 *   baud:N          set the host's rate (8E1)
 *   sync            send 0x7F, expect ACK (0x79) or NACK (0x1F)
 *   load:FILE@ADDR  Write Memory in 256-byte blocks (padded to 4 with 0xFF)
 *   go:ADDR         Go
 *   tx:HEX          send bytes;  u8:V  u16:V  u32:V  send a little-endian number
 *   rx:HEX          expect exactly these bytes next (10 s)
 *   rxn:N           read N bytes and print them in hex on one line
 *   quiet:MS        expect no byte for MS milliseconds
 *   sleep:MS        wait
 *
 * Exit status 0 when every step passed, 1 at the first that did not (said
 * on stderr), 2 for usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define ACK 0x79
#define NACK 0x1F
#define WAIT_MS 10000

static int fd = -1;

static int fail(const char *step, const char *what)
{
	fprintf(stderr, "fwtalk: %s: %s\n", step, what);
	return 1;
}

static speed_t speed_of(long baud)
{
	static const struct { long b; speed_t s; } tab[] = {
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
		{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 }, { 921600, B921600 },
		{ 1000000, B1000000 }, { 2000000, B2000000 },
	};

	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (tab[i].b == baud)
			return tab[i].s;
	return 0;
}

static int set_baud(long baud)
{
	struct termios t;
	speed_t sp = speed_of(baud);

	if (!sp || tcgetattr(fd, &t) < 0)
		return -1;
	cfmakeraw(&t);
	t.c_cflag |= PARENB | CS8 | CLOCAL | CREAD;  /* 8E1, protocol-facts A.1 */
	t.c_cflag &= ~(PARODD | CSTOPB | CRTSCTS);
	t.c_iflag |= INPCK;
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, sp);
	cfsetospeed(&t, sp);
	return tcsetattr(fd, TCSANOW, &t);
}

static int put(const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Up to n bytes within ms milliseconds; returns how many arrived. */
static size_t get(uint8_t *b, size_t n, int ms)
{
	size_t got = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (got < n) {
		struct pollfd p = { fd, POLLIN, 0 };
		int left;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = ms - (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		ssize_t r = read(fd, b + got, n - got);
		if (r > 0)
			got += (size_t)r;
	}
	return got;
}

static int expect_ack(void)
{
	uint8_t c;

	return get(&c, 1, WAIT_MS) == 1 && c == ACK ? 0 : -1;
}

static int send_addr(uint32_t a)
{
	uint8_t b[5] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a, 0 };

	b[4] = b[0] ^ b[1] ^ b[2] ^ b[3];  /* A.3 */
	return put(b, 5) < 0 ? -1 : expect_ack();
}

static int command(uint8_t code)
{
	uint8_t b[2] = { code, (uint8_t)~code };

	return put(b, 2) < 0 ? -1 : expect_ack();
}

static int write_block(uint32_t addr, const uint8_t *data, size_t n)
{
	uint8_t b[258];

	b[0] = (uint8_t)(n - 1);
	b[n + 1] = b[0];
	for (size_t i = 0; i < n; i++) {
		b[i + 1] = data[i];
		b[n + 1] ^= data[i];
	}
	if (command(0x31) < 0 || send_addr(addr) < 0 || put(b, n + 2) < 0)
		return -1;
	return expect_ack();
}

static int step_load(const char *arg)
{
	const char *at = strchr(arg, '@');
	char path[512];
	uint8_t buf[260];
	uint32_t addr;
	size_t n;
	FILE *f;

	if (!at || (size_t)(at - arg) >= sizeof path)
		return -1;
	memcpy(path, arg, (size_t)(at - arg));
	path[at - arg] = '\0';
	addr = (uint32_t)strtoul(at + 1, NULL, 0);
	if (!(f = fopen(path, "rb")))
		return -1;
	while ((n = fread(buf, 1, 256, f)) > 0) {
		while (n % 4)
			buf[n++] = 0xFF;
		if (write_block(addr, buf, n) < 0) {
			fclose(f);
			return -1;
		}
		addr += (uint32_t)n;
	}
	fclose(f);
	return 0;
}

static int hexbytes(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (s[0] && s[1] && n < max) {
		unsigned v;

		if (sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return *s ? -1 : (int)n;
}

static int step_num(const char *arg, int size)
{
	uint32_t v = (uint32_t)strtoul(arg, NULL, 0);
	uint8_t b[4];

	for (int i = 0; i < size; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return put(b, (size_t)size);
}

static int step_rx(const char *arg)
{
	uint8_t want[512], got[512];
	int n = hexbytes(arg, want, sizeof want);

	if (n < 0)
		return -1;
	if (get(got, (size_t)n, WAIT_MS) != (size_t)n || memcmp(got, want, (size_t)n)) {
		fprintf(stderr, "fwtalk: rx:%s: got", arg);
		for (int i = 0; i < n; i++)
			fprintf(stderr, " %02x", got[i]);
		fprintf(stderr, "\n");
		return -1;
	}
	return 0;
}

static int step_rxn(const char *arg)
{
	size_t n = strtoul(arg, NULL, 0), got;
	uint8_t *b = malloc(n ? n : 1);

	if (!b)
		return -1;
	got = get(b, n, WAIT_MS);
	for (size_t i = 0; i < got; i++)
		printf("%02x", b[i]);
	printf("\n");
	fflush(stdout);
	free(b);
	return got == n ? 0 : -1;
}

/* A ROM synchronised already may take 0x7F as an opcode and wait for its
 * complement (protocol-facts A.1): a second 0x7F then draws the NACK. */
static int step_sync(void)
{
	uint8_t c = 0x7F;

	for (int i = 0; i < 2; i++) {
		c = 0x7F;
		if (put(&c, 1) < 0)
			return -1;
		if (get(&c, 1, i ? WAIT_MS : 500) == 1)
			return c == ACK || c == NACK ? 0 : -1;
	}
	return -1;
}

static int step(const char *s)
{
	const char *arg = strchr(s, ':');
	uint8_t b[512];
	int n;

	arg = arg ? arg + 1 : "";
	if (!strncmp(s, "baud:", 5))
		return set_baud(strtol(arg, NULL, 0));
	if (!strcmp(s, "sync"))
		return step_sync();
	if (!strncmp(s, "load:", 5))
		return step_load(arg);
	if (!strncmp(s, "go:", 3))
		return command(0x21) < 0 ? -1 : send_addr((uint32_t)strtoul(arg, NULL, 0));
	if (!strncmp(s, "tx:", 3))
		return (n = hexbytes(arg, b, sizeof b)) < 0 ? -1 : put(b, (size_t)n);
	if (!strncmp(s, "u8:", 3) || !strncmp(s, "u16:", 4) || !strncmp(s, "u32:", 4))
		return step_num(arg, s[1] == '8' ? 1 : s[1] == '1' ? 2 : 4);
	if (!strncmp(s, "rx:", 3))
		return step_rx(arg);
	if (!strncmp(s, "rxn:", 4))
		return step_rxn(arg);
	if (!strncmp(s, "quiet:", 6))
		return get(b, 1, atoi(arg)) == 0 ? 0 : -1;
	if (!strncmp(s, "sleep:", 6))
		return usleep((useconds_t)atoi(arg) * 1000u);
	return -2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fwtalk PORT STEP...\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_NOCTTY);
	if (fd < 0 || set_baud(115200) < 0) {
		perror(argv[1]);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		int rc = step(argv[i]);

		if (rc == -2) {
			fprintf(stderr, "fwtalk: unknown step '%s'\n", argv[i]);
			return 2;
		}
		if (rc < 0)
			return fail(argv[i], "failed");
	}
	close(fd);
	return 0;
}
