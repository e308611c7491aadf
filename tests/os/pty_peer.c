/* SPDX-License-Identifier: MIT */
/*
 * pty_peer.c - the far end of a pseudo-terminal for shell tests of the
 * serial shim: just enough of the AN3155 ROM loader (init, Get, Get
 * Version, Get ID of an STM32L4R5; protocol-facts A.4/A.5) for a client to
 * connect, plus the shim's socket.
 *
 *   pty_peer LINK MSGFILE
 *
 * Creates a pty, makes LINK a symlink to its slave, serves the shim's
 * socket $SERIALSHIM_DIR/pts<N> (answering "ok") and appends each message
 * it receives to MSGFILE, one per line, before answering. Prints
 * "ready /dev/pts/N" when set up; runs until killed. Not the virtual board
 * (that is romsim): bytes it does not know get a NACK.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define ACK 0x79
#define NACK 0x1F

static const uint8_t get_reply[] = { ACK, 11, 0x31, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31,
				     0x44, 0x63, 0x73, 0x82, 0x92, ACK };
static const uint8_t version_reply[] = { ACK, 0x31, 0x00, 0x00, ACK };
static const uint8_t id_reply[] = { ACK, 0x01, 0x04, 0x70, ACK };

static void put(int fd, const uint8_t *b, size_t n)
{
	if (write(fd, b, n) != (ssize_t)n)
		perror("pty_peer: write");
}

/* Consume complete requests from buf; returns bytes used. */
static size_t answer(int m, const uint8_t *buf, size_t n)
{
	static const uint8_t nack = NACK, ack = ACK;

	if (n >= 1 && buf[0] == 0x7F) {
		put(m, &ack, 1);
		return 1;
	}
	if (n < 2)
		return 0;
	if (buf[0] == 0x00 && buf[1] == 0xFF)
		put(m, get_reply, sizeof(get_reply));
	else if (buf[0] == 0x01 && buf[1] == 0xFE)
		put(m, version_reply, sizeof(version_reply));
	else if (buf[0] == 0x02 && buf[1] == 0xFD)
		put(m, id_reply, sizeof(id_reply));
	else
		put(m, &nack, 1);
	return 2;
}

static void serve_client(int lfd, const char *msgfile)
{
	char msg[128];
	ssize_t n;
	int c = accept(lfd, NULL, NULL);

	if (c < 0)
		return;
	while ((n = recv(c, msg, sizeof(msg) - 1, 0)) > 0) {
		FILE *f = fopen(msgfile, "a");
		msg[n] = '\0';
		if (f) {
			fprintf(f, "%s\n", msg);
			fclose(f);
		}
		if (send(c, "ok", 2, MSG_NOSIGNAL) < 0)
			break;
	}
	close(c);
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *dir = getenv("SERIALSHIM_DIR");
	char sock[108], *slave;
	uint8_t buf[256];
	size_t have = 0;
	struct termios t;
	int m, s, lfd;
	unsigned num;

	if (argc != 3) {
		fprintf(stderr, "usage: pty_peer LINK MSGFILE\n");
		return 2;
	}
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || !(slave = ptsname(m)) ||
	    sscanf(slave, "/dev/pts/%u", &num) != 1)
		return 1;
	s = open(slave, O_RDWR | O_NOCTTY); /* kept open: the master reads EIO while no slave is */
	unlink(argv[1]);
	if (s < 0 || tcgetattr(s, &t) < 0 || symlink(slave, argv[1]) < 0)
		return 1;
	cfmakeraw(&t); /* no echo of what the client sends, before it configures the port */
	tcsetattr(s, TCSANOW, &t);
	snprintf(sock, sizeof(sock), "%s/pts%u", dir && *dir ? dir : "/tmp/serialshim", num);
	mkdir(dir && *dir ? dir : "/tmp/serialshim", 0755);
	lfd = listen_on(sock);
	printf("ready %s\n", slave);
	fflush(stdout);
	for (;;) {
		struct pollfd p[2] = { { .fd = m, .events = POLLIN }, { .fd = lfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (p[1].revents & POLLIN)
			serve_client(lfd, argv[2]);
		if (p[0].revents & POLLIN) {
			ssize_t n = read(m, buf + have, sizeof(buf) - have);
			size_t used;
			if (n > 0)
				have += (size_t)n;
			while (have && (used = answer(m, buf, have)) > 0) {
				memmove(buf, buf + used, have - used);
				have -= used;
			}
			if (have == sizeof(buf))
				have = 0;
		}
	}
}
