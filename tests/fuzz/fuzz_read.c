/*
 * fuzz_read.c - libFuzzer target for the readers: quarry_read_buffer.
 *
 * Input: the first byte picks the file name (and so the format):
 * x.json, x.jsonl, x.csv, x.md, x.txt (byte % 5); the rest is the file.
 * Invariants checked on success: the document's text is valid UTF-8 and
 * NUL-terminated, every field has a name and NUL-terminated text and a
 * known type, lookups by name find a field. Otherwise: QUARRY_DONE with a
 * SKIPPED event (empty or binary input) or a negative status, no document,
 * and an event with a message.
 */
#include "fuzz_common.h"
#include "quarry.h"

#include <string.h>

static const char *const names[] = {"x.json", "x.jsonl", "x.csv", "x.md",
                                    "x.txt"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quarry_env *env = NULL;
    quarry_doc *doc = NULL;
    quarry_read_event ev;
    const char *name;
    int rc;

    if (size < 1)
        return 0;
    name = names[data[0] % 5];
    if (quarry_env_new(NULL, NULL, &env) != QUARRY_OK)
        return 0;

    memset(&ev, 0, sizeof ev);
    rc = quarry_read_buffer(env, name, (const char *)data + 1, size - 1, NULL,
                            &doc, &ev);
    if (rc == QUARRY_OK) {
        size_t len = 0, i, n;
        const char *text;
        FUZZ_CHECK(doc != NULL);
        text = quarry_doc_text(doc, &len);
        FUZZ_CHECK(text != NULL);
        FUZZ_CHECK(text[len] == '\0');
        FUZZ_CHECK(quarry_utf8_valid(text, len));
        FUZZ_CHECK(quarry_doc_format(doc) != NULL);
        FUZZ_CHECK(quarry_doc_source(doc) != NULL);
        FUZZ_CHECK(quarry_doc_encoding(doc) != NULL);
        (void)quarry_doc_record(doc);
        (void)quarry_doc_replaced(doc);
        n = quarry_doc_field_count(doc);
        for (i = 0; i < n; i++) {
            const quarry_field *f = quarry_doc_field(doc, i);
            FUZZ_CHECK(f != NULL);
            FUZZ_CHECK(f->name != NULL && f->text != NULL);
            FUZZ_CHECK(f->text[f->text_len] == '\0');
            FUZZ_CHECK(f->type >= QUARRY_FIELD_STRING &&
                       f->type <= QUARRY_FIELD_DATE);
            FUZZ_CHECK(quarry_doc_find_field(doc, f->name) != NULL);
        }
        FUZZ_CHECK(quarry_doc_field(doc, n) == NULL);
        quarry_doc_free(doc);
    } else {
        /* QUARRY_DONE: the buffer was skipped (empty, binary, ...). */
        FUZZ_CHECK(rc < 0 || rc == QUARRY_DONE);
        FUZZ_CHECK(doc == NULL);
        if (rc == QUARRY_DONE)
            FUZZ_CHECK(ev.kind == QUARRY_EVENT_SKIPPED && ev.reason != NULL);
        if (rc != QUARRY_ENOMEM)
            FUZZ_CHECK(ev.message != NULL);
    }
    quarry_env_free(env);
    return 0;
}
