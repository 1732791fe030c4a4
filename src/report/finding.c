/* SPDX-License-Identifier: GPL-2.0-or-later */
/* finding.c -- a confirmed drop, as a TRC-1022 finding in JSON */
#include "report/finding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/sysmacros.h>

#include "report/sigmeta.h"
#include "util/textenc.h"

void json_add_bytes(json_object *obj, const char *key, const char *value)
{
	size_t len;
	char *clean, *hex, hexkey[64];

	if (!value) {
		json_object_object_add(obj, key, NULL);
		return;
	}
	len = strlen(value);
	if (utf8_valid(value, len)) {
		json_object_object_add(obj, key,
				       json_object_new_string_len(value,
								  (int)len));
		return;
	}
	clean = utf8_sanitize(value, len);
	hex = hex_encode((const unsigned char *)value, len);
	json_object_object_add(obj, key,
			       json_object_new_string(clean ? clean : ""));
	snprintf(hexkey, sizeof(hexkey), "%s_hex", key);
	json_object_object_add(obj, hexkey,
			       json_object_new_string(hex ? hex : ""));
	free(clean);
	free(hex);
}

static json_object *sig_metadata(void)
{
	json_object *m = json_object_new_object();
	json_object *p = json_object_new_object();

	json_object_object_add(m, "ID", json_object_new_string(SIG_ID));
	json_object_object_add(m, "Version",
			       json_object_new_string(SIG_VERSION));
	json_object_object_add(m, "Name", json_object_new_string(SIG_NAME));
	json_object_object_add(m, "EventName",
			       json_object_new_string(SIG_EVENT_NAME));
	json_object_object_add(m, "Description",
			       json_object_new_string(SIG_DESCRIPTION));
	json_object_object_add(p, "Severity",
			       json_object_new_int(SIG_SEVERITY));
	json_object_object_add(p, "Category",
			       json_object_new_string(SIG_CATEGORY));
	json_object_object_add(p, "Technique",
			       json_object_new_string(SIG_TECHNIQUE));
	json_object_object_add(p, "Kubernetes_Technique",
			       json_object_new_string(SIG_K8S_TECHNIQUE));
	json_object_object_add(p, "id", json_object_new_string(SIG_ATTACK_ID));
	json_object_object_add(p, "external_id",
			       json_object_new_string(SIG_EXTERNAL_ID));
	json_object_object_add(m, "Properties", p);
	return m;
}

static void add_dev(json_object *o, const char *key, unsigned int maj,
		    unsigned int min)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%02x:%02x", maj, min);
	json_object_object_add(o, key, json_object_new_string(buf));
}

static void add_mode(json_object *o, const char *key, unsigned int mode)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0%o", mode);
	json_object_object_add(o, key, json_object_new_string(buf));
}

static json_object *path_items(const struct candidate *c)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < c->npaths; i++) {
		const struct path_item *it = &c->paths[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "item", json_object_new_int(it->item));
		json_add_bytes(o, "name", it->name);
		json_object_object_add(o, "nametype",
				       json_object_new_string(it->nametype));
		if (it->has_inode) {
			json_object_object_add(o, "inode",
				json_object_new_uint64(it->inode));
			add_dev(o, "dev", it->dev_major, it->dev_minor);
			add_mode(o, "mode", it->mode);
		}
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *record_lines(const char *records)
{
	json_object *a = json_object_new_array();
	const char *p = records;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len);

		if (line) {
			json_object *holder = json_object_new_object();
			json_object *v;

			/* reuse the UTF-8 rule for each line */
			json_add_bytes(holder, "l", line);
			if (json_object_object_get_ex(holder, "l", &v))
				json_object_array_add(a, json_object_get(v));
			json_object_put(holder);
			free(line);
		}
		p = nl ? nl + 1 : NULL;
	}
	return a;
}

static void add_timestamp(json_object *ev, uint64_t sec, unsigned int milli)
{
	char buf[64];
	struct tm tm;
	time_t t = (time_t)sec;

	gmtime_r(&t, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, milli);
	json_object_object_add(ev, "timestamp", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "%llu.%03u", (unsigned long long)sec, milli);
	json_object_object_add(ev, "audit_time", json_object_new_string(buf));
}

static json_object *container_obj(const struct candidate *c,
				  const struct container_meta *m)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id",
			       json_object_new_string(c->container.id));
	json_object_object_add(o, "runtime",
			       json_object_new_string(c->container.runtime));
	json_object_object_add(o, "source", json_object_new_string(
		scope_source_name(c->container.source)));
	if (c->container.cgroup_claim[0])
		json_object_object_add(o, "cgroup_claim", json_object_new_string(
			c->container.cgroup_claim));
	if (m && m->name)
		json_add_bytes(o, "name", m->name);
	if (m && m->image)
		json_add_bytes(o, "image", m->image);
	return o;
}

static json_object *kubernetes_obj(const struct container_meta *m)
{
	json_object *o;

	if (!m || (!m->pod_name && !m->pod_namespace && !m->pod_uid))
		return NULL;
	o = json_object_new_object();
	if (m->pod_name)
		json_add_bytes(o, "pod_name", m->pod_name);
	if (m->pod_namespace)
		json_add_bytes(o, "namespace", m->pod_namespace);
	if (m->pod_uid)
		json_add_bytes(o, "pod_uid", m->pod_uid);
	return o;
}

