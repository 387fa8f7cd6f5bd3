/* Config files (config/yaml): the limits that keep a hostile file from
 * taking the run's memory or time -- depth, values, aliases counted as what
 * they copy -- and duplicate keys in YAML and JSON; a file that is a FIFO
 * or a directory refused without blocking. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testhelp.h"
#include "xpcs/config/yaml.h"

static xpcs_err err;

static int yaml_ok(const char *text)
{
    cJSON *j = NULL;
    xpcs_status st = xpcs_yaml_parse(text, strlen(text), "t.yaml", &j, &err);
    cJSON_Delete(j);
    return st == XPCS_OK;
}

static int yaml_fails(const char *text, const char *msg)
{
    cJSON *j = NULL;
    xpcs_status st = xpcs_yaml_parse(text, strlen(text), "t.yaml", &j, &err);
    cJSON_Delete(j);
    if (st == XPCS_ERR_USAGE && !j && strstr(err.msg, msg))
        return 1;
    printf("  status %d, message \"%s\", expected \"%s\"\n", st, err.msg, msg);
    return 0;
}

static int json_fails(const char *text, const char *msg)
{
    cJSON *j = NULL;
    xpcs_status st = xpcs_json_parse(text, strlen(text), "t.json", &j, &err);
    cJSON_Delete(j);
    if (st == XPCS_ERR_USAGE && !j && strstr(err.msg, msg))
        return 1;
    printf("  status %d, message \"%s\", expected \"%s\"\n", st, err.msg, msg);
    return 0;
}

/* "k: " then n opening and n closing brackets */
static char *nested(int n, char open, char close)
{
    char *s = malloc((size_t)2 * n + 8);
    strcpy(s, "k: ");
    memset(s + 3, open, (size_t)n);
    memset(s + 3 + n, close, (size_t)n);
    s[3 + 2 * n] = '\0';
    return s;
}

/* An alias chain: level 0 holds w words, each further level w aliases of
 * the one before: w^(levels) values in all. */
static char *alias_chain(int levels, int w)
{
    char *s = malloc(4096), *p = s;
    p += sprintf(p, "a0: &a0 [");
    for (int i = 0; i < w; i++)
        p += sprintf(p, "%sx", i ? "," : "");
    p += sprintf(p, "]\n");
    for (int l = 1; l < levels; l++) {
        p += sprintf(p, "a%d: &a%d [", l, l);
        for (int i = 0; i < w; i++)
            p += sprintf(p, "%s*a%d", i ? "," : "", l - 1);
        p += sprintf(p, "]\n");
    }
    return s;
}

int main(void)
{
    /* depth: 32 levels under the top mapping are fine, 33 are not */
    char *d32 = nested(32, '[', ']'), *d33 = nested(33, '[', ']');
    test_cond("YAML 32 levels deep", yaml_ok(d32));
    test_cond("YAML 33 levels refused", yaml_fails(d33, "t.yaml: line 1: nested too deeply"));
    free(d32);
    free(d33);
    char *deep = nested(500000, '[', ']');
    clock_t t0 = clock();
    test_cond("YAML 500 000 deep refused", yaml_fails(deep, "nested too deeply"));
    test_cond("... at once (< 1 s of CPU)", (double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    free(deep);

    /* the value budget: aliases count as what they copy */
    char *fits = alias_chain(4, 9); /* 9 + 81 + 729 + 6561 values + containers: fits */
    char *bomb = alias_chain(9, 9); /* 9^9 = 387 million values */
    test_cond("aliases within the budget", yaml_ok(fits));
    t0 = clock();
    test_cond("alias bomb refused", yaml_fails(bomb, "t.yaml: line 5: more than 10000 values"));
    test_cond("... at once", (double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    free(fits);
    free(bomb);
    cJSON *j = NULL;
    const char *copy = "a: &x {p: 1, q: [2, 3]}\nb: *x\n";
    test_cond("an alias copies its anchor",
              xpcs_yaml_parse(copy, strlen(copy), "t.yaml", &j, &err) == XPCS_OK &&
                  cJSON_GetObjectItem(cJSON_GetObjectItem(j, "b"), "q") &&
                  cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "b"), "q")) == 2);
    cJSON_Delete(j);
    test_cond("an alias before its anchor ends refused",
              yaml_fails("a: &x [1, *x]\n", "alias names no finished anchor: 'x'"));
    test_cond("an unknown alias refused", yaml_fails("a: *nope\n", "'nope'"));
    test_cond("YAML duplicate key refused",
              yaml_fails("a: 1\nb: 2\na: 3\n", "line 3: duplicate key 'a'"));
    test_cond("YAML duplicate key in a nested mapping",
              yaml_fails("s:\n  k: 1\n  k: 2\n", "duplicate key 'k'"));
    test_cond("a mapping as a key refused",
              yaml_fails("? {a: 1}\n: 2\n", "keys must be plain words"));
    test_cond("a second document is not read", yaml_ok("a: 1\n---\n[: bad\n"));

    /* JSON: duplicate keys, depth, values */
    test_cond("JSON duplicate key refused",
              json_fails("{\"a\": 1, \"b\": {\"c\": 1, \"c\": 2}}", "t.json: duplicate key 'c'"));
    char *jdeep = nested(40, '[', ']'); /* "k: [[...]]" -> {"k": [[...]]} */
    char *jtext = malloc(strlen(jdeep) + 8);
    sprintf(jtext, "{\"k\": %s}", jdeep + 3);
    test_cond("JSON deep refused", json_fails(jtext, "nested too deeply"));
    free(jdeep);
    free(jtext);
    char *many = malloc(200000);
    strcpy(many, "{\"a\": [0");
    for (int i = 0; i < 20000; i++)
        strcat(many + strlen(many) - 2, ",1"); /* strcat from near the end: linear */
    strcat(many, "]}");
    test_cond("JSON with 20000 values refused", json_fails(many, "more than 10000 values"));
    free(many);
    test_cond("JSON not an object", json_fails("[1, 2]", "not a JSON object"));

    /* files: a FIFO and a directory are refused without blocking; NUL bytes */
    char dir[] = "/tmp/xpcs-cfgfile-XXXXXX";
    if (mkdtemp(dir)) {
        char fifo[64], nul[64];
        snprintf(fifo, sizeof fifo, "%s/c.yaml", dir);
        snprintf(nul, sizeof nul, "%s/n.json", dir);
        mkfifo(fifo, 0600);
        FILE *f = fopen(nul, "wb");
        fwrite("{\"a\": \"x\0y\"}", 1, 12, f);
        fclose(f);
        test_cond("FIFO refused", xpcs_yaml_read_config(fifo, &j, &err) == XPCS_ERR_USAGE &&
                                      strstr(err.msg, "FIFO"));
        test_cond("directory refused", xpcs_yaml_read_config(dir, &j, &err) == XPCS_ERR_USAGE &&
                                           strstr(err.msg, "a directory"));
        test_cond("NUL byte refused", xpcs_yaml_read_config(nul, &j, &err) == XPCS_ERR_USAGE &&
                                          strstr(err.msg, "a NUL byte at byte 8"));
        unlink(fifo);
        unlink(nul);
        rmdir(dir);
    }
    return test_report();
}
