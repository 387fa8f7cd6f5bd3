/* Messages (core/status): any length the code builds, control bytes
 * escaped, a message wrapped in another, the middle left out only past the
 * 64 KiB buffer. */
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "xpcs/core/status.h"

static char *text_of(size_t n, char c)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

int main(void)
{
    static xpcs_err err; /* 64 KiB: not on the stack of a test */
    test_cond("code returned", xpcs_fail(&err, XPCS_ERR_INPUT, "x") == XPCS_ERR_INPUT);
    test_cond("no err: code only", xpcs_fail(NULL, XPCS_ERR_USAGE, "x") == XPCS_ERR_USAGE);

    /* a 3-path message of 4 KiB paths (the longest the code builds) stays whole */
    char *p = text_of(4095, 'p');
    xpcs_fail(&err, XPCS_ERR_INPUT, "%s: cannot copy %s to %s: disk full", p, p, p);
    const size_t whole = strlen(err.msg);
    test_cond("three 4 KiB paths kept whole",
              whole == 3 * 4095 + strlen(":  cannot copy  to : disk full") - 1);
    test_cond("the reason at the end", strcmp(err.msg + whole - 9, "disk full") == 0);

    /* control bytes escaped: ESC, BEL, newline, DEL */
    xpcs_fail(&err, XPCS_ERR_INPUT, "%s: bad", "a\033[31mb\a\nc\x7f");
    test_cond("control bytes as \\xNN", strcmp(err.msg, "a\\x1b[31mb\\x07\\x0ac\\x7f: bad") == 0);
    char small[8];
    test_cond("escape: the length needed", xpcs_escape(small, sizeof small, "ab\033cd") == 8);
    test_cond("escape: cut between escapes", strcmp(small, "ab\\x1bc") == 0);
    test_cond("escape: cut before a whole escape",
              xpcs_escape(small, 5, "ab\033") == 6 && strcmp(small, "ab") == 0);

    /* a message wrapped in another (err is an argument) */
    xpcs_fail(&err, XPCS_ERR_INPUT, "inner %d", 7);
    xpcs_fail(&err, XPCS_ERR_INPUT, "outer (%s)", err.msg);
    test_cond("err as its own argument", strcmp(err.msg, "outer (inner 7)") == 0);

    /* past 64 KiB: start and end kept, the middle counted */
    char *huge = text_of(100000, 'h');
    huge[0] = 'S';
    xpcs_fail(&err, XPCS_ERR_INPUT, "%s: the reason", huge);
    const size_t n = strlen(err.msg);
    test_cond("fits the buffer", n < XPCS_ERR_LEN);
    test_cond("start kept", err.msg[0] == 'S');
    test_cond("reason kept", n > 12 && strcmp(err.msg + n - 12, ": the reason") == 0);
    test_cond("the cut said", strstr(err.msg, "bytes left out]") != NULL);
    /* escapes are not split at the cut */
    char *esc = text_of(40000, '\033');
    xpcs_fail(&err, XPCS_ERR_INPUT, "%s!", esc);
    const size_t m = strlen(err.msg);
    int whole_escapes = 1;
    for (const char *q = err.msg; *q && q < err.msg + m; q++)
        if (*q == '\\' && strncmp(q, "\\x1b", 4) != 0)
            whole_escapes = 0;
    test_cond("escapes whole on both sides of the cut", whole_escapes && err.msg[m - 1] == '!');
    free(p);
    free(huge);
    free(esc);
    return test_report();
}
