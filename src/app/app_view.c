/*
 * app_view.c — the one JSON form of each record, shared by every face: the API answers with
 * it and the command line's --json prints it, so the two can never disagree. A view of a
 * dossier or an applicant also says, for the person asking, the state's label in both
 * languages and the actions they may take now, read from the transition table
 * (core/procedure.c): the portal draws its buttons from that list and keeps no table of its own.
 *
 * Times are UTC, "YYYY-MM-DDTHH:MM:SSZ", or null when the moment has not come.
 */
#include "app/app_internal.h"

#include <string.h>
#include <time.h>

json_t *app_view_time(int64_t t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;

    if (t == 0 || gmtime_r(&tt, &tm) == NULL)
        return json_null();
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* ---- deadlines ---- */

deadline_status app_dossier_deadline(const dossier_record *d, int64_t now)
{
    dossier_state s;

    /* while the CA waits for the agency's supplement, the CA's clock stands still */
    if (dossier_state_parse(d->state, &s) == 0 && s == DOSSIER_NEEDS_SUPPLEMENT)
        return DEADLINE_PAUSED;
    return app_deadline_status(d->due_step2, d->step2_done_at, now);
}

bool app_dossier_overdue(const dossier_record *d, int64_t now)
{
    deadline_status st = app_dossier_deadline(d, now);
    bool in_step2 = strcmp(d->state, dossier_state_name(DOSSIER_RECEIVED)) == 0 ||
                    strcmp(d->state, dossier_state_name(DOSSIER_ACCEPTED)) == 0;

    /* the officer's morning: step 2 late or due today and still in the CA's hands, whether the
     * dossier was accepted yet or not (a dossier waiting for its check is the CA's delay too) */
    return in_step2 && d->step2_done_at == 0 && (st == DEADLINE_LATE || st == DEADLINE_DUE_TODAY);
}

bool app_applicant_overdue(const applicant_record *ap, int64_t now)
{
    deadline_status st = app_deadline_status(ap->due_step4, ap->published_at, now);

    /* step 4: the activation was requested and publication is late or due today; the time the
     * token spends with the agency (step 3) is the agency's and is not counted here */
    return strcmp(ap->state, applicant_state_name(APPLICANT_ACTIVATION_REQUESTED)) == 0 &&
           (st == DEADLINE_LATE || st == DEADLINE_DUE_TODAY);
}

/* ---- labels and actions ---- */

static json_t *label(const char *vi, const char *en)
{
    return json_pack("{s:s, s:s}", "vi", vi, "en", en);
}

/* The actions the actor may take now on a subject in state from: [{name, label}, …]. */
static json_t *actions_json(const app_actor *actor, dossier_kind kind, proc_subject subject,
                            int from)
{
    proc_action acts[ACT_COUNT];
    size_t n;
    json_t *list = json_array();

    if (actor == NULL)
        return list;
    procedure_actions_from(kind, subject, from, actor->role, acts, &n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list,
            json_pack("{s:s, s:o}", "name", proc_action_name(acts[i]), "label",
                      label(proc_action_label(acts[i], false), proc_action_label(acts[i], true))));
    return list;
}

/* ---- records ---- */

json_t *app_view_agency(const agency_record *r)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s}",
                     "code", r->code, "name", r->name, "parent", r->parent, "province", r->province,
                     "head_name", r->head_name, "head_title", r->head_title, "kind", r->kind,
                     "email_domains", r->email_domains, "created_at", app_view_time(r->created_at),
                     "address", r->address, "email", r->email, "phone", r->phone, "clerk_email",
                     r->clerk_email, "head_email", r->head_email);
}

json_t *app_view_dossier(const app_actor *actor, const dossier_record *d, int64_t now)
{
    dossier_state s;
    dossier_kind kind = app_dossier_kind(d);
    bool known = dossier_state_parse(d->state, &s) == 0;
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "code",
        d->code, "agency", d->agency, "channel", d->channel, "state", d->state, "state_label",
        known ? label(dossier_state_label(s, false), dossier_state_label(s, true)) : json_null(),
        "received_at", app_view_time(d->received_at), "counted_from", d->counted_from, "due_step2",
        app_view_time(d->due_step2), "step2_done_at", app_view_time(d->step2_done_at), "deadline",
        deadline_status_name(app_dossier_deadline(d, now)), "confirmed_by", d->confirmed_name,
        "confirmed_title", d->confirmed_title, "confirmed_on", d->confirmed_on, "reason", d->reason,
        "created_by", d->created_by, "updated_at", app_view_time(d->updated_at));

    json_object_set_new(j, "overdue", json_boolean(app_dossier_overdue(d, now)));
    json_object_set_new(j, "kind", json_string(dossier_kind_name(kind)));
    json_object_set_new(j, "kind_label",
                        label(dossier_kind_label(kind, false), dossier_kind_label(kind, true)));
    json_object_set_new(j, "request_reason", json_string(d->request_reason));
    json_object_set_new(j, "actions",
                        known ? actions_json(actor, kind, PROC_DOSSIER, (int)s) : json_array());
    return j;
}

