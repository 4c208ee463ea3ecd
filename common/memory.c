/* memory.c - see memory.h. */
#define _POSIX_C_SOURCE 200809L
#include "memory.h"

#include <stdio.h>
#include <string.h>

long status_kib(pid_t pid, const char *field)
{
    char path[64], line[256];
    if (pid == 0)
        snprintf(path, sizeof path, "/proc/self/status");
    else
        snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1; /* gone meanwhile, or no /proc */
    size_t len = strlen(field);
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            if (sscanf(line + len + 1, "%ld", &kib) != 1)
                kib = -1;
            break;
        }
    fclose(f);
    return kib;
}
