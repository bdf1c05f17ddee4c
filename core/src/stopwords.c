/*
 * stopwords.c - stop lists for the counting analyses: built-in English and
 * Chinese function words, user words and word files (quarry.h, "Frequency
 * lists, n-grams, keyness, lexical statistics").
 *
 * The built-in lists are our own, written for quarry. The English one was
 * modelled on the kinds of words in the Snowball English stop list
 * (snowballstem.org: pronouns, determiners, auxiliaries, prepositions,
 * conjunctions, common adverbs) with the contractions our tokenizer keeps
 * whole (don't, it's) and a few frequent modal and discourse words added;
 * the Chinese one on the function words of common Chinese stop lists
 * (the HIT and Baidu lists circulated with Chinese NLP tools): structural
 * and aspect particles, pronouns, prepositions, conjunctions, modal
 * particles and the most frequent adverbs. Neither list copies a file.
 *
 * Lookups lowercase ASCII letters, because surface forms keep their case
 * while the normalized forms the lists are compared with are case-folded.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const english[] = {
    "a",        "about",      "above",   "after",    "again",     "against",
    "all",      "also",       "am",      "an",       "and",       "any",
    "are",      "aren't",     "as",      "at",       "be",        "because",
    "been",     "before",     "being",   "below",    "between",   "both",
    "but",      "by",         "can",     "can't",    "cannot",    "could",
    "couldn't", "did",        "didn't",  "do",       "does",      "doesn't",
    "doing",    "don't",      "down",    "during",   "each",      "either",
    "else",     "even",       "ever",    "every",    "few",       "for",
    "from",     "further",    "had",     "hadn't",   "has",       "hasn't",
    "have",     "haven't",    "having",  "he",       "he'd",      "he'll",
    "he's",     "her",        "here",    "hers",     "herself",   "him",
    "himself",  "his",        "how",     "however",  "i",         "i'd",
    "i'll",     "i'm",        "i've",    "if",       "in",        "into",
    "is",       "isn't",      "it",      "it's",     "its",       "itself",
    "just",     "let's",      "may",     "me",       "might",     "more",
    "most",     "much",       "must",    "my",       "myself",    "neither",
    "no",       "nor",        "not",     "now",      "of",        "off",
    "on",       "once",       "one",     "only",     "or",        "other",
    "others",   "ought",      "our",     "ours",     "ourselves", "out",
    "over",     "own",        "per",     "rather",   "same",      "shall",
    "she",      "she'd",      "she'll",  "she's",    "should",    "shouldn't",
    "since",    "so",         "some",    "such",     "than",      "that",
    "that's",   "the",        "their",   "theirs",   "them",      "themselves",
    "then",     "there",      "there's", "these",    "they",      "they'd",
    "they'll",  "they're",    "they've", "this",     "those",     "though",
    "through",  "thus",       "to",      "too",      "toward",    "towards",
    "under",    "until",      "up",      "upon",     "us",        "very",
    "via",      "was",        "wasn't",  "we",       "we'd",      "we'll",
    "we're",    "we've",      "were",    "weren't",  "what",      "what's",
    "when",     "where",      "whether", "which",    "while",     "who",
    "whom",     "whose",      "why",     "will",     "with",      "within",
    "without",  "won't",      "would",   "wouldn't", "yet",       "you",
    "you'd",    "you'll",     "you're",  "you've",   "your",      "yours",
    "yourself", "yourselves",
};

static const char *const chinese[] = {
    "的",   "地",   "得",   "了",   "着",   "过",   "之",   "所",   "是",
    "在",   "有",   "和",   "与",   "及",   "或",   "而",   "并",   "且",
    "也",   "都",   "就",   "还",   "又",   "再",   "才",   "只",   "仅",
    "已",   "曾",   "将",   "把",   "被",   "让",   "给",   "对",   "向",
    "从",   "自",   "由",   "于",   "以",   "为",   "因",   "按",   "到",
    "至",   "其",   "此",   "这",   "那",   "该",   "各",   "每",   "某",
    "我",   "你",   "您",   "他",   "她",   "它",   "们",   "谁",   "哪",
    "吗",   "呢",   "吧",   "啊",   "呀",   "嘛",   "哦",   "么",   "等",
    "不",   "没",   "很",   "更",   "最",   "太",   "则",   "即",   "我们",
    "你们", "他们", "她们", "它们", "自己", "这个", "那个", "这些", "那些",
    "这样", "那样", "这种", "什么", "怎么", "怎样", "如何", "因为", "所以",
    "因此", "如果", "虽然", "但是", "然而", "而且", "并且", "以及", "或者",
    "还是", "就是", "不是", "不仅", "而是", "通过", "根据", "按照", "关于",
    "对于", "由于", "为了", "以便", "之间", "之后", "以后", "之前", "以前",
    "其中", "其他", "另外", "此外", "同时", "然后", "可以", "可能", "应该",
    "能够", "已经", "正在", "没有", "非常", "一个", "一些", "一种", "等等",
};

/* An open-addressing set of copied words. */
typedef struct slot {
    char *word; /* NULL: empty */
    size_t len;
    uint64_t hash;
} slot;

