/* Unit tests of the batch pieces without MPI: group layouts, the LPT order
 * and makespan, the layout choice, batch options, the job list (names,
 * list file, duplicates, resume marks) and its packed form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testhelp.h"
#include "xpcs/config/config.h"
#include "xpcs/core/publish.h"
#include "xpcs/io/names.h"
#include "xpcs/pipeline/joblist.h"
#include "xpcs/plan/schedule.h"

static void test_layout_make(void)
{
    int all_ok = 1;
    for (int R = 1; R <= 40; R++)
        for (int g = 1; g <= R + 1; g++) {
            xpcs_layout l;
            xpcs_layout_make(R, g, &l);
            int seen = 0, ok = 1, mn = 1 << 30, mx = 0;
            for (int r = 0; r < R; r++)
                if (l.group_of_rank[r] < -1 || l.group_of_rank[r] >= l.n_groups)
                    ok = 0;
            for (int k = 0; k < l.n_groups; k++) {
                seen += l.group_size[k];
                mn = l.group_size[k] < mn ? l.group_size[k] : mn;
                mx = l.group_size[k] > mx ? l.group_size[k] : mx;
                for (int i = 0; i < l.group_size[k]; i++)
                    ok &= l.group_of_rank[l.group_first[k] + i] == k;
            }
            if (l.scheduler)
                ok &= l.group_of_rank[0] == -1 && seen == R - 1 && l.n_groups == (R - 1) / g &&
                      l.n_groups >= 2 && mn >= g && mx - mn <= 1;
            else
                ok &= l.n_groups == 1 && seen == R && l.group_of_rank[0] == 0;
            if (!ok) {
                printf("layout R=%d g=%d wrong\n", R, g);
                all_ok = 0;
            }
            xpcs_layout_free(&l);
        }
    test_cond("layouts cover every rank once, sizes differ by <= 1", all_ok);
    xpcs_layout l;
    xpcs_layout_make(3, 1, &l);
    test_cond("3 ranks, groups of 1: rank 0 schedules, groups {1},{2}",
              l.scheduler && l.n_groups == 2 && l.group_of_rank[1] == 0 && l.group_of_rank[2] == 1);
    xpcs_layout_free(&l);
    xpcs_layout_make(2, 1, &l);
    test_cond("2 ranks: one group of both", !l.scheduler && l.n_groups == 1);
    xpcs_layout_free(&l);
    xpcs_layout_make(15, 3, &l); /* 14 workers: 4 groups, 2 leftover ranks */
    test_cond("15 ranks, groups of 3: 4,4,3,3", l.n_groups == 4 && l.group_size[0] == 4 &&
                                                    l.group_size[1] == 4 && l.group_size[2] == 3 &&
                                                    l.group_size[3] == 3);
    xpcs_layout_free(&l);
}

static void test_order_makespan(void)
{
    double w[6] = {3, 9, 1, 9, 5, 0};
    int o[6];
    xpcs_sched_order(6, w, o);
    test_cond("LPT order: largest first, ties in list order",
              o[0] == 1 && o[1] == 3 && o[2] == 4 && o[3] == 0 && o[4] == 2 && o[5] == 5);
    double t[5] = {5, 4, 3, 3, 3};
    int id[5] = {0, 1, 2, 3, 4};
    /* list schedule on 2 machines: 5 | 4 -> 4+3 | 5+3 -> 5+3 | 7+3: makespan 10 */
    test_cond("makespan of a list schedule", xpcs_sched_makespan(5, t, id, 2) == 10.0);
    test_cond("one machine: the sum", xpcs_sched_makespan(5, t, id, 1) == 18.0);
}

