/*
 * cli_table.c — every command of chungthu, one row each: group, subcommand, operands, options,
 * handler and its parameter, the role the instance owner acts with, whether it opens the
 * instance, what it does, and who may run it (an account unless the row says otherwise).
 *
 * cli_dispatch.c parses and runs a command from its row, and prints `--help` and every usage
 * message from the rows: a command, an option or a usage line exists only here. The rows of a
 * group stay together, in the order --help shows them. An option marked NEED is shown as
 * required but its absence is left to the use case, which refuses it with its own error code.
 */
#include <stddef.h>

#include "cli/cli.h"

/* clang-format off */
#define OPTS(...)   ((const cli_opt[]){__VA_ARGS__, {NULL, NULL, CLI_OPTIONAL, false}})
#define FLAG(n)     {n, NULL, CLI_OPTIONAL, false}
#define OPT(n, v)   {n, v, CLI_OPTIONAL, false}
#define MANY(n, v)  {n, v, CLI_OPTIONAL, true}
#define NEED(n, v)  {n, v, CLI_NEEDED, false}
#define MUST(n, v)  {n, v, CLI_REQUIRED, false}
#define ONE(n, v)   {n, v, CLI_ONE_OF, false}
#define JSON        FLAG("json")
#define WHEN        "\"YYYY-MM-DD HH:MM\""
#define OFFICER     ROLE_CA_OFFICER

