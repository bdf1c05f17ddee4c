/*
 * segment.h - one immutable index segment: built in memory from tokenized
 * documents, written once to one file, read back through mmap. Internal to
 * the core: the index layer (manifest, writer, snapshot) is its only user.
 * The byte layout is documented in docs/format.md.
 *
 * Ids inside a segment are local: documents 0 .. doc_count - 1 in the order
 * they were added; terms 0 .. term_count - 1 in bytewise sorted order.
 *
 * Every reading function treats the file as hostile: any offset, length,
 * count or varint that points outside its section, or any value out of range,
 * yields QUARRY_ECORRUPT with a message naming the file and the part, never
 * a crash, an endless loop or a wrong answer.
 */
#ifndef QUARRY_SEGMENT_H
#define QUARRY_SEGMENT_H

#include "internal.h"

/* Longest term kept in a dictionary, in bytes: longer normalized forms are
 * cut at a UTF-8 boundary (URLs and junk, never real words). */
#define QI_MAX_TERM 1024

/* A tokenized document ready to go into a segment. Everything is borrowed
 * for the duration of qi_segbuild_add and copied as needed. norm offsets of
 * tokens and words point into arena. */
typedef struct qi_docinput {
    const char *source; /* NUL-terminated */
    uint64_t record;
    uint64_t hash;
    const quarry_field *fields;
    size_t field_count;
    const char *text;
    size_t text_len;
    const quarry_token *tokens;
    size_t token_count;
    const char *arena;
    const quarry_span *sentences;
    size_t sentence_count;
    const quarry_span *paragraphs;
    size_t paragraph_count;
    const quarry_word *words; /* CJK word layer */
    size_t word_count;
} qi_docinput;

/* ---- building ---------------------------------------------------------- */

typedef struct qi_segbuild qi_segbuild;

int qi_segbuild_new(quarry_env *env, qi_segbuild **out);
void qi_segbuild_free(qi_segbuild *b);
const char *qi_segbuild_errmsg(const qi_segbuild *b);
/* Appends a document; its local id is the number of documents before it.
 * QUARRY_EINVAL (tokens, spans or words out of order or outside the
 * document, an empty word, a field without name or with an unknown type)
 * leaves the builder as it was; QUARRY_ENOMEM or QUARRY_ELIMIT (a document
 * of 2^32 tokens or more, 2^32 - 1 documents) part-way leaves it only
 * freeable. Text is compressed block by block as documents arrive. */
int qi_segbuild_add(qi_segbuild *b, const qi_docinput *doc);
uint64_t qi_segbuild_doc_count(const qi_segbuild *b);
/* Bytes of memory the builder holds now plus what qi_segbuild_write will
 * add on top (about 8 bytes per token), for the writer's budget. */
size_t qi_segbuild_memory(const qi_segbuild *b);
/* Writes the segment to path (created exclusively, then fsynced and
 * closed); the builder can then only be freed. */
int qi_segbuild_write(qi_segbuild *b, const char *path, uint64_t segment_id);

/* ---- reading ----------------------------------------------------------- */

/* An open segment: the mapping plus a one-block cache of decompressed
 * text and the message of the last failure, so one thread at a time per
 * segment (as for quarry_index). Pointers it returns (sources, field
 * names and texts) are borrowed from the mapping and stay valid until
 * qi_segment_close. */
typedef struct qi_segment qi_segment;

/* Maps the segment file at path and checks header, footer and table of
 * contents (O(1) in the segment's size). Errors: ENOENT, EIO, ECORRUPT,
 * EVERSION, ENOMEM; message in errmsg (QI_ERRMSG_SIZE bytes). */
int qi_segment_open(quarry_env *env, const char *path, qi_segment **out,
                    char *errmsg);
void qi_segment_close(qi_segment *seg);
const char *qi_segment_errmsg(const qi_segment *seg);

typedef struct qi_segment_stats {
    uint64_t segment_id;
    uint64_t doc_count;
    uint64_t token_count;
    uint64_t term_count;
    uint64_t word_term_count; /* distinct CJK word-layer forms */
    uint64_t file_bytes;
    uint64_t bytes[QUARRY_PART_COUNT]; /* per part (no DELETIONS/MANIFEST) */
} qi_segment_stats;

void qi_segment_stats_get(const qi_segment *seg, qi_segment_stats *out);

/* Verifies every checksum and the structure (what quarry_index_check asks). */
int qi_segment_verify(qi_segment *seg);

/* -- term dictionary -- */

typedef struct qi_term {
    uint64_t ordinal;   /* local term id */
    uint64_t doc_freq;  /* documents containing it */
    uint64_t coll_freq; /* occurrences */
    uint64_t postings;  /* offset of its postings in the postings part */
    uint64_t postings_len;
} qi_term;

/* Exact lookup: QUARRY_OK (found, *out filled), QUARRY_DONE (absent). */
int qi_segment_term_find(qi_segment *seg, const char *term, size_t len,
                         qi_term *out);
/* Ordinal of the first term >= text (term_count if none). */
int qi_segment_term_seek(qi_segment *seg, const char *text, size_t len,
                         uint64_t *ordinal);

/* Sequential walk over the dictionary from an ordinal; the term text is
 * rebuilt into it->text (QI_MAX_TERM + 1 bytes, NUL-terminated). */
typedef struct qi_termiter {
    qi_segment *seg;
    uint64_t next; /* ordinal of the term the next call returns */
    uint64_t pos;  /* decoder position inside the dictionary */
    qi_term term;
    size_t len;
    char text[QI_MAX_TERM + 1];
} qi_termiter;

