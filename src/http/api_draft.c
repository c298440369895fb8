/*
 * api_draft.c — the online channel's preparation under /api/v1/drafts: an agency clerk opens a
 * draft, uploads the Mẫu 02 list and the scanned request letter, the head confirms, the clerk
 * submits (docs/api.md).
 *
 * The list and the letter come as the raw body with their own Content-Type (text/csv,
 * application/pdf, image/jpeg, image/png): none of these can be sent cross-site without the
 * browser asking first, which is what the JSON-only rule of the other routes buys.
 */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

static json_t *draft_json(const draft_record *d)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o, "
                     "s:s, s:s, s:o, s:o}",
                     "id", (json_int_t)d->id, "agency", d->agency, "state", d->state, "title",
                     d->title, "list_format", d->list_format, "applicants",
                     (json_int_t)d->applicants, "letter_name", d->letter_name, "letter_type",
                     d->letter_type, "letter_size", (json_int_t)d->letter_size, "letter_sha256",
                     d->letter_sha256, "list_sha256", d->list_sha256, "confirmed_name",
                     d->confirmed_name, "confirmed_title", d->confirmed_title, "confirmed_by",
                     d->confirmed_by, "confirmed_at", api_time_json(d->confirmed_at), "dossier",
                     d->dossier, "created_by", d->created_by, "created_at",
                     api_time_json(d->created_at), "updated_at", api_time_json(d->updated_at));
}

static int collect_draft(void *ctx, const draft_record *d)
{
    json_array_append_new(ctx, draft_json(d));
    return 0;
}

/* "12" or "12/letter": the id and what follows it ("" or "/letter"); -1 if not a number. */
static int parse_id(const char *s, int64_t *id, const char **tail)
{
    char *end;
    long long v;

    if (*s < '1' || *s > '9')
        return -1;
    v = strtoll(s, &end, 10);
    if (v <= 0 || (*end != '\0' && *end != '/'))
        return -1;
    *id = v;
    *tail = end;
    return 0;
}

int api_send_letter(http_request *r, const draft_record *d, unsigned char *data, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    char disposition[600];
    size_t n;
    int rc;

    /* The name was checked at upload (no quotes, slashes or control bytes); its UTF-8 goes in
     * the RFC 6266 filename* form, an ASCII fallback in filename. */
    n = (size_t)snprintf(disposition, sizeof disposition,
                         "inline; filename=\"letter%s\"; filename*=UTF-8''",
                         strrchr(d->letter_name, '.') ? strrchr(d->letter_name, '.') : "");
    for (const unsigned char *p = (const unsigned char *)d->letter_name;
         *p && n + 4 < sizeof disposition; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '.' || *p == '-' || *p == '_') {
            disposition[n++] = (char)*p;
        } else {
            disposition[n++] = '%';
            disposition[n++] = hex[*p >> 4];
            disposition[n++] = hex[*p & 15];
        }
    }
    disposition[n] = '\0';
    /* Shown in the browser's own viewer, sandboxed: a document, never a page of ours. */
    http_header headers[] = {{"Content-Disposition", disposition},
                             {"Content-Security-Policy", "sandbox"},
                             {"Cache-Control", "private, no-store"},
                             {NULL, NULL}};
    rc = http_send(r, 200, d->letter_type, data, len, headers);
    free(data);
    return rc;
}

int api_draft_get(http_request *r, const app_actor *actor, const char *rest, bool *handled)
{
    ct_error err = {0};
    draft_record d;
    int64_t id;
    const char *tail;

    *handled = true;
    if (strcmp(rest, "drafts") == 0) {
        json_t *list = json_array();
        if (app_draft_list(r->app, actor, collect_draft, list, &err) != 0) {
            json_decref(list);
            return api_send_error(r, &err);
        }
        return api_send_json(r, 200, list, NULL);
    }
    if (strncmp(rest, "drafts/", 7) != 0) {
        *handled = false;
        return 0;
    }
    if (parse_id(rest + 7, &id, &tail) != 0)
        return api_fail(r, 404, "draft.not_found", "không tìm thấy bản nháp", "no such draft");
    if (strcmp(tail, "/letter") == 0) {
        unsigned char *data;
        size_t len;
        if (app_draft_letter(r->app, actor, id, &data, &len, &d, &err) != 0)
            return api_send_error(r, &err);
        return api_send_letter(r, &d, data, len);
    }
    if (*tail != '\0')
        return api_fail(r, 404, "api.not_found", "không có địa chỉ này", "no such route");
    if (app_draft_get(r->app, actor, id, &d, &err) != 0)
        return api_send_error(r, &err);
    return api_send_json(r, 200, draft_json(&d), NULL);
}

