/* SPDX-License-Identifier: MIT */
/*
 * dfuse_cmd.c - the DfuSe commands of block 0 (protocol-facts B.5) and
 * leaving DFU mode (B.7).
 */
#include "dfuse_int.h"

#include <string.h>

/* ---- DfuSe commands ------------------------------------------------------- */

int dfuse_i_command_once(struct dfuse *d, const uint8_t *cmd, uint16_t n, unsigned deadline_ms,
			 struct sb_diag *diag)
{
	int rc = dfuse_i_ready_dnload(d, diag);

	if (rc)
		return rc;
	memcpy(d->out, cmd, n);
	rc = dfuse_i_xfer(d, DFU_REQ_OUT, DFU_DNLOAD, 0, d->out, n);  /* block 0: B.5 */
	if (rc < 0)
		return dfuse_i_req_fail(d, DFU_DNLOAD, rc, diag);
	d->state = DFU_STATE_DNLOAD_SYNC;
	return dfuse_i_poll(d, deadline_ms, 0, diag);
}

/* A command with its retries: each is idempotent (B.5). */
static int command(struct dfuse *d, const uint8_t *cmd, uint16_t n, unsigned deadline_ms,
		   struct sb_diag *diag)
{
	for (unsigned attempt = 1;; attempt++) {
		int rc = dfuse_i_command_once(d, cmd, n, deadline_ms, diag);
		if (!rc || !dfuse_i_retryable(rc) || attempt > d->cfg.to.retries)
			return rc;
		if ((rc = dfuse_i_before_retry(d, attempt, diag)))
			return rc;
	}
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int dfuse_i_set_address_once(struct dfuse *d, uint32_t addr, struct sb_diag *diag)
{
	uint8_t cmd[5] = { DFUSE_CMD_SET_ADDRESS };

	put_le32(cmd + 1, addr);
	return dfuse_i_command_once(d, cmd, sizeof(cmd), d->cfg.to.command_ms, diag);
}

int dfuse_set_address(struct dfuse *d, uint32_t addr, struct sb_diag *diag)
{
	uint8_t cmd[5] = { DFUSE_CMD_SET_ADDRESS };
	struct sb_diag local;

	put_le32(cmd + 1, addr);
	dfuse_i_op(d, "set address", addr, true);
	return command(d, cmd, sizeof(cmd), d->cfg.to.command_ms, diag ? diag : &local);
}

int dfuse_erase_page(struct dfuse *d, uint32_t addr, struct sb_diag *diag)
{
	uint8_t cmd[5] = { DFUSE_CMD_ERASE };
	struct sb_diag local;

	put_le32(cmd + 1, addr);
	dfuse_i_op(d, "erase", addr, true);
	return command(d, cmd, sizeof(cmd), d->cfg.to.page_erase_ms, diag ? diag : &local);
}

int dfuse_mass_erase(struct dfuse *d, struct sb_diag *diag)
{
	uint8_t cmd[1] = { DFUSE_CMD_ERASE };
	struct sb_diag local;

	dfuse_i_op(d, "mass erase", 0, false);
	return command(d, cmd, sizeof(cmd), d->cfg.to.mass_erase_ms, diag ? diag : &local);
}

int dfuse_read_unprotect(struct dfuse *d, struct sb_diag *diag)
{
	uint8_t cmd[1] = { DFUSE_CMD_READ_UNPROTECT };
	struct sb_diag local;
	int rc;

	if (!diag)
		diag = &local;
	dfuse_i_op(d, "read unprotect", 0, false);
	if ((rc = dfuse_i_ready_dnload(d, diag)))
		return rc;
	memcpy(d->out, cmd, sizeof(cmd));
	rc = dfuse_i_xfer(d, DFU_REQ_OUT, DFU_DNLOAD, 0, d->out, sizeof(cmd));
	if (rc < 0)
		return dfuse_i_req_fail(d, DFU_DNLOAD, rc, diag);
	/* the ROM resets right after the first GETSTATUS: B.5 exceptions */
	rc = dfuse_i_poll(d, d->cfg.to.mass_erase_ms, DFUSE_POLL_WILL_RESET, diag);
	if (rc == SB_OK)
		sb_logf(d->cfg.log, SB_LOG_INFO,
			"read unprotect accepted: the device mass-erases and resets");
	return rc;
}

int dfuse_get_commands(struct dfuse *d, uint8_t *cmds, size_t cap, size_t *n,
		       struct sb_diag *diag)
{
	uint8_t b[16];
	struct sb_diag local;
	int rc;

	if (!diag)
		diag = &local;
	dfuse_i_op(d, "get commands", 0, false);
	if ((rc = dfuse_i_ready_upload(d, diag)))
		return rc;
	rc = dfuse_i_xfer(d, DFU_REQ_IN, DFU_UPLOAD, 0, b, sizeof(b));  /* wValue 0: B.5 */
	if (rc < 0)
		return dfuse_i_req_fail(d, DFU_UPLOAD, rc, diag);
	if (rc == 0)
		return dfuse_i_fail(d, diag, SB_ERR_FRAMING, "empty command list");
	d->state = DFU_STATE_UPLOAD_IDLE;
	*n = (size_t)rc < cap ? (size_t)rc : cap;
	memcpy(cmds, b, *n);
	return dfuse_abort(d, diag) ? dfuse_i_to_idle(d, diag) : SB_OK;
}

/* ---- leave --------------------------------------------------------------- */

static int left(struct dfuse *d, const char *how)
{
	sb_logf(d->cfg.log, SB_LOG_INFO, "device left DFU mode (%s)", how);
	d->state = -1;
	return SB_OK;
}

int dfuse_leave(struct dfuse *d, uint32_t addr, struct sb_diag *diag)
{
	uint8_t cmd[5] = { DFUSE_CMD_SET_ADDRESS };
	struct dfu_status_reply st;
	struct sb_diag local;
	int rc;

	if (!diag)
		diag = &local;
	put_le32(cmd + 1, addr);
	dfuse_i_op(d, "leave", addr, true);
	if ((rc = command(d, cmd, sizeof(cmd), d->cfg.to.command_ms, diag)))
		return rc;
	/* zero-length DNLOAD, wValue 0 (protocol-facts F.8) */
	rc = dfuse_i_xfer(d, DFU_REQ_OUT, DFU_DNLOAD, 0, NULL, 0);
	if (rc == SB_ERR_NO_DEVICE)
		return left(d, "disconnected");
	if (rc < 0)
		return dfuse_i_req_fail(d, DFU_DNLOAD, rc, diag);
	/*
	 * The ROM jumps during this GETSTATUS; it is not manifestation-tolerant
	 * (B.7), so a disconnect or a stall here is the expected end, not an
	 * error (usb-anchors §2 #1).
	 */
	rc = dfuse_get_status(d, &st, diag);
	if (rc == SB_ERR_NO_DEVICE || rc == SB_ERR_NACK || rc == SB_ERR_IO)
		return left(d, rc == SB_ERR_NACK ? "stalled" : "disconnected");
	if (rc)
		return rc;
	if (st.state == DFU_STATE_MANIFEST_SYNC || st.state == DFU_STATE_MANIFEST ||
	    st.state == DFU_STATE_MANIFEST_WAIT_RESET)
		return left(d, dfu_state_name(st.state));
	if (st.state == DFU_STATE_ERROR)
		return dfuse_i_status_error(d, &st, diag);
	return dfuse_i_fail(d, diag, SB_ERR_STATE, "device stayed in %s after the leave request",
			    dfu_state_name(st.state));
}
