/*
 * procedure.c — the transition table of procedure 1.010847 and the one function that consults
 * it. See procedure.h; the diagram is in DESIGN.md §2.
 */
#include "core/procedure.h"

#include <stdio.h>
#include <string.h>

/* Agency roles act on their own dossiers; a CA officer may record an agency's step on its
 * behalf when it arrives on paper (direct or postal channel). */
#define AGENCY (ROLE_AGENCY_CLERK | ROLE_AGENCY_HEAD)
#define OFFICER ROLE_CA_OFFICER

static const proc_transition table[] = {
    /* intake: the CA decides for the whole dossier */
    {PROC_DOSSIER, DOSSIER_RECEIVED, ACT_ACCEPT, DOSSIER_ACCEPTED, OFFICER, GUARD_NONE,
     CLOCK_STEP2_START, KINDS_ALL},
    {PROC_DOSSIER, DOSSIER_RECEIVED, ACT_REJECT, DOSSIER_REJECTED, OFFICER, GUARD_REASON_GIVEN,
     CLOCK_ALL_STOP, KINDS_ALL},
    {PROC_DOSSIER, DOSSIER_RECEIVED, ACT_SUPPLEMENT, DOSSIER_NEEDS_SUPPLEMENT, OFFICER,
     GUARD_REASON_GIVEN, CLOCK_STEP2_PAUSE, KINDS_ALL},
    {PROC_DOSSIER, DOSSIER_NEEDS_SUPPLEMENT, ACT_RESUBMIT, DOSSIER_RECEIVED, AGENCY | OFFICER,
     GUARD_NONE, CLOCK_NONE, KINDS_ALL},
    {PROC_DOSSIER, DOSSIER_NEEDS_SUPPLEMENT, ACT_REJECT, DOSSIER_REJECTED, OFFICER,
     GUARD_REASON_GIVEN, CLOCK_ALL_STOP, KINDS_ALL},
    {PROC_DOSSIER, DOSSIER_RECEIVED, ACT_WITHDRAW, DOSSIER_WITHDRAWN, AGENCY | OFFICER,
     GUARD_NOTHING_ISSUED, CLOCK_ALL_STOP, KINDS_ALL},
    {PROC_DOSSIER, DOSSIER_NEEDS_SUPPLEMENT, ACT_WITHDRAW, DOSSIER_WITHDRAWN, AGENCY | OFFICER,
     GUARD_NOTHING_ISSUED, CLOCK_ALL_STOP, KINDS_ALL},
    {PROC_DOSSIER, DOSSIER_ACCEPTED, ACT_WITHDRAW, DOSSIER_WITHDRAWN, AGENCY | OFFICER,
     GUARD_NOTHING_ISSUED, CLOCK_ALL_STOP, KINDS_ALL},

    /* step 2: keys on the token, certificate signed on hold, pickup notice */
    {PROC_APPLICANT, APPLICANT_PENDING, ACT_ISSUE, APPLICANT_ISSUED, OFFICER, GUARD_NONE,
     CLOCK_NONE, KINDS_ISSUING},
    {PROC_APPLICANT, APPLICANT_ISSUED, ACT_NOTIFY_PICKUP, APPLICANT_AWAITING_PICKUP, OFFICER,
     GUARD_PICKUP_DETAILS, CLOCK_STEP2_STOP, KINDS_ISSUING},
    /* step 3: the agency's time */
    {PROC_APPLICANT, APPLICANT_AWAITING_PICKUP, ACT_AGENCY_RECEIVED, APPLICANT_WITH_AGENCY,
     AGENCY | OFFICER, GUARD_PICKUP_TIME_COME, CLOCK_AGENCY_START, KINDS_ISSUING},
    {PROC_APPLICANT, APPLICANT_WITH_AGENCY, ACT_HANDED_OVER, APPLICANT_WITH_SUBSCRIBER,
     AGENCY | OFFICER, GUARD_HANDED_TO, CLOCK_NONE, KINDS_ISSUING},
    {PROC_APPLICANT, APPLICANT_WITH_SUBSCRIBER, ACT_REQUEST_ACTIVATION,
     APPLICANT_ACTIVATION_REQUESTED, AGENCY | OFFICER, GUARD_EFFECTIVE_NOT_PAST, CLOCK_STEP4_START,
     KINDS_ISSUING},
    /* step 4: publication; the certificate is valid from this instant */
    {PROC_APPLICANT, APPLICANT_ACTIVATION_REQUESTED, ACT_PUBLISH, APPLICANT_PUBLISHED,
     OFFICER | ROLE_SYSTEM, GUARD_EFFECTIVE_TIME_DUE, CLOCK_STEP4_STOP, KINDS_ISSUING},

    /* the CA's check at step 2 refuses one applicant (an ID number that already holds a
     * certificate, a contradiction in the row) with a reason; the others are issued */
    {PROC_APPLICANT, APPLICANT_PENDING, ACT_REFUSE, APPLICANT_REFUSED, OFFICER, GUARD_REASON_GIVEN,
     CLOCK_ALL_STOP, KINDS_ALL},

    /* cancellation revokes the certificate and records the token */
    {PROC_APPLICANT, APPLICANT_ISSUED, ACT_CANCEL, APPLICANT_CANCELLED, OFFICER, GUARD_REASON_GIVEN,
     CLOCK_ALL_STOP, KINDS_ISSUING},
    {PROC_APPLICANT, APPLICANT_AWAITING_PICKUP, ACT_CANCEL, APPLICANT_CANCELLED, OFFICER,
     GUARD_REASON_GIVEN, CLOCK_ALL_STOP, KINDS_ISSUING},
    {PROC_APPLICANT, APPLICANT_WITH_AGENCY, ACT_CANCEL, APPLICANT_CANCELLED, OFFICER,
     GUARD_REASON_GIVEN, CLOCK_ALL_STOP, KINDS_ISSUING},
    {PROC_APPLICANT, APPLICANT_WITH_SUBSCRIBER, ACT_CANCEL, APPLICANT_CANCELLED, OFFICER,
     GUARD_REASON_GIVEN, CLOCK_ALL_STOP, KINDS_ISSUING},
    {PROC_APPLICANT, APPLICANT_ACTIVATION_REQUESTED, ACT_CANCEL, APPLICANT_CANCELLED, OFFICER,
     GUARD_REASON_GIVEN, CLOCK_ALL_STOP, KINDS_ISSUING},

    /* suspension, resumption, revocation: one officer's step per certificate, carried out on
     * it in the step's transaction; the CA's work for that person is then done */
    {PROC_APPLICANT, APPLICANT_PENDING, ACT_SUSPEND, APPLICANT_DONE, OFFICER, GUARD_NONE,
     CLOCK_STEP2_STOP, KIND_BIT(KIND_SUSPENSION)},
    {PROC_APPLICANT, APPLICANT_PENDING, ACT_RESUME, APPLICANT_DONE, OFFICER, GUARD_NONE,
     CLOCK_STEP2_STOP, KIND_BIT(KIND_RESUMPTION)},
    /* ... and for a lost or a broken token, revoked as token care does it (keyCompromise, the
     * token lost; cessationOfOperation, the token damaged): its replacement is a new issuance of
     * its own (docs/deviations.md) */
    {PROC_APPLICANT, APPLICANT_PENDING, ACT_REVOKE, APPLICANT_DONE, OFFICER, GUARD_NONE,
     CLOCK_STEP2_STOP,
     KIND_BIT(KIND_REVOCATION) | KIND_BIT(KIND_TOKEN_LOST) | KIND_BIT(KIND_TOKEN_BROKEN)},

    /* a PIN reset: a new user PIN set with the SO PIN, a new envelope (app_token_care.c), in
     * the step's transaction */
    {PROC_APPLICANT, APPLICANT_PENDING, ACT_RESET_PIN, APPLICANT_DONE, OFFICER, GUARD_NONE,
     CLOCK_STEP2_STOP, KIND_BIT(KIND_PIN_RESET)},
};

