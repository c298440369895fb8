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

/* an .xlsx workbook as browsers and office programs name it */
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static int list_draft(void *ctx, const draft_record *d)
{
    return json_array_append_new(ctx, app_view_draft(d)) == 0 ? 0 : 1;
}

/* The {id} of a draft route: a positive number, else no draft has it. */
static int draft_id(api_call *c, int64_t *id)
{
    const char *s = c->param[0];
    char *end;
    long long v;

    if (*s < '1' || *s > '9')
        return -1;
    v = strtoll(s, &end, 10);
    if (v <= 0 || *end != '\0')
        return -1;
    *id = v;
    return 0;
}

static int no_draft(http_request *r)
{
    return api_fail(r, 404, "draft.not_found", "không tìm thấy bản nháp", "no such draft");
}

static int send_draft(http_request *r, int rc, const ct_error *err, int status,
                      const draft_record *d)
{
    if (rc != 0)
        return api_send_error(r, err);
    return api_send_json(r, status, app_view_draft(d), NULL);
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

int api_drafts_list(api_call *c)
{
    ct_error err = {0};
    json_t *list = json_array();

    if (app_draft_list(c->r->app, &c->actor, list_draft, list, &err) != 0) {
        json_decref(list);
        return api_send_error(c->r, &err);
    }
    return api_send_json(c->r, 200, list, NULL);
}

int api_draft_show(api_call *c)
{
    ct_error err = {0};
    draft_record d;
    int64_t id;

    if (draft_id(c, &id) != 0)
        return no_draft(c->r);
    return send_draft(c->r, app_draft_get(c->r->app, &c->actor, id, &d, &err), &err, 200, &d);
}

/* The rows of the stored list, as submission will read them: what the head confirms. */
int api_draft_rows(api_call *c)
{
    ct_error err = {0};
    mau02_applicant *rows;
    size_t count;
    char sha[65];
    json_t *list, *j;
    int64_t id;

    if (draft_id(c, &id) != 0)
        return no_draft(c->r);
    if (app_draft_rows(c->r->app, &c->actor, id, &rows, &count, sha, &err) != 0)
        return api_send_error(c->r, &err);
    list = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(list, app_view_mau02_row(&rows[i]));
    free(rows);
    j = json_pack("{s:I, s:s, s:I, s:o}", "draft", (json_int_t)id, "list_sha256", sha, "count",
                  (json_int_t)count, "rows", list);
    return api_send_json(c->r, 200, j, NULL);
}

int api_draft_letter_get(api_call *c)
{
    ct_error err = {0};
    draft_record d;
    unsigned char *data;
    size_t len;
    int64_t id;

    if (draft_id(c, &id) != 0)
        return no_draft(c->r);
    if (app_draft_letter(c->r->app, &c->actor, id, &data, &len, &d, &err) != 0)
        return api_send_error(c->r, &err);
    return api_send_letter(c->r, &d, data, len);
}

int api_draft_create(api_call *c)
{
    ct_error err = {0};
    draft_record d;
    const char *agency = NULL, *title = NULL;
    int rc = 0;

    if (api_get_string(c->r, c->body, "agency", &agency, &rc) != 0 ||
        api_get_string(c->r, c->body, "title", &title, &rc) != 0)
        return rc;
    return send_draft(c->r, app_draft_create(c->r->app, &c->actor, agency, title, &d, &err), &err,
                      201, &d);
}

/* The list: text/csv as it is, an .xlsx workbook (its own type, or application/octet-stream
 * with a zip's content), or JSON {"csv": "..."} / {"applicants": [...]}. A refused list is
 * answered with every problem found in it. */
int api_draft_list_put(api_call *c)
{
    http_request *r = c->r;
    ct_error err = {0};
    app_list_errors problems = {0};
    draft_record d;
    json_t *j;
    const char *csv = NULL;
    char *list_json = NULL;
    int64_t id;
    int rc = 0;

    if (draft_id(c, &id) != 0)
        return no_draft(r);
    if (api_content_type_is(r, "text/csv")) {
        rc = app_draft_set_list(r->app, &c->actor, id, "csv", r->body, r->body_len, &d, &problems,
                                &err);
    } else if (api_content_type_is(r, XLSX_TYPE) ||
               api_content_type_is(r, "application/octet-stream")) {
        /* sent as a workbook, read as one (what is not is told so); a file of no known type,
         * by its content */
        rc = app_draft_set_list(r->app, &c->actor, id,
                                api_content_type_is(r, XLSX_TYPE)
                                    ? "xlsx"
                                    : app_list_format_sniff(r->body, r->body_len, "csv"),
                                r->body, r->body_len, &d, &problems, &err);
    } else {
        j = api_json_body(r, &rc);
        if (j == NULL || api_get_string(r, j, "csv", &csv, &rc) != 0) {
            json_decref(j);
            return rc;
        }
        if (csv) {
            rc = app_draft_set_list(r->app, &c->actor, id, "csv", (const unsigned char *)csv,
                                    strlen(csv), &d, &problems, &err);
        } else {
            json_t *list = json_object_get(j, "applicants");
            list_json = json_dumps(list ? list : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
            rc = list_json ? app_draft_set_list(r->app, &c->actor, id, "json",
                                                (const unsigned char *)list_json, strlen(list_json),
                                                &d, &problems, &err)
                           : ct_fail(&err, 500, "oom", "hết bộ nhớ", "out of memory");
        }
        free(list_json);
        json_decref(j);
    }
    if (rc != 0) {
        rc = api_send_list_error(r, &err, &problems);
        app_list_errors_free(&problems);
        return rc;
    }
    return send_draft(r, 0, &err, 200, &d);
}

/* A letter comes with a declared type, and one that a page of another site cannot send without
 * the browser asking first: no type at all, or text/plain, is exactly what it can. */
static bool letter_type_declared(http_request *r)
{
    return api_content_type_is(r, "application/pdf") || api_content_type_is(r, "image/jpeg") ||
           api_content_type_is(r, "image/png") ||
           api_content_type_is(r, "application/octet-stream");
}

static int letter_type_refused(http_request *r)
{
    return api_fail(r, 415, "api.content_type",
                    "văn bản đề nghị phải gửi với Content-Type application/pdf, image/jpeg hoặc "
                    "image/png",
                    "the request letter must be sent with Content-Type application/pdf, "
                    "image/jpeg or image/png");
}

int api_draft_letter_put(api_call *c)
{
    http_request *r = c->r;
    ct_error err = {0};
    draft_record d;
    int64_t id;

    if (draft_id(c, &id) != 0)
        return no_draft(r);
    if (!letter_type_declared(r))
        return letter_type_refused(r);
    /* the type it was sent as must agree with its name and content (app checks, after the
     * role and the draft) */
    return send_draft(r,
                      app_draft_set_letter(r->app, &c->actor, id, http_query(r, "name"),
                                           http_header_value(r, "Content-Type"), r->body,
                                           r->body_len, &d, &err),
                      &err, 200, &d);
}

/* A new letter for an online dossier the CA asked to supplement: sent as a draft's letter is. */
int api_dossier_letter_put(api_call *c)
{
    http_request *r = c->r;
    ct_error err = {0};
    draft_record d;

    if (!letter_type_declared(r))
        return letter_type_refused(r);
    return send_draft(r,
                      app_dossier_set_letter(r->app, &c->actor, c->param[0], http_query(r, "name"),
                                             http_header_value(r, "Content-Type"), r->body,
                                             r->body_len, &d, &err),
                      &err, 200, &d);
}

int api_draft_confirm(api_call *c)
{
    ct_error err = {0};
    draft_record d;
    int64_t id;

    if (draft_id(c, &id) != 0)
        return no_draft(c->r);
    /* the hashes of the list and letter the head was shown, when the client says them */
    return send_draft(
        c->r,
        app_draft_confirm(c->r->app, &c->actor, id,
                          json_string_value(json_object_get(c->body, "list_sha256")),
                          json_string_value(json_object_get(c->body, "letter_sha256")), &d, &err),
        &err, 200, &d);
}

int api_draft_submit(api_call *c)
{
    ct_error err = {0};
    dossier_record dossier;
    int64_t id;

    if (draft_id(c, &id) != 0)
        return no_draft(c->r);
    if (app_draft_submit(c->r->app, &c->actor, id, &dossier, &err) != 0)
        return api_send_error(c->r, &err);
    return api_send_json(c->r, 201, app_view_dossier(&c->actor, &dossier, app_now()), NULL);
}

int api_draft_delete(api_call *c)
{
    ct_error err = {0};
    int64_t id;

    if (draft_id(c, &id) != 0)
        return no_draft(c->r);
    if (app_draft_delete(c->r->app, &c->actor, id, &err) != 0)
        return api_send_error(c->r, &err);
    return api_ok(c->r);
}