static void test_choose(void)
{
    xpcs_err err;
    xpcs_layout l;
    double small[8];
    for (int i = 0; i < 8; i++)
        small[i] = 1e5; /* overhead-dominated files */
    xpcs_layout_choose(9, 0, 1, 8, small, &l, &err);
    test_cond("many small files on 9 ranks: 8 groups of 1", l.scheduler && l.n_groups == 8);
    xpcs_layout_free(&l);
    double big[2] = {1e11, 1e11};
    xpcs_layout_choose(9, 0, 1, 2, big, &l, &err);
    test_cond("two big files on 9 ranks: 2 groups of 4",
              l.scheduler && l.n_groups == 2 && l.group_size[0] == 4);
    xpcs_layout_free(&l);
    double one[1] = {1e11};
    xpcs_layout_choose(9, 0, 1, 1, one, &l, &err);
    test_cond("one big file: one group of all ranks", !l.scheduler && l.n_groups == 1);
    xpcs_layout_free(&l);
    xpcs_layout_choose(9, 0, 5, 8, small, &l, &err);
    test_cond("memory floor of 5 ranks: one group", !l.scheduler && l.group_size[0] == 9);
    xpcs_layout_free(&l);
    xpcs_layout_choose(3, 1, 1, 1, one, &l, &err);
    test_cond("--ranks-per-file 1 on 3 ranks: 2 groups whatever the model says",
              l.scheduler && l.n_groups == 2);
    xpcs_layout_free(&l);
    xpcs_layout_choose(4, 0, 1, 0, NULL, &l, &err);
    test_cond("no work: one group", !l.scheduler);
    xpcs_layout_free(&l);
}

static int parse(xpcs_config *c, int argc, char **argv)
{
    xpcs_err err;
    int ex = 0;
    xpcs_config_default(c);
    return (int)xpcs_config_parse(c, argc, argv, 0, &ex, &err);
}

static void test_options(void)
{
    xpcs_config c;
    char *a1[] = {"x", "-r", "a.h5", "-q", "q.h5"};
    test_cond("single -r: not a batch",
              parse(&c, 5, a1) == 0 && !xpcs_joblist_requested(&c) && strcmp(c.raw, "a.h5") == 0);
    xpcs_config_free(&c);
    char *a2[] = {"x", "-r", "a.h5", "-q", "q.h5", "-r", "b.h5", "c.h5", "--ranks-per-file", "2"};
    test_cond("repeated -r and a positional file: a batch of 3",
              parse(&c, 10, a2) == 0 && xpcs_joblist_requested(&c) && c.n_raw_args == 3 &&
                  strcmp(c.raw_args[2], "c.h5") == 0 && strcmp(c.raw, "a.h5") == 0 &&
                  c.ranks_per_file == 2);
    xpcs_config_free(&c);
    char *a3[] = {"x", "--raw-list", "l.txt"};
    test_cond("--raw-list needs no -q", parse(&c, 3, a3) == 0 && xpcs_joblist_requested(&c));
    xpcs_config_free(&c);
    char *a4[] = {"x", "-r", "a.h5", "-q", "q.h5", "--ranks-per-file", "0"};
    test_cond("--ranks-per-file 0 refused", parse(&c, 7, a4) == XPCS_ERR_USAGE);
    xpcs_config_free(&c);
    char *a5[] = {"x", "-r", "d/nothing*.h5", "-q", "q.h5"};
    test_cond("a -r pattern is a batch", parse(&c, 5, a5) == 0 && xpcs_joblist_requested(&c));
    xpcs_config_free(&c);
    char *a6[] = {"x", "-r", "a.h5", "-r", "b.h5"};
    test_cond("batch without -q refused", parse(&c, 5, a6) == XPCS_ERR_USAGE);
    xpcs_config_free(&c);
}

/* The temporary a writer of final leaves when it dies before publishing
 * (a child process that exits at once); NULL on failure. */
static const char *dead_writer_tmp(const char *final)
{
    static char name[800];
    int fds[2];
    if (pipe(fds) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        xpcs_publish *p = NULL;
        xpcs_err e;
        if (xpcs_publish_begin(final, XPCS_PUBLISH_NEW, &p, &e) == XPCS_OK)
            (void)!write(fds[1], xpcs_publish_tmp(p), strlen(xpcs_publish_tmp(p)) + 1);
        _exit(0); /* killed before publishing: the temporary stays */
    }
    close(fds[1]);
    ssize_t n = pid > 0 ? read(fds[0], name, sizeof name - 1) : -1;
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    if (n <= 0)
        return NULL;
    name[n] = '\0';
    return name;
}