/* Labels as the portal, the papers and the command line show them, in both languages. */
static const struct {
    const char *name;
    const char *vi;
    const char *en;
} actions[ACT_COUNT] = {
    [ACT_ACCEPT] = {"accept", "Tiếp nhận hồ sơ hợp lệ", "Accept as valid"},
    [ACT_REJECT] = {"reject", "Từ chối hồ sơ", "Reject"},
    [ACT_SUPPLEMENT] = {"supplement", "Yêu cầu bổ sung hồ sơ", "Ask for a supplement"},
    [ACT_RESUBMIT] = {"resubmit", "Nộp lại hồ sơ đã bổ sung", "Resubmit"},
    [ACT_WITHDRAW] = {"withdraw", "Rút hồ sơ", "Withdraw"},
    [ACT_ISSUE] = {"issue", "Tạo khóa, cấp chứng thư số", "Issue certificates and tokens"},
    [ACT_NOTIFY_PICKUP] = {"notify-pickup", "Thông báo thời gian, địa điểm nhận thiết bị",
                           "Notify the pickup"},
    [ACT_AGENCY_RECEIVED] = {"agency-received", "Cơ quan đã nhận thiết bị",
                             "Record the tokens received"},
    [ACT_HANDED_OVER] = {"handed-over", "Đã bàn giao cho thuê bao", "Record the hand-over"},
    [ACT_REQUEST_ACTIVATION] = {"request-activation", "Đề nghị thời điểm có hiệu lực",
                                "Request the effective time"},
    [ACT_PUBLISH] = {"publish", "Công bố chứng thư số", "Publish the certificate"},
    [ACT_CANCEL] = {"cancel", "Hủy cấp chứng thư số", "Cancel"},
    [ACT_REFUSE] = {"refuse", "Từ chối cấp cho người này", "Refuse this applicant"},
    [ACT_SUSPEND] = {"suspend", "Tạm dừng chứng thư số", "Suspend the certificate"},
    [ACT_RESUME] = {"resume", "Khôi phục chứng thư số", "Resume the certificate"},
    [ACT_REVOKE] = {"revoke", "Thu hồi chứng thư số", "Revoke the certificate"},
    [ACT_RESET_PIN] = {"reset-pin", "Đặt lại mã PIN", "Reset the PIN"},
};

