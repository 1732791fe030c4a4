/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sigmeta.h -- the TRC-1022 signature metadata, as published */
#ifndef DROPEXEC_SIGMETA_H
#define DROPEXEC_SIGMETA_H

#define SIG_ID			"TRC-1022"
#define SIG_VERSION		"1"
#define SIG_NAME		"New executable dropped"
#define SIG_EVENT_NAME		"dropped_executable"
#define SIG_DESCRIPTION \
	"Focuses on identifying instances where new executable files " \
	"appear during the container's runtime. The presence of such " \
	"unexpected binaries often suggests potential intrusions or that " \
	"a threat actor has compromised the container."
#define SIG_SEVERITY		2
#define SIG_CATEGORY		"defense-evasion"
#define SIG_TECHNIQUE		"Masquerading"
#define SIG_K8S_TECHNIQUE	""
#define SIG_ATTACK_ID		"attack-pattern--42e8de7b-37b2-4258-905a-6897815e58e0"
#define SIG_EXTERNAL_ID		"T1036"

#endif