json_t *app_view_applicant(const app_actor *actor, const dossier_record *d,
                           const applicant_record *ap, int64_t now)
{
    applicant_state s;
    bool known = applicant_state_parse(ap->state, &s) == 0;
    /* applicants move one by one only once their dossier is accepted */
    bool movable = known && d && strcmp(d->state, dossier_state_name(DOSSIER_ACCEPTED)) == 0;
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "n",
        (json_int_t)ap->n, "full_name", ap->full_name, "birth_date", ap->birth_date, "id_number",
        ap->id_number, "id_issued_on", ap->id_issued_on, "id_issued_at", ap->id_issued_at, "email",
        ap->email, "phone", ap->phone, "unit", ap->unit, "province", ap->province, "position",
        ap->position, "category", ap->category, "previous_serial", ap->previous_serial, "state",
        ap->state, "reason", ap->reason, "state_label",
        known ? label(applicant_state_label(s, false), applicant_state_label(s, true))
              : json_null());

    json_object_update_new(
        j, json_pack(
               "{s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "cert_serial",
               ap->cert_serial, "token_serial", ap->token_serial, "pickup_at",
               app_view_time(ap->pickup_at), "pickup_place", ap->pickup_place, "notified_at",
               app_view_time(ap->notified_at), "agency_received_at",
               app_view_time(ap->agency_received_at), "handed_over_at",
               app_view_time(ap->handed_over_at), "activation_requested_at",
               app_view_time(ap->activation_requested_at), "requested_effective_at",
               app_view_time(ap->requested_effective_at), "due_step4", app_view_time(ap->due_step4),
               "published_at", app_view_time(ap->published_at), "deadline_step4",
               deadline_status_name(app_deadline_status(ap->due_step4, ap->published_at, now)),
               "actions",
               movable ? actions_json(actor, app_dossier_kind(d), PROC_APPLICANT, (int)s)
                       : json_array()));
    json_object_update_new(
        j, json_pack("{s:s, s:s}", "received_by", ap->received_by, "handed_to", ap->handed_to));
    json_object_set_new(j, "overdue", json_boolean(app_applicant_overdue(ap, now)));
    json_object_set_new(j, "flags", json_array());
    return j;
}

json_t *app_view_lookup(const dossier_record *d, const applicant_record *ap)
{
    applicant_state s;
    dossier_state ds;
    bool known = applicant_state_parse(ap->state, &s) == 0;
    json_t *j;

    /* Anyone holding a dossier code and an ID number sees where the request stands and when,
     * nothing about the person (no name, e-mail, unit, position, token serial or place). */
    j = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "state", ap->state, "state_label",
                  known ? label(applicant_state_label(s, false), applicant_state_label(s, true))
                        : json_null(),
                  "pickup_at", app_view_time(ap->pickup_at), "requested_effective_at",
                  app_view_time(ap->requested_effective_at), "due_step4",
                  app_view_time(ap->due_step4), "published_at", app_view_time(ap->published_at),
                  "reason", ap->reason);
    /* Before the dossier is accepted the applicant waits on the dossier: a supplement asked
     * for, or the dossier being checked, shows as the dossier's state and reason. */
    if (d && dossier_state_parse(d->state, &ds) == 0) {
        dossier_kind kind = app_dossier_kind(d);
        json_object_set_new(j, "kind", json_string(dossier_kind_name(kind)));
        json_object_set_new(j, "kind_label",
                            label(dossier_kind_label(kind, false), dossier_kind_label(kind, true)));
        json_object_set_new(j, "dossier_state", json_string(d->state));
        json_object_set_new(j, "dossier_state_label",
                            label(dossier_state_label(ds, false), dossier_state_label(ds, true)));
        json_object_set_new(
            j, "dossier_reason",
            json_string(ds == DOSSIER_ACCEPTED || ds == DOSSIER_COMPLETED ? "" : d->reason));
    }
    return j;
}