/* A row that does not say who may run it acts as an account, the safe default: its last field
 * is left out on purpose, which -Wextra would otherwise flag on every such row. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const cli_command commands[] = {
    /* group, sub, operands, options, handler, data, the owner's role, home, about, who may run
     * it (cli_who.c; none said: an account) */
    {"init", NULL, NULL,
     OPTS(FLAG("demo"), OPT("root-key", "rsa4096|p384"), OPT("issuing-key", "rsa3072|p256|p384"),
          OPT("base-url", "URL"), OPT("hsm-token", "LABEL"), OPT("token-module", "PATH"),
          FLAG("offline-root"), OPT("database-url", "URL")),
     cmd_init, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Create an instance at --home: root and issuing CA, OCSP responder, database (--demo: with "
     "sample accounts; --hsm-token: the issuing CA key on that PKCS#11 token; --offline-root: "
     "no root key here, only the issuing key and ca/issuing.csr for the key ceremony, then "
     "`ca import`; --database-url: the database is that empty PostgreSQL one, not SQLite).",
     CLI_AS_OWNER},
    {"ca", "import", "BUNDLE_DIR", NULL,
     cmd_ca_import, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Install the key ceremony's bundle (root.crt, issuing.crt for this instance's key, "
     "root.crl) in an instance made with init --offline-root; the OCSP and audit-signing "
     "certificates are made then.", CLI_AS_OWNER},
    {"ca", "import-crl", "FILE", NULL,
     cmd_ca_import_crl, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Install a newer root CRL signed at the key ceremony (offline root); served at "
     "/crl/root.crl.", CLI_AS_OWNER},
    {"ca", "activate", NULL, NULL,
     cmd_ca_activate, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Put the imported issuing CA key in use: until then nothing is signed with it. With "
     "[approvals] activate = 2 (the default) a second CA administrator or officer approves "
     "(`approval approve ID`)."},

    {"ceremony", "init", NULL,
     OPTS(MANY("witness", "NAME"), OPT("hsm-token", "LABEL"), OPT("token-module", "PATH"),
          OPT("root-key", "rsa4096|p384"), OPT("root-name", "TEXT"), OPT("operator", "TEXT"),
          OPT("base-url", "URL"), OPT("crl-days", "N")),
     cmd_ceremony_init, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Offline machine, --home the ceremony's directory: make the root key (on the PKCS#11 "
     "token --hsm-token, else a file under CHUNGTHU_CEREMONY_PASSPHRASE) and the self-signed "
     "root certificate; two --witness at least.", CLI_AS_OWNER},
    {"ceremony", "sign-issuing", NULL,
     OPTS(MUST("csr", "FILE"), OPT("key-fingerprint", "HEX"), MANY("witness", "NAME")),
     cmd_ceremony_sign_issuing, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Sign the issuing CA certificate from the online instance's ca/issuing.csr "
     "(--key-fingerprint: "
     "the key's fingerprint as read out on paper); two --witness at least.", CLI_AS_OWNER},
    {"ceremony", "revoke-issuing", NULL,
     OPTS(MUST("serial", "HEX"),
          MUST("reason", "keyCompromise|cACompromise|superseded|cessationOfOperation"),
          MANY("witness", "NAME")),
     cmd_ceremony_revoke_issuing, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Revoke an issuing CA certificate this root signed, in the log; every root CRL signed "
     "after lists it (`ca import-crl` then stops the online key); two --witness at least.",
     CLI_AS_OWNER},
    {"ceremony", "sign-crl", NULL, OPTS(OPT("days", "N"), MANY("witness", "NAME")),
     cmd_ceremony_sign_crl, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Sign a root CRL valid --days N (default: the ceremony's crl-days).", CLI_AS_OWNER},
    {"ceremony", "bundle", NULL, OPTS(MUST("out", "DIR"), MANY("witness", "NAME")),
     cmd_ceremony_bundle, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Write root.crt, issuing.crt, root.crl and the log to a new DIR to carry to the online "
     "instance (`ca import DIR`).", CLI_AS_OWNER},
    {"ceremony", "log", NULL, OPTS(JSON),
     cmd_ceremony_log, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Print the ceremony's log: each step, who did it, its witnesses, its hash.", CLI_AS_OWNER},
    {"ceremony", "verify", NULL, OPTS(OPT("expect-head", "LINES:SHA256")),
     cmd_ceremony_verify, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Walk the ceremony log's hash chain; exit status 1 naming the first line edited "
     "(--expect-head: the head written on the paper record, to name a log cut at its end).",
     CLI_AS_OWNER},
    {"serve", NULL, NULL,
     OPTS(OPT("listen", "ADDR:PORT"), OPT("access-log", "FILE"), OPT("threads", "N"),
          FLAG("read-only")),
     cmd_serve, 0, ROLE_SYSTEM, CLI_OPEN,
     "Serve HTTP until SIGTERM or SIGINT: public site, portal and API, CRLs, OCSP, /healthz, "
     "/metrics. --read-only (a PostgreSQL hot standby's node; any node on a standby is read-only "
     "by itself): serve reads only, writes answer 503, until the database is promoted.",
     CLI_AS_OWNER},

    {"cert", "issue", NULL,
     OPTS(ONE("csr", "FILE"), ONE("pubkey", "FILE"), NEED("name", "TEXT"), NEED("email", "ADDR"),
          NEED("province", "TEXT"), NEED("org", "TEXT"), MANY("unit", "TEXT"), OPT("days", "N"),
          FLAG("hold"), OPT("out", "FILE"), JSON),
     cmd_cert_issue, 0, OFFICER, CLI_OPEN,
     "Issue a certificate for a key made elsewhere (a CSR or a public key); prints the PEM, or "
     "writes it to a new FILE and prints the record."},
    {"cert", "show", "SERIAL", OPTS(JSON, FLAG("pem")),
     cmd_cert_show, 0, OFFICER, CLI_OPEN,
     "Show a certificate's record (--pem: the certificate itself)."},
    {"cert", "list", NULL,
     OPTS(OPT("status", "hold|active|revoked|expired"), OPT("kind", "KIND"), OPT("query", "TEXT"),
          OPT("limit", "N"), JSON),
     cmd_cert_list, 0, OFFICER, CLI_OPEN,
     "List certificates, by status, kind or words of the subject."},
    {"cert", "revoke", "SERIAL",
     OPTS(OPT("reason", "keyCompromise|affiliationChanged|superseded|cessationOfOperation|"
                        "privilegeWithdrawn|unspecified")),
     cmd_cert_revoke, 0, OFFICER, CLI_OPEN,
     "Revoke a certificate (reason unspecified unless given); CRLs and OCSP follow."},

    {"crl", "generate", NULL, NULL,
     cmd_crl_generate, 0, OFFICER, CLI_OPEN,
     "Sign fresh CRLs of the root and the issuing CA now."},
    {"crl", "show", "root|issuing", OPTS(OPT("out", "FILE")),
     cmd_crl_show, 0, OFFICER, CLI_OPEN,
     "Write the current CRL (DER) to FILE, or to stdout."},

    {"ocsp", "respond", NULL, OPTS(MUST("in", "REQUEST.der"), MUST("out", "RESPONSE.der")),
     cmd_ocsp_respond, 0, ROLE_SYSTEM, CLI_OPEN,
     "Answer an OCSP request (DER) offline.", CLI_AS_OWNER},
    {"ocsp", "rotate", NULL, OPTS(FLAG("if-due")),
     cmd_ocsp_rotate, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Give the OCSP responder a new key and certificate now (--if-due: only when fewer than "
     "[ca] ocsp_renew_days are left, as the server's upkeep does); running servers switch to "
     "it within a second."},

    {"agency", "add", NULL,
     OPTS(NEED("code", "C"), NEED("name", "N"), OPT("parent", "P"), NEED("province", "P"),
          NEED("head-name", "N"), NEED("head-title", "T"), NEED("kind", "party|state"),
          OPT("email-domains", "\"D1, D2\""), JSON),
     cmd_agency_add, 0, OFFICER, CLI_OPEN,
     "Add a Party or State agency that submits dossiers (--parent: the body above it; "
     "--email-domains: its official e-mail domains, for the officer's check)."},
    {"agency", "set-domains", "CODE", OPTS(NEED("email-domains", "\"D1, D2\""), JSON),
     cmd_agency_set_domains, 0, OFFICER, CLI_OPEN,
     "Set the agency's official e-mail domains (\"\" ends the check): an applicant's address "
     "outside them is flagged at the officer's check."},
    {"agency", "set", "CODE",
     OPTS(OPT("address", "TEXT"), OPT("email", "ADDR"), OPT("phone", "TEL"),
          OPT("clerk-email", "ADDR"), OPT("head-email", "ADDR"), JSON),
     cmd_agency_set, 0, OFFICER, CLI_OPEN,
     "Set the agency's contacts (\"\" clears one): postal address (printed where the papers "
     "address it), e-mail, phone, the clerk's and the head's e-mail; the e-mail notices go to "
     "the agency's and the clerk's address."},
    {"agency", "list", NULL, OPTS(JSON),
     cmd_agency_list, 0, OFFICER, CLI_OPEN,
     "List the agencies."},

    {"token", "stock", NULL, OPTS(OPT("count", "N")),
     cmd_token_stock, 0, OFFICER, CLI_OPEN,
     "Put N blank tokens into the CA's stock (default 1)."},
    {"token", "list", NULL, OPTS(OPT("state", "S"), JSON),
     cmd_token_list, 0, OFFICER, CLI_OPEN,
     "List the tokens, or those in state S."},
    {"token", "provision", NULL,
     OPTS(NEED("name", "TEXT"), NEED("email", "ADDR"), NEED("province", "TEXT"),
          NEED("org", "TEXT"), MANY("unit", "TEXT"), OPT("days", "N"), OPT("token", "SERIAL"),
          OPT("key-type", "rsa2048|rsa3072|p256"), FLAG("hold"), JSON),
     cmd_token_provision, 0, OFFICER, CLI_OPEN,
     "Make a key on a blank token (or on --token SERIAL), issue its certificate and write the "
     "PIN envelope; the PIN is shown once."},
    {"token", "envelope", "SERIAL", OPTS(FLAG("pdf"), OPT("output", "FILE")),
     cmd_token_envelope, 0, OFFICER, CLI_OPEN,
     "Print the token's PIN envelope (printable HTML, or --pdf; on standard output or a new "
     "file --output, 0600), once: the envelope is gone afterwards, and the printing is in the "
     "audit trail."},
    {"token", "reset-pin", "SERIAL", OPTS(OPT("reason", "TEXT"), JSON),
     cmd_token_reset_pin, 0, OFFICER, CLI_OPEN,
     "Set a new random user PIN with the SO PIN kept at stocking (unblocks a locked PIN); the "
     "old PIN stops working and a new PIN envelope waits to be printed."},
    {"token", "lost", "SERIAL", OPTS(NEED("reason", "TEXT"), JSON),
     cmd_token_lost, 0, OFFICER, CLI_OPEN,
     "Record that the token was lost (when, where, how): its certificate is revoked "
     "keyCompromise. The person gets a new certificate on a new token by a new dossier."},
    {"token", "broken", "SERIAL", OPTS(OPT("reason", "TEXT"), JSON),
     cmd_token_broken, 0, OFFICER, CLI_OPEN,
     "Record that the token is broken (state damaged): its certificate is revoked "
     "cessationOfOperation (the key is gone, not exposed)."},
    {"token", "returned", "SERIAL", OPTS(OPT("reason", "TEXT"), JSON),
     cmd_token_returned, 0, OFFICER, CLI_OPEN,
     "Record that the token is back at the CA: a certificate still valid or on hold is revoked "
     "cessationOfOperation first."},
    {"token", "destroy", "SERIAL", OPTS(OPT("reason", "TEXT"), JSON),
     cmd_token_destroy, 0, OFFICER, CLI_OPEN,
     "Destroy a returned, damaged or lost-and-found token: its objects are wiped when the "
     "device is present; the state is final."},

    {"user", "add", NULL,
     OPTS(NEED("username", "U"), NEED("role", "ROLE"), OPT("agency", "CODE"), OPT("name", "TEXT"),
          OPT("os-user", "OSNAME")),
     cmd_user_add, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Create an account for the portal and the API; the password is read from stdin (one line). "
     "--os-user: the OS account of this machine that acts as it on the command line."},
    {"user", "list", NULL, OPTS(JSON),
     cmd_user_list, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "List the accounts."},
    {"user", "disable", "USERNAME", NULL,
     cmd_user_disable, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Disable an account; its sessions end."},
    {"user", "set-role", "USERNAME ROLE", OPTS(OPT("agency", "CODE")),
     cmd_user_set_role, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Change an account's role (an agency role names its agency: --agency); its sessions end. "
     "With [approvals] role = 2, a second CA administrator approves."},
    {"user", "map-os", "USERNAME OSNAME", NULL,
     cmd_user_map_os, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Let the OS account OSNAME of this machine act as the account on the command line, without "
     "logging in (one account per OS account)."},
    {"user", "unmap-os", "USERNAME", NULL,
     cmd_user_unmap_os, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "End the account's mapping to an OS account."},

    {"login", NULL, NULL, OPTS(OPT("username", "U")),
     cmd_login, 0, ROLE_NONE, CLI_OPEN,
     "Log in as an account, as the portal does (the password asked without echo, or read from "
     "stdin): the commands act as it for 8 hours; the session is kept in "
     "~/.config/chungthu, 0600.", CLI_AS_ANYONE},
    {"logout", NULL, NULL, NULL,
     cmd_logout, 0, ROLE_NONE, CLI_OPEN,
     "End the session of `chungthu login` and remove its file.", CLI_AS_ANYONE},
    {"whoami", NULL, NULL, NULL,
     cmd_whoami, 0, ROLE_NONE, CLI_OPEN,
     "Say who the commands act as: the account and its role, and how (session, os_user, or "
     "instance_owner)."},

    {"approval", "list", NULL, OPTS(JSON),
     cmd_approval_list, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "List the requests waiting for a second officer ([approvals] in chungthu.ini)."},
    {"approval", "approve", "ID", NULL,
     cmd_approval_approve, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Approve another officer's request: the step is carried out now, audited with both names."},
    {"approval", "decline", "ID", OPTS(NEED("reason", "TEXT")),
     cmd_approval_decline, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Decline a request, saying why; nothing changes."},

    {"dossier", "submit", NULL,
     OPTS(NEED("agency", "CODE"), NEED("channel", "direct|postal"),
          NEED("file", "LIST.csv|.json|.xlsx"), NEED("confirmed-by", "\"NAME, TITLE\""),
          OPT("confirmed-on", "YYYY-MM-DD"), JSON),
     cmd_dossier_submit, 0, OFFICER, CLI_OPEN,
     "Record a dossier received in person or by post (the Mẫu 02 list as CSV or JSON); prints "
     "the receipt."},
    {"dossier", "request", NULL,
     OPTS(NEED("kind", "suspension|resumption|revocation|renewal|change|pin_reset|token_lost|"
                       "token_broken"),
          MANY("cert", "SERIAL"),
          NEED("agency", "CODE"), NEED("channel", "direct|postal"),
          NEED("confirmed-by", "\"NAME, TITLE\""), OPT("confirmed-on", "YYYY-MM-DD"),
          OPT("reason", "affiliationChanged|keyCompromise|cessationOfOperation|TEXT"),
          OPT("name", "TEXT"), OPT("unit", "TEXT"), OPT("position", "TEXT"),
          OPT("email", "ADDRESS"), JSON),
     cmd_dossier_request, 0, OFFICER, CLI_OPEN,
     "Record an agency's request about certificates its subscribers hold, received in person or "
     "by post: suspend, resume, revoke (--reason), renew on the same token, or change details "
     "(--name, --unit, --position, --email: the new values); or about the token carrying it: a "
     "PIN reset, a lost token (--reason: when, where, how), a broken one. One --cert per "
     "certificate. Prints the receipt."},
    {"dossier", "accept", "CODE", OPTS(OPT("reason", "TEXT")),
     cmd_dossier_step, ACT_ACCEPT, OFFICER, CLI_OPEN,
     "Accept the dossier as valid; the CA's 3 working days start."},
    {"dossier", "reject", "CODE", OPTS(NEED("reason", "TEXT")),
     cmd_dossier_step, ACT_REJECT, OFFICER, CLI_OPEN,
     "Reject the dossier, saying why."},
    {"dossier", "supplement", "CODE", OPTS(NEED("reason", "TEXT")),
     cmd_dossier_step, ACT_SUPPLEMENT, OFFICER, CLI_OPEN,
     "Ask the agency for a supplement, saying what is missing; the CA's clock stops."},
    {"dossier", "resubmit", "CODE", OPTS(OPT("reason", "TEXT"), OPT("file", "LIST.csv|.json|.xlsx")),
     cmd_dossier_step, ACT_RESUBMIT, OFFICER, CLI_OPEN,
     "Record the agency's supplemented dossier; the clock runs again. --file: a new Mẫu 02 list, "
     "checked as at intake, replacing the applicants."},
    {"dossier", "withdraw", "CODE", OPTS(OPT("reason", "TEXT")),
     cmd_dossier_step, ACT_WITHDRAW, OFFICER, CLI_OPEN,
     "Record the agency's withdrawal, while no certificate is issued."},
    {"dossier", "issue", "CODE", OPTS(OPT("applicant", "N")),
     cmd_dossier_step, ACT_ISSUE, OFFICER, CLI_OPEN,
     "Make the keys on tokens and issue the certificates, on hold (every applicant, or N)."},
    {"dossier", "notify-pickup", "CODE",
     OPTS(NEED("at", WHEN), NEED("place", "TEXT"), OPT("applicant", "N")),
     cmd_dossier_step, ACT_NOTIFY_PICKUP, OFFICER, CLI_OPEN,
     "Give the pickup notice: when (a working day, Vietnam time) and where the agency collects "
     "the tokens."},
    {"dossier", "agency-received", "CODE", OPTS(NEED("by", "NAME"), OPT("applicant", "N")),
     cmd_dossier_step, ACT_AGENCY_RECEIVED, OFFICER, CLI_OPEN,
     "Record that the agency collected the tokens, from the pickup time on: --by, the full name "
     "of the agency's person who took them."},
    {"dossier", "handed-over", "CODE", OPTS(OPT("to", "NAME"), OPT("applicant", "N")),
     cmd_dossier_step, ACT_HANDED_OVER, OFFICER, CLI_OPEN,
     "Record that the agency handed the token over: to its holder, or --to the person who "
     "received it."},
    {"dossier", "request-activation", "CODE", OPTS(OPT("applicant", "N"), OPT("effective", WHEN)),
     cmd_dossier_step, ACT_REQUEST_ACTIVATION, OFFICER, CLI_OPEN,
     "Record the agency's activation request, from --effective (not a past time) or as soon as "
     "possible; "
     "publication is due within 1 working day."},
    {"dossier", "publish", "CODE", OPTS(OPT("applicant", "N")),
     cmd_dossier_step, ACT_PUBLISH, OFFICER, CLI_OPEN,
     "Publish the certificates whose requested time has come: active from now."},
    {"dossier", "cancel", "CODE", OPTS(NEED("reason", "TEXT"), OPT("applicant", "N")),
     cmd_dossier_step, ACT_CANCEL, OFFICER, CLI_OPEN,
     "Cancel an issued, unpublished certificate (every applicant's, or N's); it is revoked."},
    {"dossier", "suspend", "CODE", OPTS(OPT("applicant", "N")),
     cmd_dossier_step, ACT_SUSPEND, OFFICER, CLI_OPEN,
     "Suspend the certificates of a suspension request (certificateHold on OCSP and the CRL)."},
    {"dossier", "resume", "CODE", OPTS(OPT("applicant", "N")),
     cmd_dossier_step, ACT_RESUME, OFFICER, CLI_OPEN,
     "Resume the certificates of a resumption request: good again, off the next CRL."},
    {"dossier", "revoke", "CODE", OPTS(OPT("applicant", "N")),
     cmd_dossier_step, ACT_REVOKE, OFFICER, CLI_OPEN,
     "Revoke the certificates of a revocation request, with the reason it gave; of a lost "
     "token request keyCompromise (the token lost), of a broken token request "
     "cessationOfOperation (the token damaged)."},
    {"dossier", "reset-pin", "CODE", OPTS(OPT("applicant", "N")),
     cmd_dossier_step, ACT_RESET_PIN, OFFICER, CLI_OPEN,
     "Set a new user PIN on the tokens of a PIN reset request, with the SO PIN; the new PIN is "
     "in a new envelope (token envelope SERIAL)."},
    {"dossier", "refuse", "CODE", OPTS(NEED("applicant", "N"), NEED("reason", "TEXT")),
     cmd_dossier_step, ACT_REFUSE, OFFICER, CLI_OPEN,
     "Refuse one pending applicant at the check, saying why; the others go on."},
    {"dossier", "show", "CODE", OPTS(JSON),
     cmd_dossier_show, 0, OFFICER, CLI_OPEN,
     "Show a dossier: its applicants, deadlines and timeline."},
    {"dossier", "receipt", "CODE", OPTS(FLAG("html")),
     cmd_dossier_slip, SLIP_RECEIPT, OFFICER, CLI_OPEN,
     "Print the receipt slip (text, or --html)."},
    {"dossier", "notice", "CODE", OPTS(FLAG("html")),
     cmd_dossier_slip, SLIP_PICKUP_NOTICE, OFFICER, CLI_OPEN,
     "Print the pickup notice (text, or --html)."},
    {"dossier", "paper", "CODE KIND", OPTS(OPT("applicant", "N"), FLAG("pdf"), OPT("output", "FILE")),
     cmd_dossier_paper, 0, OFFICER, CLI_OPEN,
     "Write an official paper (receipt, pickup, supplement, refusal, handover, "
     "handover-subscriber, mau01, mau02) as HTML, or --pdf, to standard output or -o FILE; "
     "it is kept as first issued."},
    {"dossier", "list", NULL,
     OPTS(FLAG("overdue"), OPT("state", "S"), OPT("agency", "CODE"), JSON),
     cmd_dossier_list, 0, OFFICER, CLI_OPEN,
     "List dossiers with their step 2 deadline (--overdue: due today or late)."},

    {"run-due", NULL, NULL, NULL,
     cmd_run_due, 0, ROLE_SYSTEM, CLI_OPEN,
     "Publish what is due, queue the expiry notices and send the e-mail waiting (for cron, when "
     "the server is not running).", CLI_AS_OWNER},

    {"mail", "list", NULL, OPTS(OPT("state", "queued|sent|failed"), JSON),
     cmd_mail_list, 0, OFFICER, CLI_OPEN,
     "List the e-mail outbox: each message's recipients, subject, state, attempts and last "
     "error."},
    {"mail", "send-due", NULL, NULL,
     cmd_mail_send_due, 0, ROLE_SYSTEM, CLI_OPEN,
     "Queue the expiry notices that are due and send every message whose time has come, now "
     "(the server does it every minute).", CLI_AS_OWNER},
    {"mail", "retry", "ID", NULL,
     cmd_mail_retry, 0, OFFICER, CLI_OPEN,
     "Queue a failed message again (its attempts counted from 0), with its Message-ID."},

    {"calendar", "add-working-days", "DATE N", OPTS(JSON),
     cmd_calendar_add, 0, ROLE_NONE, CLI_NO_OPEN,
     "The date N working days after DATE (YYYY-MM-DD), as the deadlines count them.",
     CLI_AS_ANYONE},
    {"calendar", "is-working-day", "DATE", OPTS(JSON),
     cmd_calendar_is_working_day, 0, ROLE_NONE, CLI_NO_OPEN,
     "Whether DATE is a working day (exit status 1 if not), and the holiday's name.",
     CLI_AS_ANYONE},
    {"calendar", "holidays", "YEAR", OPTS(JSON),
     cmd_calendar_holidays, 0, ROLE_NONE, CLI_NO_OPEN,
     "The holiday days off of YEAR (not plain weekends), with their names.", CLI_AS_ANYONE},

    {"audit", "verify", NULL, OPTS(OPT("checkpoint", "FILE"), JSON),
     cmd_audit_verify, 0, ROLE_AUDITOR, CLI_OPEN,
     "Walk the audit hash chain against its signed checkpoints, and against a checkpoint kept "
     "outside the database (--checkpoint FILE, or - for standard input: the checkpoint file "
     "or /audit/checkpoint): exit status 1 if a row was changed, deleted, reordered or cut "
     "from the end, or the database was put back to an older copy. Also list the serials "
     "reserved for a token and never issued."},
    {"audit", "checkpoint", NULL, NULL,
     cmd_audit_checkpoint, 0, OFFICER, CLI_OPEN,
     "Sign a checkpoint of the audit trail now (the server and run-due sign them every "
     "[audit] checkpoint_rows rows or checkpoint_minutes minutes)."},

    {"doctor", NULL, NULL, OPTS(JSON),
     cmd_doctor, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Check the instance and say what to mend: file modes, CA certificates, CRLs, token module, "
     "database, disk space, audit chain, clock (exit status 0 ok, 1 warning, 2 error).",
     CLI_AS_OWNER},

    {"backup", NULL, "DIR", OPTS(FLAG("with-secrets"), OPT("passphrase-env", "NAME"), JSON),
     cmd_backup, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Copy the instance while it serves into DIR (new or empty): the database as one snapshot "
     "(PostgreSQL: pg_dump -Fc), "
     "chungthu.ini, CA certificates, holiday files, the audit checkpoint file and a manifest "
     "with each file's SHA-256; --with-secrets: the keys, secrets/ and the token store too, "
     "encrypted under a passphrase (asked, or from the variable --passphrase-env names).",
     CLI_AS_OWNER},
    {"restore", NULL, "DIR",
     OPTS(NEED("home", "NEWHOME"), OPT("passphrase-env", "NAME"), OPT("database-url", "URL"),
          JSON),
     cmd_restore, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Make a new instance at --home (new or empty) from the backup in DIR: hashes checked and "
     "secrets opened before anything is written, then the database's integrity check and the "
     "audit chain verified. A PostgreSQL instance's backup goes into the empty database "
     "--database-url names (pg_restore, in one transaction).", CLI_AS_OWNER},

    {"store", "migrate", NULL, OPTS(NEED("to", "URL"), FLAG("switch"), JSON),
     cmd_store_migrate, 0, ROLE_CA_ADMIN, CLI_OPEN,
     "Copy the SQLite database into the empty PostgreSQL database --to URL in one transaction "
     "(stop the server first: the copy holds SQLite's write lock), compare each table's rows, "
     "verify the audit chain there and audit the move there; --switch: write [database] "
     "backend and url into chungthu.ini (the SQLite file is kept).", CLI_AS_OWNER},

    {"report", NULL, NULL,
     OPTS(OPT("from", "YYYY-MM-DD"), OPT("to", "YYYY-MM-DD"), OPT("agency", "CODE"),
          OPT("csv", "dossiers|certificates|steps"), JSON),
     cmd_report, 0, OFFICER, CLI_OPEN,
     "The procedure per agency over [--from, --to) (default: this month): dossiers, "
     "certificates, on-time rate and median working days of each step; --csv: one table."},

    {"demo", NULL, NULL, NULL,
     cmd_demo, 0, ROLE_CA_ADMIN, CLI_NO_OPEN,
     "Take sample data through the whole procedure on --home (created if missing).",
     CLI_AS_OWNER},

    {"help", NULL, NULL, OPTS(OPT("man", "1|5|7")),
     cmd_help, 0, ROLE_NONE, CLI_NO_OPEN,
     "Print the usage of every command, as --help does; --man 1|5|7: the manual page "
     "chungthu(1), chungthu.ini(5) or chungthu-api(7) in roff, from the same tables.",
     CLI_AS_ANYONE},
};
#pragma GCC diagnostic pop
/* clang-format on */

const cli_command *cli_commands(size_t *count)
{
    *count = sizeof commands / sizeof commands[0];
    return commands;
}
