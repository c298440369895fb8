/*
 * records.c — freeing what a record owns (core/records.h), so that a caller holding a record
 * from the use cases needs nothing of the store.
 */
#include "core/records.h"

#include <stdlib.h>

void cert_record_free(cert_record *rec)
{
    free(rec->der);
    rec->der = NULL;
    rec->der_len = 0;
}

void crl_record_free(crl_record *rec)
{
    free(rec->der);
    rec->der = NULL;
    rec->der_len = 0;
}

void paper_record_free(paper_record *rec)
{
    free(rec->bytes);
    rec->bytes = NULL;
    rec->len = 0;
}

void outbox_record_free(outbox_record *rec)
{
    free(rec->body_text);
    free(rec->body_html);
    rec->body_text = NULL;
    rec->body_html = NULL;
}