json_t *app_view_mau02_row(const mau02_applicant *row)
{
    static const char *const category_en[] = {"Cadre", "Civil servant", "Public employee"};

    /* every field of the row as the list holds it, checked and in one spelling; "row" is where
     * it stands in the file (a spreadsheet's numbering), to find the cell */
    json_t *j = json_pack(
        "{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "row", row->row,
        "full_name", row->full_name, "birth_date", row->birth_date, "id_number", row->id_number,
        "id_kind", row->id_kind, "id_issued_on", row->id_issued_on, "id_issued_at",
        row->id_issued_at, "email", row->email, "unit", row->unit, "province", row->province,
        "position", row->position, "category", position_category_name(row->category), "phone",
        row->phone, "previous_serial", row->previous_serial);

    json_object_set_new(j, "category_label",
                        label(position_category_label_vi(row->category),
                              category_en[(unsigned)row->category < 3 ? row->category : 0]));
    return j;
}

json_t *app_view_cert(const cert_record *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:i}",
                     "serial", c->serial, "kind", c->kind, "issuer", c->issuer, "status", c->status,
                     "subject", c->subject, "common_name", c->common_name, "email", c->email,
                     "sha256", c->sha256, "not_before", app_view_time(c->not_before), "not_after",
                     app_view_time(c->not_after), "created_at", app_view_time(c->created_at),
                     "effective_at", app_view_time(c->effective_at), "revoked_at",
                     app_view_time(c->revoked_at), "revocation_reason", c->revocation_reason);
}

json_t *app_view_token(const app_actor *actor, const token_record *t)
{
    token_action acts[TOKEN_ACT_COUNT];
    size_t n = actor ? token_custody_actions(t->state, actor->role, acts, TOKEN_ACT_COUNT) : 0;
    int s = token_state_parse(t->state);
    json_t *list = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(list,
                              json_pack("{s:s, s:o}", "name", token_action_name(acts[i]), "label",
                                        label(token_action_label(acts[i], false),
                                              token_action_label(acts[i], true))));
    /* the sealed SO PIN is the CA's secret: it never leaves the app */
    return json_pack(
        "{s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:s, s:o, s:o}", "serial", t->serial, "label",
        t->label, "state", t->state, "state_label",
        label(token_state_label((token_state)s, false), token_state_label((token_state)s, true)),
        "cert_serial", t->cert_serial, "dossier", t->dossier, "applicant", (json_int_t)t->applicant,
        "note", t->note, "updated_at", app_view_time(t->updated_at), "actions", list);
}

json_t *app_view_user(const user_record *u)
{
    /* never the password hash */
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o}", "username", u->username, "display_name",
                     u->display_name, "role", u->role, "agency", u->agency, "os_user", u->os_user,
                     "disabled", u->disabled != 0, "created_at", app_view_time(u->created_at));
}

json_t *app_view_draft(const draft_record *d)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:s, s:s}", "id",
                          (json_int_t)d->id, "agency", d->agency, "state", d->state, "title",
                          d->title, "list_format", d->list_format, "applicants",
                          (json_int_t)d->applicants, "letter_name", d->letter_name, "letter_type",
                          d->letter_type, "letter_size", (json_int_t)d->letter_size,
                          "letter_sha256", d->letter_sha256, "list_sha256", d->list_sha256);

    json_object_update_new(
        j, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o}", "confirmed_name",
                     d->confirmed_name, "confirmed_title", d->confirmed_title, "confirmed_by",
                     d->confirmed_by, "confirmed_at", app_view_time(d->confirmed_at), "dossier",
                     d->dossier, "created_by", d->created_by, "created_at",
                     app_view_time(d->created_at), "updated_at", app_view_time(d->updated_at)));
    return j;
}

json_t *app_view_audit(const audit_entry *e)
{
    json_t *j = json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id, "at",
                          app_view_time(e->at), "actor", e->actor, "role", e->role, "source",
                          e->source, "action", e->action, "object", e->object);
    json_t *detail = e->detail ? json_loads(e->detail, 0, NULL) : NULL;
    json_t *reason = json_object_get(detail, "reason");

    /* each step's reason stays in the timeline, though the dossier keeps only the latest */
    if (json_is_string(reason) && json_string_length(reason) > 0)
        json_object_set(j, "reason", reason);
    json_decref(detail);
    return j;
}