int qi_termiter_start(qi_termiter *it, qi_segment *seg, uint64_t ordinal);
/* QUARRY_OK with it->term/text/len set, QUARRY_DONE at the end. */
int qi_termiter_next(qi_termiter *it);

/* The same for the CJK word-layer dictionary (counts only, no postings). */
int qi_segment_word_find(qi_segment *seg, const char *word, size_t len,
                         qi_term *out);
/* Word-layer term by ordinal (counts only; postings fields are 0). */
int qi_segment_word_at(qi_segment *seg, uint64_t ordinal, qi_term *out);

/* -- postings -- */

/* Decoder over one term's postings: documents ascending, each with its
 * frequency and, on request, its positions (token indexes, ascending).
 * Callers read only seg, doc and freq; the other members belong to the
 * implementation, which may change them freely. Lives on the caller's stack:
 * no allocation per term. */
typedef struct qi_postings {
    qi_segment *seg;
    uint64_t doc;  /* current document (after next/advance) */
    uint64_t freq; /* its frequency */
    /* decoder state, owned by the implementation */
    const unsigned char *p, *end;   /* next block header, end of the list */
    const unsigned char *dp, *dend; /* docs part of the current block */
    const unsigned char *pp;        /* positions bitstream of the block */
    uint64_t plen;                  /* its length in bytes */
    uint64_t pbit;                  /* next bit to read in it */
    uint64_t pos_cur;               /* bit where doc's positions start */
    unsigned pk;                    /* Rice parameter of the block */
    uint64_t remaining;             /* documents in blocks not yet entered */
    uint64_t block_left; /* documents of the current block not yet read */
    uint64_t base;       /* first possible doc of the current/next block */
    uint64_t block_last; /* last doc of the current block */
    uint64_t pos_budget; /* position bits not yet claimed by a freq */
    uint64_t pos_skip;   /* positions of earlier docs not yet skipped */
    int started;         /* a document has been returned */
    int positions_read;  /* positions of doc consumed already */
} qi_postings;

int qi_postings_start(qi_postings *pl, qi_segment *seg, const qi_term *term);
/* QUARRY_OK (pl->doc, pl->freq set), QUARRY_DONE, QUARRY_ECORRUPT. */
int qi_postings_next(qi_postings *pl);
/* Moves to the first document >= target, skipping whole blocks. */
int qi_postings_advance(qi_postings *pl, uint64_t target);
/* Decodes the pl->freq positions of the current document into pos (may be
 * called again for the same document). */
int qi_postings_positions(qi_postings *pl, uint64_t *pos);
/* Sets bit p - shift of bits for each position p of the current document
 * with shift <= p <= shift + span (bits holds span / 64 + 1 words). */
int qi_postings_positions_mark(qi_postings *pl, uint64_t shift,
                               uint64_t *bits, uint64_t span);
/* Writes to out, ascending, p - shift for each position p of the current
 * document with shift <= p <= shift + span whose bit p - shift is set in
 * bits; *kept of them. out has room for one more than the bits set. */
int qi_postings_positions_test(qi_postings *pl, uint64_t shift,
                               const uint64_t *bits, uint64_t span,
                               uint64_t *out, size_t *kept);

/* -- documents -- */

typedef struct qi_docmeta {
    const char *source; /* borrowed from the mapping, NUL-terminated */
    uint64_t record;
    uint64_t hash;
    uint64_t tokens;
    uint64_t text_bytes;
    uint64_t sentences;
    uint64_t paragraphs;
    uint64_t words; /* word-layer units */
    size_t field_count;
} qi_docmeta;

int qi_segment_doc_meta(qi_segment *seg, uint64_t doc, qi_docmeta *out);
/* Field i of doc; strings borrowed from the mapping (NUL-terminated). */
int qi_segment_doc_field(qi_segment *seg, uint64_t doc, size_t i,
                         quarry_field *out);
/* The stored text of doc, borrowed from the segment's one-block cache: valid
 * until the next call that reads text from seg (no copy; for concordances). */
int qi_segment_doc_text_ref(qi_segment *seg, uint64_t doc, const char **text,
                            size_t *len);
/* Decompresses the stored text of doc into out (replacing its contents). */
int qi_segment_doc_text(qi_segment *seg, uint64_t doc, qi_buf *out);
/* Tokens [first, first + n) of doc, clamped; local term ids. */
int qi_segment_doc_tokens(qi_segment *seg, uint64_t doc, uint64_t first,
                          size_t n, uint32_t *ids, uint64_t *starts,
                          uint64_t *ends, size_t *got);
/* kind 0: sentences, 1: paragraphs; spans as token ranges. */
int qi_segment_doc_spans(qi_segment *seg, uint64_t doc, int kind,
                         uint64_t first, size_t n, quarry_span *spans,
                         size_t *got);
/* Word-layer units of doc: token ranges and local word-term ordinals. */
int qi_segment_doc_words(qi_segment *seg, uint64_t doc, uint64_t first,
                         size_t n, quarry_span *spans, uint32_t *word_ids,
                         size_t *got);
/* Text of a word-layer term by ordinal, into buf (QI_MAX_TERM + 1). */
int qi_segment_word_text(qi_segment *seg, uint64_t ordinal, char *buf,
                         size_t *len);
/* Text of a dictionary term by ordinal, into buf (QI_MAX_TERM + 1). */
int qi_segment_term_text(qi_segment *seg, uint64_t ordinal, char *buf,
                         size_t *len);

#endif