/* The list: text/csv as it is, or JSON {"csv": "..."} / {"applicants": [...]}. */
static int post_list(http_request *r, const app_actor *actor, int64_t id)
{
    ct_error err = {0};
    draft_record d;
    json_t *j;
    const char *csv = NULL;
    char *list_json = NULL;
    int rc = 0;

    if (api_content_type_is(r, "text/csv")) {
        rc = app_draft_set_list(r->app, actor, id, "csv", r->body, r->body_len, &d, &err);
    } else {
        j = api_json_body(r, &rc);
        if (j == NULL || api_get_string(r, j, "csv", &csv, &rc) != 0) {
            json_decref(j);
            return rc;
        }
        if (csv) {
            rc = app_draft_set_list(r->app, actor, id, "csv", (const unsigned char *)csv,
                                    strlen(csv), &d, &err);
        } else {
            json_t *list = json_object_get(j, "applicants");
            list_json = json_dumps(list ? list : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
            rc = list_json ? app_draft_set_list(r->app, actor, id, "json",
                                                (const unsigned char *)list_json, strlen(list_json),
                                                &d, &err)
                           : ct_fail(&err, 500, "oom", "hết bộ nhớ", "out of memory");
        }
        free(list_json);
        json_decref(j);
    }
    return rc != 0 ? api_send_error(r, &err) : api_send_json(r, 200, draft_json(&d), NULL);
}

/* Every draft route but creation: /drafts/{id}/{list|letter|confirm|submit|delete}. */
static int post_draft_action(http_request *r, const app_actor *actor, int64_t id,
                             const char *action)
{
    ct_error err = {0};
    draft_record d;
    dossier_record dossier;
    json_t *j;
    int rc = 0;

    if (strcmp(action, "list") == 0)
        return post_list(r, actor, id);
    if (strcmp(action, "letter") == 0) {
        /* A declared type, and one that a page of another site cannot send without the
         * browser asking first: no type at all, or text/plain, is exactly what it can. */
        if (!api_content_type_is(r, "application/pdf") && !api_content_type_is(r, "image/jpeg") &&
            !api_content_type_is(r, "image/png") &&
            !api_content_type_is(r, "application/octet-stream"))
            return api_fail(r, 415, "api.content_type",
                            "văn bản đề nghị phải gửi với Content-Type application/pdf, "
                            "image/jpeg hoặc image/png",
                            "the request letter must be sent with Content-Type "
                            "application/pdf, image/jpeg or image/png");
        /* the type it was sent as must agree with its name and content (app checks, after
         * the role and the draft) */
        if (app_draft_set_letter(r->app, actor, id, http_query(r, "name"),
                                 http_header_value(r, "Content-Type"), r->body, r->body_len, &d,
                                 &err) != 0)
            return api_send_error(r, &err);
        return api_send_json(r, 200, draft_json(&d), NULL);
    }
    if (strcmp(action, "confirm") != 0 && strcmp(action, "submit") != 0 &&
        strcmp(action, "delete") != 0)
        return api_fail(r, 404, "api.not_found", "không có địa chỉ này", "no such route");
    /* the others take an empty JSON object, as every state-changing call does */
    j = api_json_body(r, &rc);
    if (j == NULL)
        return rc;
    if (strcmp(action, "confirm") == 0) {
        /* the hashes of the list and letter the head was shown, when the client says them */
        rc = app_draft_confirm(r->app, actor, id,
                               json_string_value(json_object_get(j, "list_sha256")),
                               json_string_value(json_object_get(j, "letter_sha256")), &d, &err);
        json_decref(j);
        return rc != 0 ? api_send_error(r, &err) : api_send_json(r, 200, draft_json(&d), NULL);
    }
    json_decref(j);
    if (strcmp(action, "submit") == 0) {
        if (app_draft_submit(r->app, actor, id, &dossier, &err) != 0)
            return api_send_error(r, &err);
        return api_send_json(r, 201, api_dossier_json(&dossier, app_now()), NULL);
    }
    if (app_draft_delete(r->app, actor, id, &err) != 0)
        return api_send_error(r, &err);
    return api_send_json(r, 200, json_pack("{s:b}", "ok", 1), NULL);
}

int api_draft_post(http_request *r, const app_actor *actor, const char *rest, bool *handled)
{
    ct_error err = {0};
    draft_record d;
    int64_t id;
    const char *tail;
    int rc = 0;

    *handled = true;
    if (strcmp(rest, "drafts") == 0) {
        const char *agency = NULL, *title = NULL;
        json_t *j = api_json_body(r, &rc);
        if (j == NULL)
            return rc;
        if (api_get_string(r, j, "agency", &agency, &rc) != 0 ||
            api_get_string(r, j, "title", &title, &rc) != 0) {
            json_decref(j);
            return rc;
        }
        rc = app_draft_create(r->app, actor, agency, title, &d, &err);
        json_decref(j);
        if (rc != 0)
            return api_send_error(r, &err);
        return api_send_json(r, 201, draft_json(&d), NULL);
    }
    if (strncmp(rest, "drafts/", 7) != 0) {
        *handled = false;
        return 0;
    }
    if (parse_id(rest + 7, &id, &tail) != 0 || tail[0] != '/')
        return api_fail(r, 404, "draft.not_found", "không tìm thấy bản nháp", "no such draft");
    return post_draft_action(r, actor, id, tail + 1);
}
