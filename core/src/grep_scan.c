/*
 * grep_scan.c - the scan of one buffer that file scans (grep.c) and index
 * scans (grep_index.c) share: successive matches with the iteration rule of
 * grep tools, and line numbers counted incrementally between hits.
 */
#define _GNU_SOURCE /* memrchr */
#include "regex.h"

#include <string.h>

static uint64_t count_newlines(const char *text, size_t from, size_t to)
{
    uint64_t n = 0;
    const char *p = text + from, *stop = text + to;
    while (p < stop && (p = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

int qi_grep_scan(quarry_regex *re, const char *text, size_t from, size_t to,
                 int want_lines, qi_grep_sink sink, void *ud,
                 qi_grep_scan_result *r)
{
    size_t pos = from, prev_end = SIZE_MAX;
    size_t counted_to = from; /* newlines before here are in line */
    size_t line_start = from, line_end = from;
    uint64_t line = 0;
    int have_line = 0;

    memset(r, 0, sizeof *r);
    while (pos <= to) {
        size_t s, e;
        int rc = quarry_regex_next(re, text, to, pos, &s, &e);
        if (rc == QUARRY_DONE)
            break;
        if (rc != QUARRY_OK) {
            if (rc == QUARRY_ELIMIT)
                r->error_line = line + count_newlines(text, counted_to, s);
            return rc;
        }
        /* as in rg and Lua's gmatch: no empty match right where the
         * previous match ended */
        if (s == e && s == prev_end) {
            pos = s + qi_regex_char_len(text, to, s);
            continue;
        }
        r->hits++;
        if (want_lines) {
            line += count_newlines(text, counted_to, s);
            counted_to = s;
            if (!have_line || s > line_end) {
                const char *nl =
                    s > from ? memrchr(text + from, '\n', s - from) : NULL;
                line_start = nl ? (size_t)(nl - text) + 1 : from;
                nl = memchr(text + s, '\n', to - s);
                line_end = nl ? (size_t)(nl - text) : to;
                have_line = 1;
            }
        }
        if (sink) {
            rc = sink(ud, s, e, line, line_start, line_end);
            if (rc < 0)
                return rc;
            if (rc > 0) {
                r->stopped = 1;
                break;
            }
        }
        prev_end = e;
        pos = e > s ? e : s + qi_regex_char_len(text, to, s);
    }
    if (want_lines)
        r->newlines = line + count_newlines(text, counted_to, to);
    return QUARRY_OK;
}