static const struct {
    const char *name;
    const char *vi;
    const char *en;
} dossier_states[DOSSIER_STATE_COUNT] = {
    [DOSSIER_RECEIVED] = {"received", "Đã tiếp nhận", "Received"},
    [DOSSIER_NEEDS_SUPPLEMENT] = {"needs_supplement", "Chờ bổ sung", "Needs a supplement"},
    [DOSSIER_ACCEPTED] = {"accepted", "Hồ sơ hợp lệ, đang xử lý", "Valid, in progress"},
    [DOSSIER_REJECTED] = {"rejected", "Từ chối", "Rejected"},
    [DOSSIER_WITHDRAWN] = {"withdrawn", "Đã rút", "Withdrawn"},
    [DOSSIER_COMPLETED] = {"completed", "Đã hoàn thành", "Completed"},
};

static const struct {
    const char *name;
    const char *vi;
    const char *en;
} applicant_states[APPLICANT_STATE_COUNT] = {
    [APPLICANT_PENDING] = {"pending", "Chờ cấp", "Pending"},
    [APPLICANT_ISSUED] = {"issued", "Đã cấp, chờ thông báo nhận", "Issued (on hold)"},
    [APPLICANT_AWAITING_PICKUP] = {"awaiting_pickup", "Chờ cơ quan nhận thiết bị",
                                   "Awaiting pickup"},
    [APPLICANT_WITH_AGENCY] = {"with_agency", "Cơ quan đã nhận thiết bị", "With the agency"},
    [APPLICANT_WITH_SUBSCRIBER] = {"with_subscriber", "Thuê bao đã nhận thiết bị",
                                   "With the subscriber"},
    [APPLICANT_ACTIVATION_REQUESTED] = {"activation_requested", "Chờ công bố",
                                        "Activation requested"},
    [APPLICANT_PUBLISHED] = {"published", "Đã công bố, có hiệu lực", "Published — valid"},
    [APPLICANT_CANCELLED] = {"cancelled", "Đã hủy", "Cancelled"},
    [APPLICANT_REFUSED] = {"refused", "Bị từ chối", "Refused"},
    [APPLICANT_WITHDRAWN] = {"withdrawn", "Đã rút", "Withdrawn"},
    [APPLICANT_DONE] = {"done", "Đã thực hiện", "Carried out"},
};

static const struct {
    const char *name;
    const char *vi;
    const char *en;
} kinds[KIND_COUNT] = {
    [KIND_NEW] = {"new", "Cấp mới", "New issuance"},
    [KIND_SUSPENSION] = {"suspension", "Tạm dừng", "Suspension"},
    [KIND_RESUMPTION] = {"resumption", "Khôi phục", "Resumption"},
    [KIND_REVOCATION] = {"revocation", "Thu hồi", "Revocation"},
    [KIND_RENEWAL] = {"renewal", "Gia hạn", "Renewal"},
    [KIND_CHANGE] = {"change", "Thay đổi nội dung thông tin", "Change of details"},
    [KIND_PIN_RESET] = {"pin_reset", "Đặt lại mã PIN", "PIN reset"},
    [KIND_TOKEN_LOST] = {"token_lost", "Báo mất thiết bị", "Lost token"},
    [KIND_TOKEN_BROKEN] = {"token_broken", "Báo hỏng thiết bị", "Broken token"},
};

const char *dossier_kind_name(dossier_kind k)
{
    return (unsigned)k < KIND_COUNT ? kinds[k].name : "?";
}

const char *dossier_kind_label(dossier_kind k, bool english)
{
    if ((unsigned)k >= KIND_COUNT)
        return "?";
    return english ? kinds[k].en : kinds[k].vi;
}

int dossier_kind_parse(const char *name, dossier_kind *out)
{
    for (int i = 0; i < KIND_COUNT; i++) {
        if (strcmp(kinds[i].name, name) == 0) {
            *out = (dossier_kind)i;
            return 0;
        }
    }
    return -1;
}

