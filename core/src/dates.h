/*
 * dates.h - what the date recognizer's units share (dates.c reads English
 * forms and drives the scan, dates_zh.c reads Chinese forms). Not installed.
 */
#ifndef QUARRY_DATES_H
#define QUARRY_DATES_H

#include "internal.h"

/* Years a text date may have. Four digits only: shorter numbers are too
 * often counts, and no text of ours dates itself past 2999. */
#define QI_DATE_YEAR_MIN 1000
#define QI_DATE_YEAR_MAX 2999

/* One form read at a position, before its year is settled. Parts the text
 * did not give are 0. */
typedef struct qi_date_match {
    size_t end;      /* one past the last byte of the mention */
    int32_t year;    /* 0: no year in the text */
    int month;       /* 0 for a year alone */
    int day;         /* 0 for a month or a year */
    int until_month; /* range end ("11 to 12"): month and day, 0 if none */
    int until_day;
    int32_t until_year; /* 0: the year of the start */
} qi_date_match;

/* Days of month (1-12) in year; a year of 0 (not known yet) allows
 * February 29, which the year decided later may still reject. */
int qi_days_in_month(int32_t year, int month);

/* Byte length of the white space character at s[p] (ASCII blanks, line
 * breaks, U+00A0, U+3000), or 0. */
size_t qi_date_space(const unsigned char *s, size_t len, size_t p);

/* Reads a Chinese date at p ("2023年9月7日", "２０２３年９月", "9月7日",
 * "九月七日", "2023年", "12月11日至12日"). p is at an ASCII digit, a
 * full-width digit or a Chinese numeral that no digit or numeral precedes.
 * Fills *m and returns true on a match. */
bool qi_date_match_zh(const unsigned char *s, size_t len, size_t p,
                      qi_date_match *m);

/* 1 if the bytes at p start a full-width digit or a Chinese numeral (the
 * kinds of character a Chinese date may start with). Returns the length of
 * that character, else 0. */
size_t qi_date_zh_digit(const unsigned char *s, size_t len, size_t p);

#endif