struct quarry_stopwords {
    quarry_env *env;
    slot *slots;
    size_t cap; /* power of two */
    size_t n;
    char errmsg[QI_ERRMSG_SIZE];
};

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    size_t i;
    for (i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

int quarry_stopwords_new(quarry_env *env, quarry_stopwords **out)
{
    quarry_stopwords *sw = qi_calloc(env, 1, sizeof *sw);
    *out = NULL;
    if (!sw)
        goto oom;
    sw->env = env;
    sw->cap = 256;
    sw->slots = qi_calloc(env, sw->cap, sizeof *sw->slots);
    if (!sw->slots) {
        qi_free(env, sw, sizeof *sw);
        goto oom;
    }
    *out = sw;
    return QUARRY_OK;
oom:
    qi_set_error(env->errmsg, "stop words: out of memory");
    return QUARRY_ENOMEM;
}

void quarry_stopwords_free(quarry_stopwords *sw)
{
    size_t i;
    if (!sw)
        return;
    for (i = 0; i < sw->cap; i++)
        if (sw->slots[i].word)
            qi_free(sw->env, sw->slots[i].word, sw->slots[i].len + 1);
    qi_free(sw->env, sw->slots, sw->cap * sizeof *sw->slots);
    qi_free(sw->env, sw, sizeof *sw);
}

const char *quarry_stopwords_errmsg(const quarry_stopwords *sw)
{
    return sw ? sw->errmsg : "";
}

size_t quarry_stopwords_count(const quarry_stopwords *sw)
{
    return sw ? sw->n : 0;
}

static slot *find(const quarry_stopwords *sw, const char *w, size_t len,
                  uint64_t h)
{
    size_t mask = sw->cap - 1, i = (size_t)h & mask;
    for (;;) {
        slot *s = &sw->slots[i];
        if (!s->word ||
            (s->hash == h && s->len == len && memcmp(s->word, w, len) == 0))
            return s;
        i = (i + 1) & mask;
    }
}

static int grow(quarry_stopwords *sw)
{
    size_t cap = sw->cap * 2, i;
    slot *old = sw->slots, *fresh = qi_calloc(sw->env, cap, sizeof *fresh);
    size_t old_cap = sw->cap;
    if (!fresh)
        return QUARRY_ENOMEM;
    sw->slots = fresh;
    sw->cap = cap;
    for (i = 0; i < old_cap; i++)
        if (old[i].word)
            *find(sw, old[i].word, old[i].len, old[i].hash) = old[i];
    qi_free(sw->env, old, old_cap * sizeof *old);
    return QUARRY_OK;
}

/* Lowercases ASCII letters of w into buf (QI_ERRMSG_SIZE is not involved:
 * words longer than the buffer are compared as they are). */
static const char *lower(const char *w, size_t len, char *buf, size_t size)
{
    size_t i;
    int upper = 0;
    for (i = 0; i < len && !upper; i++)
        upper = w[i] >= 'A' && w[i] <= 'Z';
    if (!upper || len > size)
        return w;
    for (i = 0; i < len; i++)
        buf[i] = (w[i] >= 'A' && w[i] <= 'Z') ? (char)(w[i] + 32) : w[i];
    return buf;
}

int quarry_stopwords_add(quarry_stopwords *sw, const char *word, size_t len)
{
    char buf[256];
    const char *w;
    uint64_t h;
    slot *s;
    if (!word || len == 0 || !quarry_utf8_valid(word, len)) {
        qi_set_error(sw->errmsg, "stop words: %s",
                     !word || !len ? "empty word" : "word is not UTF-8");
        return QUARRY_EINVAL;
    }
    w = lower(word, len, buf, sizeof buf);
    h = hash_bytes(w, len);
    s = find(sw, w, len, h);
    if (s->word)
        return QUARRY_OK;
    if ((sw->n + 1) * 4 > sw->cap * 3) {
        if (grow(sw) != QUARRY_OK)
            goto oom;
        s = find(sw, w, len, h);
    }
    s->word = qi_strndup(sw->env, w, len);
    if (!s->word)
        goto oom;
    s->len = len;
    s->hash = h;
    sw->n++;
    return QUARRY_OK;
oom:
    qi_set_error(sw->errmsg, "stop words: out of memory");
    return QUARRY_ENOMEM;
}

int quarry_stopwords_contains(const quarry_stopwords *sw, const char *word,
                              size_t len)
{
    char buf[256];
    const char *w;
    if (!sw || !sw->n || !word)
        return 0;
    w = lower(word, len, buf, sizeof buf);
    return find(sw, w, len, hash_bytes(w, len))->word != NULL;
}

const char *const *quarry_stopwords_builtin(const char *name, size_t *count)
{
    if (name && strcmp(name, "en") == 0) {
        *count = sizeof english / sizeof *english;
        return english;
    }
    if (name && strcmp(name, "zh") == 0) {
        *count = sizeof chinese / sizeof *chinese;
        return chinese;
    }
    *count = 0;
    return NULL;
}

int quarry_stopwords_add_builtin(quarry_stopwords *sw, const char *name)
{
    const char *const *list;
    size_t n, i;
    int rc;
    if (name && strcmp(name, "all") == 0) {
        rc = quarry_stopwords_add_builtin(sw, "en");
        return rc == QUARRY_OK ? quarry_stopwords_add_builtin(sw, "zh") : rc;
    }
    list = quarry_stopwords_builtin(name, &n);
    if (!list) {
        qi_set_error(sw->errmsg,
                     "stop words: no built-in list \"%s\" (en, zh or all)",
                     name ? name : "");
        return QUARRY_EINVAL;
    }
    for (i = 0; i < n; i++)
        if ((rc = quarry_stopwords_add(sw, list[i], strlen(list[i]))) !=
            QUARRY_OK)
            return rc;
    return QUARRY_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

int quarry_stopwords_add_file(quarry_stopwords *sw, const char *path)
{
    FILE *fp = fopen(path, "rb");
    qi_buf line = {0};
    uint64_t lineno = 0;
    int rc = QUARRY_OK, c;
    if (!fp) {
        int e = errno;
        qi_set_error(sw->errmsg, "stop words: cannot open %s: %s", path,
                     strerror(e));
        return e == ENOENT ? QUARRY_ENOENT : QUARRY_EIO;
    }
    do {
        const char *s;
        size_t len;
        line.len = 0;
        while ((c = getc(fp)) != EOF && c != '\n')
            if (!qi_buf_push(sw->env, &line, (char)c)) {
                rc = QUARRY_ENOMEM;
                qi_set_error(sw->errmsg, "stop words: out of memory");
                goto done;
            }
        lineno++;
        s = line.data;
        len = line.len;
        if (lineno == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3; /* a byte order mark */
            len -= 3;
        }
        while (len && is_space(*s)) {
            s++;
            len--;
        }
        while (len && is_space(s[len - 1]))
            len--;
        if (len == 0 || *s == '#')
            continue;
        if (!quarry_utf8_valid(s, len)) {
            qi_set_error(sw->errmsg, "stop words: %s:%llu: not UTF-8", path,
                         (unsigned long long)lineno);
            rc = QUARRY_EINVAL;
            goto done;
        }
        if ((rc = quarry_stopwords_add(sw, s, len)) != QUARRY_OK)
            goto done;
    } while (c != EOF);
    if (ferror(fp)) {
        qi_set_error(sw->errmsg, "stop words: cannot read %s", path);
        rc = QUARRY_EIO;
    }
done:
    qi_buf_free(sw->env, &line);
    fclose(fp);
    return rc;
}
