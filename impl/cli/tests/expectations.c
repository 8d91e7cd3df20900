#include "expectations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *path, int line, const char *what)
{
    fprintf(stderr, "%s:%d: %s\n", path, line, what);
    abort();
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Undoes gen_expectations.py's escape(): \\ \n \t \xHH. */
static struct bytes unescape(const char *s, const char *path, int line)
{
    size_t n = strlen(s);
    struct bytes b = { malloc(n + 1), 0 };
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\') {
            char k = s[++i];
            if (k == '\\') c = '\\';
            else if (k == 'n') c = '\n';
            else if (k == 't') c = '\t';
            else if (k == 'x' && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
                c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
                i += 2;
            } else {
                die(path, line, "bad escape");
            }
        }
        b.data[b.len++] = c;
    }
    b.data[b.len] = '\0';
    return b;
}

void expectations_load(const char *path, struct expectations *e)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        die(path, 0, "cannot open");
    }
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    ssize_t got;
    int lineno = 0;
    struct expect_case *c = NULL;

    memset(e, 0, sizeof(*e));
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (got > 0 && line[got - 1] == '\n') {
            line[--got] = '\0';
        }
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        char *sp = strchr(line, ' ');
        const char *val = sp ? sp + 1 : "";
        if (sp) {
            *sp = '\0';
        }
        if (strcmp(line, "case") == 0) {
            if (e->count == alloc) {
                alloc = alloc ? alloc * 2 : 256;
                e->cases = realloc(e->cases, alloc * sizeof(*e->cases));
            }
            c = &e->cases[e->count];
            memset(c, 0, sizeof(*c));
            c->id = atoi(val);
            continue;
        }
        if (!c) {
            die(path, lineno, "field outside a case");
        }
        struct bytes b = unescape(val, path, lineno);
        if (strcmp(line, "compat") == 0) {
            c->compat = b.data;
        } else if (strcmp(line, "argv0") == 0) {
            c->argv0 = b.data;
        } else if (strcmp(line, "env") == 0) {
            c->env = b.data;
        } else if (strcmp(line, "arg") == 0) {
            c->args = realloc(c->args, (size_t)(c->nargs + 1) * sizeof(char *));
            c->args[c->nargs++] = b.data;
        } else if (strcmp(line, "status") == 0) {
            c->status = atoi(b.data);
            free(b.data);
        } else if (strcmp(line, "stdout") == 0) {
            c->out = b;
        } else if (strcmp(line, "stderr") == 0) {
            c->err = b;
        } else if (strcmp(line, "end") == 0) {
            free(b.data);
            if (!c->compat || !c->argv0 || !c->out.data || !c->err.data) {
                die(path, lineno, "incomplete case");
            }
            e->count++;
            c = NULL;
        } else {
            die(path, lineno, "unknown field");
        }
    }
    free(line);
    fclose(f);
}

void expectations_free(struct expectations *e)
{
    for (size_t i = 0; i < e->count; i++) {
        struct expect_case *c = &e->cases[i];
        free(c->compat);
        free(c->argv0);
        free(c->env);
        for (int j = 0; j < c->nargs; j++) {
            free(c->args[j]);
        }
        free(c->args);
        free(c->out.data);
        free(c->err.data);
    }
    free(e->cases);
    memset(e, 0, sizeof(*e));
}
