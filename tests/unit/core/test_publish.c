/* Unit tests of core/publish (safe publishing), core/fileutil (errno names,
 * copies) and core/signals (the stop flag): temporaries unique, exclusive
 * and never followed through links, mode from the umask, NEW never
 * replaces, REPLACE replaces a link without touching its target, stale
 * temporaries removed only when their writer is provably dead, rollback of
 * a transaction, a FIFO refused without blocking. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testhelp.h"
#include "xpcs/core/fileutil.h"
#include "xpcs/core/publish.h"
#include "xpcs/core/signals.h"

static char dir[] = "/tmp/xpcs-publish-XXXXXX";

static void put(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static int has(const char *path, const char *text)
{
    char buf[256] = "";
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strcmp(buf, text) == 0;
}

static mode_t mode_of(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0 ? sb.st_mode : 0;
}

/* Temporaries of final in dir (the writer's pattern). */
static int n_tmp(const char *final)
{
    char cmd[600];
    int n = 0;
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '^%s\\..*\\.tmp$'", dir,
             strrchr(final, '/') + 1);
    FILE *p = popen(cmd, "r");
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

static void test_begin_commit(void)
{
    char final[300], target[300];
    snprintf(final, sizeof final, "%s/A_results.hdf", dir);
    snprintf(target, sizeof target, "%s/victim", dir);
    xpcs_err err;
    xpcs_publish *p = NULL, *q = NULL;
    mode_t old = umask(077);
    test_cond("begin", xpcs_publish_begin(final, XPCS_PUBLISH_NEW, &p, &err) == XPCS_OK);
    umask(old);
    const char *t = xpcs_publish_tmp(p);
    test_cond("temporary beside the final name, named .<host>.<pid>.<random>.tmp",
              strncmp(t, final, strlen(final)) == 0 && strstr(t, ".tmp") &&
                  strlen(t) > strlen(final) + 20);
    test_cond("mode from the umask (077: 0600)", (mode_of(t) & 0777) == 0600);
    test_cond("a second writer gets another temporary",
              xpcs_publish_begin(final, XPCS_PUBLISH_NEW, &q, &err) == XPCS_OK &&
                  strcmp(xpcs_publish_tmp(p), xpcs_publish_tmp(q)) != 0);
    test_cond("open path reaches the temporary", access(xpcs_publish_open_path(p), F_OK) == 0);
    test_cond("write", xpcs_publish_write(p, "one", 3, &err) == XPCS_OK);
    test_cond("reserve", xpcs_publish_reserve(p, 1 << 20, &err) == XPCS_OK);
    test_cond("commit NEW", xpcs_publish_commit(&p, &err) == XPCS_OK && p == NULL);
    test_cond("published, content kept, reserve given back",
              has(final, "one") && S_ISREG(mode_of(final)));
    /* the second writer finds the result there at commit: not replaced */
    xpcs_publish_write(q, "two", 3, &err);
    test_cond("NEW never replaces a file that appeared meanwhile",
              xpcs_publish_commit(&q, &err) == XPCS_ERR_OUTPUT && strstr(err.msg, "exists") &&
                  has(final, "one"));
    test_cond("its temporary removed", n_tmp(final) == 0);

    /* a symbolic link at the final name */
    unlink(final);
    put(target, "victim", 0600);
    symlink(target, final);
    test_cond("begin (link at the final name)",
              xpcs_publish_begin(final, XPCS_PUBLISH_NEW, &p, &err) == XPCS_OK);
    xpcs_publish_write(p, "new", 3, &err);
    test_cond("NEW refuses a link at the final name",
              xpcs_publish_commit(&p, &err) == XPCS_ERR_OUTPUT && S_ISLNK(mode_of(final)));
    test_cond("REPLACE replaces the link itself",
              xpcs_publish_file(final, XPCS_PUBLISH_REPLACE, "new", 3, &err) == XPCS_OK &&
                  S_ISREG(mode_of(final)) && has(final, "new"));
    test_cond("the link's target untouched (content and mode)",
              has(target, "victim") && (mode_of(target) & 0777) == 0600);
    test_cond("no temporary left", n_tmp(final) == 0);

    /* abandon */
    test_cond("begin", xpcs_publish_begin(final, XPCS_PUBLISH_REPLACE, &p, &err) == XPCS_OK);
    char t2[400];
    snprintf(t2, sizeof t2, "%s", xpcs_publish_tmp(p));
    xpcs_publish_abandon(&p);
    test_cond("abandon removes the temporary", access(t2, F_OK) != 0 && p == NULL);
    unlink(final);
    unlink(target);
}

/* A child that begins a temporary of final; mode 0: exits at once
 * (dead writer), 1: stays alive holding it, 2: stays alive but drops its
 * lock.  Returns the child's pid; its temporary's name in tmp. */
static pid_t writer(const char *final, int mode, char *tmp, size_t n)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        xpcs_publish *p = NULL;
        xpcs_err e;
        if (xpcs_publish_begin(final, XPCS_PUBLISH_NEW, &p, &e) == XPCS_OK) {
            if (mode == 2)
                close(xpcs_publish_fd(p));
            (void)!write(fds[1], xpcs_publish_tmp(p), strlen(xpcs_publish_tmp(p)) + 1);
        }
        close(fds[1]);
        if (mode)
            pause();
        _exit(0);
    }
    close(fds[1]);
    ssize_t k = read(fds[0], tmp, n - 1);
    tmp[k > 0 ? k : 0] = '\0';
    close(fds[0]);
    if (mode == 0)
        waitpid(pid, NULL, 0);
    return pid;
}