static json_object *file_obj(const struct finding *f)
{
	json_object *o = json_object_new_object();

	json_add_bytes(o, "path", f->c->path);
	if (f->checked) {
		add_dev(o, "dev", major(f->st.st_dev), minor(f->st.st_dev));
		json_object_object_add(o, "inode",
			json_object_new_uint64(f->st.st_ino));
		add_mode(o, "mode", f->st.st_mode);
		json_object_object_add(o, "size",
			json_object_new_int64(f->st.st_size));
		json_object_object_add(o, "uid",
			json_object_new_int64(f->st.st_uid));
	}
	if (f->typed) {
		json_object_object_add(o, "type", json_object_new_string(
			exec_kind_name(f->cls.kind)));
		json_add_bytes(o, "mime_type", f->cls.mime);
		json_add_bytes(o, "magic", f->cls.description);
	}
	if (f->sha256[0])
		json_object_object_add(o, "sha256",
				       json_object_new_string(f->sha256));
	else if (f->sha256_skipped)
		json_object_object_add(o, "sha256_skipped",
				       json_object_new_string(f->sha256_skipped));
	if (f->checked_via)
		json_object_object_add(o, "checked_via",
				       json_object_new_string(f->checked_via));
	return o;
}

json_object *finding_to_json(const struct finding *f)
{
	const struct candidate *c = f->c;
	json_object *root = json_object_new_object();
	json_object *ev = json_object_new_object();
	json_object *data = json_object_new_object();

	json_object_object_add(root, "SigMetadata", sig_metadata());

	json_object_object_add(ev, "serial", json_object_new_uint64(c->serial));
	add_timestamp(ev, c->sec, c->milli);
	if (c->node)
		json_add_bytes(ev, "node", c->node);
	if (f->hostname && *f->hostname)
		json_add_bytes(ev, "hostName", f->hostname);
	json_object_object_add(ev, "syscall",
			       json_object_new_string(c->syscall));
	json_object_object_add(ev, "arch", json_object_new_string(c->arch));
	json_object_object_add(ev, "operation",
			       json_object_new_string(file_op_name(c->op)));
	json_object_object_add(ev, "success",
			       json_object_new_boolean(c->success));
	json_object_object_add(ev, "exit", json_object_new_int64(c->exit));
	json_object_object_add(ev, "pid", json_object_new_int(c->pid));
	json_object_object_add(ev, "ppid", json_object_new_int(c->ppid));
	json_object_object_add(ev, "uid", json_object_new_int64(c->uid));
	json_object_object_add(ev, "gid", json_object_new_int64(c->gid));
	json_object_object_add(ev, "euid", json_object_new_int64(c->euid));
	json_object_object_add(ev, "auid", json_object_new_int64(c->auid));
	json_object_object_add(ev, "ses", json_object_new_int64(c->ses));
	json_add_bytes(ev, "comm", c->comm);
	json_add_bytes(ev, "exe", c->exe);
	json_add_bytes(ev, "cwd", c->cwd);
	if (c->parent_comm || c->parent_exe) {
		json_object *p = json_object_new_object();

		json_add_bytes(p, "comm", c->parent_comm);
		json_add_bytes(p, "exe", c->parent_exe);
		json_object_object_add(ev, "parent", p);
	}
	if (c->old_path)
		json_add_bytes(ev, "old_path", c->old_path);
	if (c->rename_serial)
		json_object_object_add(ev, "rename_serial",
				       json_object_new_uint64(c->rename_serial));
	json_object_object_add(ev, "paths", path_items(c));
	json_object_object_add(ev, "container",
			       container_obj(c, f->meta));
	{
		json_object *k = kubernetes_obj(f->meta);

		if (k)
			json_object_object_add(ev, "kubernetes", k);
	}
	json_object_object_add(ev, "file", file_obj(f));
	json_object_object_add(ev, "records", record_lines(c->records));
	if (c->rename_records)
		json_object_object_add(ev, "rename_records",
				       record_lines(c->rename_records));
	json_object_object_add(root, "Event", ev);

	if (c->op == FILE_OP_EXEC && c->cmdline) {
		json_object_object_add(ev, "argc",
				       json_object_new_int((int)c->argc));
		json_add_bytes(ev, "cmdline", c->cmdline);
		if (c->cmdline_cut)
			json_object_object_add(ev, "cmdline_cut",
					       json_object_new_boolean(true));
	}

	json_add_bytes(data, "path", c->path);
	json_object_object_add(data, "detected_by", json_object_new_string(
				       file_op_detected_by(c->op)));
	json_object_object_add(data, "executed",
			       json_object_new_boolean(c->executed));
	if (c->op == FILE_OP_EXEC && c->cmdline)
		json_add_bytes(data, "cmdline", c->cmdline);
	if (c->drop_serial) {
		/* the finding of the drop that this execution ran */
		json_object_object_add(data, "drop_serial",
				       json_object_new_uint64(c->drop_serial));
		if (c->drop_path)
			json_add_bytes(data, "drop_path", c->drop_path);
	}
	json_object_object_add(root, "Data", data);
	return root;
}

char *finding_json_line(const struct finding *f)
{
	json_object *j = finding_to_json(f);
	const char *s;
	char *line;

	s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	line = s ? strdup(s) : NULL;
	json_object_put(j);
	return line;
}
