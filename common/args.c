/* args.c - see args.h. */
#define _POSIX_C_SOURCE 200809L
#include "args.h"
#include "error.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Show at most this much of a bad value in a message. */
#define SHOWN 24

long long arg_int(const char *option, const char *text, long long min, long long max)
{
    if (text == NULL || text[0] == '\0')
        usage_error("%s: empty value", option);
    /* strtoll would skip leading blanks and accept '+': we do not. */
    if (!(isdigit((unsigned char)text[0]) || (text[0] == '-' && isdigit((unsigned char)text[1]))))
        usage_error("%s: '%.*s' is not a whole number", option, SHOWN, text);

    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (*end != '\0')
        usage_error("%s: '%.*s' has trailing characters '%.*s'", option, SHOWN, text, SHOWN, end);
    if (errno == ERANGE)
        usage_error("%s: '%.*s' is too %s", option, SHOWN, text, value < 0 ? "small" : "large");
    if (value < min || value > max)
        usage_error("%s: %lld is out of range (%lld to %lld)", option, value, min, max);
    return value;
}

/* Nanoseconds in one unit, or 0 when `unit` is not a known unit. */
static long long unit_ns(const char *unit)
{
    static const struct { const char *name; long long ns; } units[] = {
        { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].name) == 0)
            return units[i].ns;
    return 0;
}

/* Print a duration in the unit a reader would use, for range messages. */
static void format_ns(char *buf, size_t size, long long ns)
{
    if (ns % 1000000000 == 0)
        snprintf(buf, size, "%llds", ns / 1000000000);
    else if (ns % 1000000 == 0)
        snprintf(buf, size, "%lldms", ns / 1000000);
    else if (ns % 1000 == 0)
        snprintf(buf, size, "%lldus", ns / 1000);
    else
        snprintf(buf, size, "%lldns", ns);
}

long long arg_duration_ns(const char *option, const char *text, long long min_ns, long long max_ns)
{
    if (text == NULL || text[0] == '\0')
        usage_error("%s: empty value", option);
    const char *p = text;
    bool negative = false;
    if (*p == '-') {
        negative = true;
        p++;
    }
    if (!isdigit((unsigned char)*p))
        usage_error("%s: '%.*s' is not a duration (like 500us, 5ms or 2s)", option, SHOWN, text);

    /* Whole part, checked for overflow digit by digit. */
    long long whole = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > (LLONG_MAX - (*p - '0')) / 10)
            usage_error("%s: '%.*s' is too large", option, SHOWN, text);
        whole = whole * 10 + (*p - '0');
    }
    /* Fraction: up to 9 digits are enough for nanoseconds of any unit. */
    long long frac = 0, frac_scale = 1;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            usage_error("%s: '%.*s' is not a duration (like 500us, 5ms or 2s)", option, SHOWN, text);
        for (; isdigit((unsigned char)*p); p++) {
            if (frac_scale < 1000000000) {
                frac = frac * 10 + (*p - '0');
                frac_scale *= 10;
            }
        }
    }
    if (*p == '\0')
        usage_error("%s: '%.*s' needs a unit (ns, us, ms or s)", option, SHOWN, text);
    long long unit = unit_ns(p);
    if (unit == 0)
        usage_error("%s: '%.*s' has an unknown unit '%.*s' (use ns, us, ms or s)", option, SHOWN,
                    text, SHOWN, p);
    if (whole > LLONG_MAX / unit)
        usage_error("%s: '%.*s' is too large", option, SHOWN, text);
    long long ns = whole * unit + frac * unit / frac_scale;
    if (negative)
        ns = -ns;
    if (ns < min_ns || ns > max_ns) {
        char lo[32], hi[32];
        format_ns(lo, sizeof lo, min_ns);
        format_ns(hi, sizeof hi, max_ns);
        usage_error("%s: '%.*s' is out of range (%s to %s)", option, SHOWN, text, lo, hi);
    }
    return ns;
}

/* Copy the next comma-separated item of `text` into buf; NULL after the last. */
static const char *next_item(const char *option, const char *text, const char *item, char *buf,
                             size_t size)
{
    const char *comma = strchr(item, ',');
    size_t len = comma ? (size_t)(comma - item) : strlen(item);
    if (len == 0)
        usage_error("%s: empty item in list '%.*s'", option, SHOWN * 2, text);
    if (len >= size)
        usage_error("%s: '%.*s' is too long", option, SHOWN, item);
    memcpy(buf, item, len);
    buf[len] = '\0';
    return comma ? comma + 1 : NULL;
}

/* A list of values, each parsed by `parse` (arg_int or arg_duration_ns). */
static size_t parse_list(const char *option, const char *text, long long min, long long max,
                         long long *out, size_t capacity,
                         long long (*parse)(const char *, const char *, long long, long long))
{
    if (text == NULL || text[0] == '\0')
        usage_error("%s: empty value", option);
    size_t count = 0;
    for (const char *item = text; item;) {
        char buf[64];
        if (count == capacity)
            usage_error("%s: more than %zu values", option, capacity);
        item = next_item(option, text, item, buf, sizeof buf);
        out[count++] = parse(option, buf, min, max);
    }
    return count;
}

size_t arg_int_list(const char *option, const char *text, long long min, long long max,
                    long long *out, size_t capacity)
{
    return parse_list(option, text, min, max, out, capacity, arg_int);
}

size_t arg_duration_list(const char *option, const char *text, long long min_ns,
                         long long max_ns, long long *out, size_t capacity)
{
    return parse_list(option, text, min_ns, max_ns, out, capacity, arg_duration_ns);
}

int arg_choice(const char *option, const char *text, const char *const choices[])
{
    if (text == NULL || text[0] == '\0')
        usage_error("%s: empty value", option);
    for (int i = 0; choices[i]; i++)
        if (strcmp(text, choices[i]) == 0)
            return i;
    char list[256] = "";
    for (int i = 0; choices[i]; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    usage_error("%s: unknown value '%.*s' (choose from %s)", option, SHOWN, text, list);
}

void arg_choice_list(const char *option, const char *text, const char *const choices[],
                     bool chosen[])
{
    if (text == NULL || text[0] == '\0')
        usage_error("%s: empty value", option);
    for (int i = 0; choices[i]; i++)
        chosen[i] = false;
    for (const char *item = text; item;) {
        char buf[64];
        item = next_item(option, text, item, buf, sizeof buf);
        chosen[arg_choice(option, buf, choices)] = true;
    }
}

const char *arg_path(const char *option, const char *text)
{
    if (text == NULL || text[0] == '\0')
        usage_error("%s: empty value", option);
    return text;
}

void arg_reject(int getopt_result, char *const argv[])
{
    /* getopt_long leaves the offending word just before optind. */
    const char *word = argv[optind - 1];
    if (getopt_result == ':')
        usage_error("option '%s' needs a value", word);
    if (optopt != 0 && !(word[0] == '-' && word[1] == '-'))
        usage_error("unknown option '-%c'", optopt);
    usage_error("unknown option '%s'", word);
}

void arg_no_operands(int argc, char *const argv[])
{
    if (optind < argc)
        usage_error("unexpected argument '%.*s'", SHOWN, argv[optind]);
}