static void test_joblist(void)
{
    char dir[] = "/tmp/xpcs-joblist-XXXXXX";
    if (!mkdtemp(dir)) {
        test_cond("mkdtemp", 0);
        return;
    }
    char list[256], out[256], res[600];
    snprintf(list, sizeof list, "%s/list.txt", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    FILE *f = fopen(list, "w");
    fprintf(f, "# comment\n\n  /x/a.h5   /x/qa.h5\n/y/b.tar.h5\n");
    fclose(f);
    xpcs_err err;
    test_cond("result name strips the last extension",
              xpcs_result_name("o", "/d/A001.nxs.h5", res, sizeof res, &err) == 0 &&
                  strcmp(res, "o/A001.nxs_results.hdf") == 0);
    xpcs_config c;
    xpcs_config_default(&c);
    snprintf(c.raw_list, sizeof c.raw_list, "%s", list);
    snprintf(c.qmap, sizeof c.qmap, "/q/default.h5");
    snprintf(c.output, sizeof c.output, "%s", out);
    xpcs_joblist *l = NULL;
    xpcs_status st = xpcs_joblist_build(&c, &l, &err);
    test_cond("list file: 2 jobs, own and default q-map",
              st == 0 && xpcs_joblist_count(l) == 2 &&
                  strcmp(xpcs_joblist_get(l, 0)->qmap, "/x/qa.h5") == 0 &&
                  strcmp(xpcs_joblist_get(l, 1)->qmap, "/q/default.h5") == 0 &&
                  strstr(xpcs_joblist_get(l, 1)->result, "/out/b.tar_results.hdf") != NULL &&
                  !xpcs_joblist_get(l, 0)->skipped);
    size_t bytes = 0;
    char *buf = l ? xpcs_joblist_pack(l, &bytes) : NULL;
    xpcs_joblist *m = NULL;
    st = buf ? xpcs_joblist_unpack(buf, bytes, &m, &err) : XPCS_ERR_INTERNAL;
    test_cond("pack / unpack round trip",
              st == 0 && xpcs_joblist_count(m) == 2 &&
                  strcmp(xpcs_joblist_get(m, 0)->raw, "/x/a.h5") == 0 &&
                  strcmp(xpcs_joblist_get(m, 1)->result, xpcs_joblist_get(l, 1)->result) == 0);
    xpcs_joblist_destroy(&m); /* before m is reused */
    test_cond("truncated message refused",
              buf && xpcs_joblist_unpack(buf, bytes - 3, &m, &err) == XPCS_ERR_INTERNAL);
    free(buf);
    xpcs_joblist_destroy(&m);
    xpcs_joblist_destroy(&l);
    /* resume: an existing result is skipped; the temporary of a dead run is
     * removed, a file it cannot judge (an old fixed .tmp name) stays */
    mkdir(out, 0755);
    char path[700], dead[700];
    snprintf(path, sizeof path, "%s/a_results.hdf", out);
    fclose(fopen(path, "w"));
    snprintf(dead, sizeof dead, "%s/b.tar_results.hdf", out);
    const char *tmp = dead_writer_tmp(dead);
    snprintf(path, sizeof path, "%s/b.tar_results.hdf.tmp", out);
    fclose(fopen(path, "w"));
    st = xpcs_joblist_build(&c, &l, &err);
    test_cond("existing result skipped, the other not",
              st == 0 && xpcs_joblist_get(l, 0)->skipped && !xpcs_joblist_get(l, 1)->skipped);
    test_cond("a dead run's temporary removed, nothing else",
              tmp && l && xpcs_joblist_remove_stale(l) == 1 && access(tmp, F_OK) != 0 &&
                  access(path, F_OK) == 0);
    xpcs_joblist_destroy(&l);
    c.overwrite = 1;
    st = xpcs_joblist_build(&c, &l, &err);
    test_cond("-w: nothing skipped", st == 0 && !xpcs_joblist_get(l, 0)->skipped);
    xpcs_joblist_destroy(&l);
    f = fopen(list, "w");
    fprintf(f, "/x/a.h5\n/z/a.h5\n");
    fclose(f);
    st = xpcs_joblist_build(&c, &l, &err);
    test_cond("same result name twice refused",
              st == XPCS_ERR_USAGE && l == NULL && strstr(err.msg, "line 2") != NULL);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    test_cond("cleanup", system(path) == 0);
}

int main(void)
{
    test_layout_make();
    test_order_makespan();
    test_choose();
    test_options();
    test_joblist();
    return test_report();
}