role_set procedure_roles(proc_action action)
{
    role_set roles = 0;

    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].action == action)
            roles |= table[i].roles;
    return roles;
}

const proc_transition *procedure_table(size_t *count)
{
    *count = sizeof table / sizeof table[0];
    return table;
}

const char *proc_action_name(proc_action a)
{
    return (unsigned)a < ACT_COUNT ? actions[a].name : "?";
}

const char *proc_action_label(proc_action a, bool english)
{
    if ((unsigned)a >= ACT_COUNT)
        return "?";
    return english ? actions[a].en : actions[a].vi;
}

role_set procedure_actions_from(dossier_kind kind, proc_subject subject, int from, role r,
                                proc_action out[ACT_COUNT], size_t *n)
{
    role_set seen = 0;

    *n = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].subject != subject || table[i].from != from || !(table[i].roles & r) ||
            !(table[i].kinds & KIND_BIT(kind)))
            continue;
        out[(*n)++] = table[i].action;
        seen |= table[i].roles;
    }
    return seen;
}

int proc_action_parse(const char *name, proc_action *out, ct_error *err)
{
    for (int i = 0; i < ACT_COUNT; i++) {
        if (strcmp(actions[i].name, name) == 0) {
            *out = (proc_action)i;
            return 0;
        }
    }
    return ct_fail(err, 400, "procedure.unknown_action", "không có thao tác \"%s\"",
                   "unknown action \"%s\"", name);
}

const char *dossier_state_name(dossier_state s)
{
    return (unsigned)s < DOSSIER_STATE_COUNT ? dossier_states[s].name : "?";
}

const char *applicant_state_name(applicant_state s)
{
    return (unsigned)s < APPLICANT_STATE_COUNT ? applicant_states[s].name : "?";
}

const char *dossier_state_label(dossier_state s, bool english)
{
    if ((unsigned)s >= DOSSIER_STATE_COUNT)
        return "?";
    return english ? dossier_states[s].en : dossier_states[s].vi;
}

const char *applicant_state_label(applicant_state s, bool english)
{
    if ((unsigned)s >= APPLICANT_STATE_COUNT)
        return "?";
    return english ? applicant_states[s].en : applicant_states[s].vi;
}

int dossier_state_parse(const char *name, dossier_state *out)
{
    for (int i = 0; i < DOSSIER_STATE_COUNT; i++) {
        if (strcmp(dossier_states[i].name, name) == 0) {
            *out = (dossier_state)i;
            return 0;
        }
    }
    return -1;
}

int applicant_state_parse(const char *name, applicant_state *out)
{
    for (int i = 0; i < APPLICANT_STATE_COUNT; i++) {
        if (strcmp(applicant_states[i].name, name) == 0) {
            *out = (applicant_state)i;
            return 0;
        }
    }
    return -1;
}

/* A state in the words of the message's language (the code names stay in the error's code and
 * the allowed actions, which are the commands to type). */
static const char *state_words(proc_subject subject, int s, bool english)
{
    return subject == PROC_DOSSIER ? dossier_state_label((dossier_state)s, english)
                                   : applicant_state_label((applicant_state)s, english);
}

int procedure_step(dossier_kind kind, proc_subject subject, int from, proc_action action, role r,
                   const proc_transition **out, ct_error *err)
{
    char allowed[256] = "";
    size_t len = 0;

    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const proc_transition *t = &table[i];
        if (t->subject != subject || t->from != from || !(t->kinds & KIND_BIT(kind)))
            continue;
        if (t->action == action) {
            if (role_require(r, t->roles, proc_action_name(action), err) != 0)
                return -1;
            *out = t;
            return 0;
        }
        len += (size_t)snprintf(allowed + len, sizeof allowed - len, "%s%s", len ? ", " : "",
                                proc_action_name(t->action));
        if (len >= sizeof allowed)
            len = sizeof allowed - 1;
    }
    {
        char vi[CT_ERR_MSG_MAX], en[CT_ERR_MSG_MAX];
        snprintf(vi, sizeof vi, "không thể \"%s\" khi %s đang ở trạng thái \"%s\" (được phép: %s)",
                 proc_action_name(action), subject == PROC_DOSSIER ? "hồ sơ" : "người đề nghị",
                 state_words(subject, from, false), *allowed ? allowed : "không có");
        snprintf(en, sizeof en, "cannot \"%s\" while the %s is \"%s\" (allowed: %s)",
                 proc_action_name(action), subject == PROC_DOSSIER ? "dossier" : "applicant",
                 state_words(subject, from, true), *allowed ? allowed : "none");
        return ct_fail_text(err, 409, "procedure.wrong_state", vi, en);
    }
}
