/*
 * field_stats.h - per-field profiles (unified type, count, range, distinct
 * values) accumulated one field value at a time. Shared by the corpus
 * summary (quarry_summary_field_get) and the index snapshot
 * (quarry_index_field_get) so both report fields the same way.
 */
#ifndef QUARRY_FIELD_STATS_H
#define QUARRY_FIELD_STATS_H

#include "internal.h"

typedef struct qi_fieldstats qi_fieldstats;

/* Creates empty stats; owned by the caller. QUARRY_OK or QUARRY_ENOMEM. */
int qi_fieldstats_new(quarry_env *env, qi_fieldstats **out);
void qi_fieldstats_free(qi_fieldstats *fs);
/* Counts one value of a field. f is only read during the call. Returns
 * QUARRY_OK, QUARRY_EINVAL (no name or unknown type) or QUARRY_ENOMEM. */
int qi_fieldstats_add(qi_fieldstats *fs, const quarry_field *f);
/* Distinct field names seen, in first-seen order. */
size_t qi_fieldstats_count(const qi_fieldstats *fs);
/* As quarry_summary_field_get; strings borrowed from fs until its next add
 * or free. QUARRY_EINVAL for i out of range. */
int qi_fieldstats_get(const qi_fieldstats *fs, size_t i,
                      quarry_summary_field *out);

#endif