static void test_stale(void)
{
    char final[300], dead[400], live[400], unlocked[400], mine[400];
    snprintf(final, sizeof final, "%s/B_results.hdf", dir);
    writer(final, 0, dead, sizeof dead);
    pid_t lp = writer(final, 1, live, sizeof live);
    pid_t up = writer(final, 2, unlocked, sizeof unlocked);
    xpcs_publish *p = NULL;
    xpcs_err err;
    xpcs_publish_begin(final, XPCS_PUBLISH_NEW, &p, &err);
    snprintf(mine, sizeof mine, "%s", p ? xpcs_publish_tmp(p) : "");
    char other[400]; /* not a temporary of final */
    snprintf(other, sizeof other, "%s.tmp", final);
    put(other, "x", 0644);
    test_cond("four temporaries", n_tmp(final) == 4 && dead[0] && live[0] && unlocked[0]);
    test_cond("only the dead writer's temporary is removed",
              xpcs_publish_remove_stale(final) == 1 && access(dead, F_OK) != 0 &&
                  access(live, F_OK) == 0 && access(unlocked, F_OK) == 0 &&
                  access(mine, F_OK) == 0 && access(other, F_OK) == 0);
    kill(lp, SIGKILL);
    kill(up, SIGKILL);
    /* lp ends but stays a zombie (not reaped: WNOWAIT), as the ranks of a
     * job killed with -9 do until init collects them */
    siginfo_t si;
    waitid(P_PID, (id_t)lp, &si, WEXITED | WNOWAIT);
    waitpid(up, NULL, 0);
    test_cond("once their writers are gone (one a zombie not yet reaped), theirs too",
              xpcs_publish_remove_stale(final) == 2 && access(live, F_OK) != 0 &&
                  access(unlocked, F_OK) != 0 && access(mine, F_OK) == 0);
    waitpid(lp, NULL, 0);
    xpcs_publish_abandon(&p);
    unlink(other);
}

static void test_txn(void)
{
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/C_results.hdf", dir);
    snprintf(b, sizeof b, "%s/C_report.html", dir);
    xpcs_err err;
    int mark = xpcs_publish_txn_begin();
    xpcs_publish_file(a, XPCS_PUBLISH_NEW, "a", 1, &err);
    xpcs_publish_file(b, XPCS_PUBLISH_NEW, "b", 1, &err);
    xpcs_publish_txn_end(mark, 0);
    test_cond("rollback removes what the transaction published",
              access(a, F_OK) != 0 && access(b, F_OK) != 0);
    mark = xpcs_publish_txn_begin();
    xpcs_publish_file(a, XPCS_PUBLISH_NEW, "a", 1, &err);
    unlink(a); /* replaced by someone else meanwhile */
    put(a, "other", 0644);
    xpcs_publish_file(b, XPCS_PUBLISH_NEW, "b", 1, &err);
    xpcs_publish_txn_end(mark, 0);
    test_cond("rollback leaves another writer's file", has(a, "other") && access(b, F_OK) != 0);
    mark = xpcs_publish_txn_begin();
    xpcs_publish_file(b, XPCS_PUBLISH_NEW, "b", 1, &err);
    xpcs_publish_txn_end(mark, 1);
    test_cond("kept when the transaction succeeds", has(b, "b"));
    unlink(a);
    unlink(b);
}

static void test_fileutil_signals(void)
{
    xpcs_err err;
    xpcs_fail_errno(&err, XPCS_ERR_OUTPUT, "d/f", "write", ENOSPC);
    test_cond("errno named", strstr(err.msg, "d/f: cannot write: ") && strstr(err.msg, "(ENOSPC)"));
    char fifo[300], final[300];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(final, sizeof final, "%s/D.hdf", dir);
    mkfifo(fifo, 0600);
    xpcs_publish *p = NULL;
    xpcs_publish_begin(final, XPCS_PUBLISH_NEW, &p, &err);
    alarm(10); /* a blocking open would hang here */
    test_cond("a FIFO is refused at once",
              p && xpcs_publish_copy(p, fifo, "metadata file", &err) == XPCS_ERR_INPUT &&
                  strstr(err.msg, "not a regular file"));
    alarm(0);
    xpcs_publish_abandon(&p);
    unlink(fifo);
    xpcs_signals_install();
    test_cond("no signal yet", xpcs_signal_pending() == 0 && xpcs_exit_code(XPCS_ERR_OUTPUT) == 4);
    raise(SIGUSR1);
    raise(SIGTERM); /* only the first is kept */
    test_cond("the first signal is recorded, the process lives on",
              xpcs_signal_pending() == SIGUSR1 && xpcs_exit_code(XPCS_ERR_SIGNAL) == 128 + 10);
    test_cond("its status and message", xpcs_signal_fail(&err) == XPCS_ERR_SIGNAL &&
                                            strcmp(err.msg, "interrupted by SIGUSR1") == 0);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        printf("mkdtemp failed\n");
        return 1;
    }
    test_begin_commit();
    test_stale();
    test_txn();
    test_fileutil_signals();
    rmdir(dir);
    return test_report();
}
