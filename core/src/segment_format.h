/*
 * segment_format.h - the constants of the segment file layout: magic
 * numbers, header/footer/TOC sizes and offsets, section ids and their
 * parts, block sizes, the fixed-width per-document record. docs/format.md
 * describes the same layout in prose; the two must change together (and
 * QUARRY_FORMAT_VERSION with them).
 */
#ifndef QUARRY_SEGMENT_FORMAT_H
#define QUARRY_SEGMENT_FORMAT_H

#include "quarry.h"

/* File: header | sections ... | TOC | footer. All integers little-endian. */
#define QS_MAGIC "QRYSEG\0\0"      /* 8 bytes at offset 0 */
#define QS_FOOTER_MAGIC "QRYSEGnd" /* last 8 bytes of the file */
#define QS_MAGIC_LEN 8

/* header (64 bytes) */
#define QS_HEADER_SIZE 64
#define QS_H_MAGIC 0
#define QS_H_VERSION 8 /* u32 QUARRY_FORMAT_VERSION */
#define QS_H_HSIZE 12  /* u32 header size (64) */
#define QS_H_SEGID 16  /* u64 */
#define QS_H_DOCS 24   /* u64 documents */
#define QS_H_TOKENS 32 /* u64 tokens of all documents */
#define QS_H_TERMS 40  /* u64 dictionary terms */
#define QS_H_WORDS 48  /* u64 word-layer dictionary entries */
#define QS_H_NSEC 56   /* u32 sections in the TOC */
#define QS_H_FLAGS 60  /* u32, 0 */

/* footer (40 bytes) */
#define QS_FOOTER_SIZE 40
#define QS_F_TOC_OFF 0  /* u64 */
#define QS_F_TOC_LEN 8  /* u64 */
#define QS_F_TOC_XXH 16 /* u64 XXH3-64 of the TOC bytes */
#define QS_F_HDR_XXH 24 /* u64 XXH3-64 of the 64 header bytes */
#define QS_F_MAGIC 32

/* TOC entry (32 bytes): u32 id, u32 part, u64 offset, u64 length, u64 xxh */
#define QS_TOC_ENTRY 32

/* Section ids. Each appears at most once; all are required (an empty
 * section has length 0). */
enum {
    QS_SOURCES = 1,      /* NUL-terminated source strings */
    QS_DOCTABLE = 2,     /* fixed-width per-document records */
    QS_FIELD_NAMES = 3,  /* NUL-terminated field names */
    QS_FIELDS = 4,       /* per-document field records */
    QS_STORE = 5,        /* zstd frames of stored text */
    QS_STORE_INDEX = 6,  /* per block: offset, compressed and raw length */
    QS_TOKENS = 7,       /* per-document rank streams */
    QS_RANKS = 8,        /* rank -> (term ordinal, term length) */
    QS_OFFSETS = 9,      /* per-document byte offset streams */
    QS_STRUCTURE = 10,   /* per-document sentences, paragraphs, words */
    QS_POSTINGS = 11,    /* per-term postings lists */
    QS_TERMS = 12,       /* term dictionary blocks */
    QS_TERM_INDEX = 13,  /* per dictionary block: offset, postings base */
    QS_WORDS = 14,       /* word-layer dictionary blocks */
    QS_WORD_INDEX = 15,  /* per word dictionary block: offset, 0 */
    QS_WORD_RANKS = 16,  /* word rank -> u32 word ordinal */
    QS_TOKEN_CODES = 17, /* u8 Huffman code length per token symbol */
    QS_COUNT = 18        /* one past the largest id */
};

/* Part of each section id (for sizes); header, TOC and footer count as
 * QUARRY_PART_DOCS. */
static inline int qs_section_part(int id)
{
    switch (id) {
    case QS_SOURCES:
    case QS_DOCTABLE: return QUARRY_PART_DOCS;
    case QS_FIELD_NAMES:
    case QS_FIELDS: return QUARRY_PART_FIELDS;
    case QS_STORE:
    case QS_STORE_INDEX: return QUARRY_PART_STORE;
    case QS_TOKENS:
    case QS_RANKS:
    case QS_TOKEN_CODES: return QUARRY_PART_TOKENS;
    case QS_OFFSETS: return QUARRY_PART_OFFSETS;
    case QS_STRUCTURE:
    case QS_WORDS:
    case QS_WORD_INDEX:
    case QS_WORD_RANKS: return QUARRY_PART_STRUCTURE;
    case QS_POSTINGS: return QUARRY_PART_POSTINGS;
    default: return QUARRY_PART_TERMS;
    }
}

/* Per-document record in QS_DOCTABLE: 15 u64 fields. */
enum {
    QS_D_SOURCE = 0,  /* offset of the source in QS_SOURCES */
    QS_D_RECORD,      /* record number */
    QS_D_HASH,        /* content hash */
    QS_D_TOKENS,      /* token count */
    QS_D_TEXT,        /* text length in bytes */
    QS_D_SENTENCES,   /* sentence count */
    QS_D_PARAGRAPHS,  /* paragraph count */
    QS_D_WORDS,       /* word-layer unit count */
    QS_D_NFIELDS,     /* field count */
    QS_D_FIELDS,      /* offset of the field record in QS_FIELDS */
    QS_D_TOKSTREAM,   /* offset of the rank stream in QS_TOKENS */
    QS_D_OFFSTREAM,   /* offset of the offset stream in QS_OFFSETS */
    QS_D_STRUCT,      /* offset of the structure record in QS_STRUCTURE */
    QS_D_STORE_BLOCK, /* stored-text block */
    QS_D_STORE_OFF,   /* offset of the text in the decompressed block */
    QS_D_NUM
};
#define QS_DOC_SIZE (QS_D_NUM * 8)

/* Stored text: documents are appended to a block until it reaches
 * QS_STORE_BLOCK raw bytes; a longer document gets a block of its own.
 * QS_STORE_INDEX entry: u64 offset in QS_STORE, u64 compressed length,
 * u64 raw length. */
#define QS_STORE_BLOCK (64 * 1024)
#define QS_STORE_ENTRY 24
#define QS_ZSTD_LEVEL 1
/* hashLog 12 instead of level 1's 13 for 64 KiB inputs: measured on SOTU,
 * 14% faster compression for a 3.5% larger store (ratio 2.51 vs 2.60);
 * compression is a third of the builder's time. Readers do not care. */
#define QS_ZSTD_HASHLOG 12
/* zstd cannot expand more than this per compressed byte (RLE blocks of
 * 128 KiB in a few bytes); a larger claimed raw size is corrupt. */
#define QS_ZSTD_MAX_RATIO 65536

/* Per-document streams (tokens, offsets, spans, words) are cut into blocks
 * of QS_STREAM_BLOCK items for random access. */
#define QS_STREAM_BLOCK 128

/* QS_RANKS entry: u32 term ordinal, u16 term length. */
#define QS_RANK_ENTRY 6

/* Postings: blocks of QS_POSTINGS_BLOCK documents. */
#define QS_POSTINGS_BLOCK 128

/* Dictionaries: blocks of QS_DICT_BLOCK terms; index entry: u64 offset of
 * the block in the dictionary section, u64 postings offset of its first
 * term (0 in the word dictionary). */
#define QS_DICT_BLOCK 32
#define QS_DICT_INDEX_ENTRY 16

/* Packed date in QS_FIELDS: i32 year, month, day, hour, minute, second,
 * precision, has_zone, i16 zone_minutes. */
#define QS_DATE_SIZE 13

#endif
