/* Unit tests of the monitoring modules: health thresholds, the YAML reader
 * and the settings precedence, base64, the PNG encoder, progress lines. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "testhelp.h"
#include "xpcs/config/config.h"
#include "xpcs/monitor/health.h"
#include "xpcs/report/png.h"
#include "xpcs/monitor/progress.h"
#include "xpcs/core/sbuf.h"
#include "xpcs/config/settings.h"

static void test_health(void)
{
    xpcs_threshold e = xpcs_indicator_default(XPCS_IND_EFFICIENCY);
    xpcs_threshold m = xpcs_indicator_default(XPCS_IND_MEMORY);
    test_cond("efficiency defaults 85/70", e.target == 85 && e.critical == 70);
    test_cond("memory defaults 80/95", m.target == 80 && m.critical == 95);
    test_cond("eff 85.1 ok", xpcs_health_classify(XPCS_IND_EFFICIENCY, 85.1, e) == XPCS_HEALTH_OK);
    test_cond("eff 85 warning",
              xpcs_health_classify(XPCS_IND_EFFICIENCY, 85.0, e) == XPCS_HEALTH_WARNING);
    test_cond("eff 70 warning",
              xpcs_health_classify(XPCS_IND_EFFICIENCY, 70.0, e) == XPCS_HEALTH_WARNING);
    test_cond("eff 69.9 critical",
              xpcs_health_classify(XPCS_IND_EFFICIENCY, 69.9, e) == XPCS_HEALTH_CRITICAL);
    test_cond("mem 79.9 ok", xpcs_health_classify(XPCS_IND_MEMORY, 79.9, m) == XPCS_HEALTH_OK);
    test_cond("mem 95 warning",
              xpcs_health_classify(XPCS_IND_MEMORY, 95, m) == XPCS_HEALTH_WARNING);
    test_cond("mem 95.1 critical",
              xpcs_health_classify(XPCS_IND_MEMORY, 95.1, m) == XPCS_HEALTH_CRITICAL);
    test_cond("NaN unknown", xpcs_health_classify(XPCS_IND_IO, NAN, e) == XPCS_HEALTH_UNKNOWN);
    xpcs_threshold bad = {50, 60};
    test_cond("efficiency critical above target invalid",
              !xpcs_threshold_valid(XPCS_IND_EFFICIENCY, bad));
    test_cond("memory critical above target valid", xpcs_threshold_valid(XPCS_IND_MEMORY, bad));
}

static void test_yaml(void)
{
    const char *y = "# comment\n"
                    "raw: d/a.h5\n"
                    "threading:\n  num_threads: 4\n"
                    "io: {storage_bandwidth_gbps: 2.5, measure_storage_bandwidth: yes}\n"
                    "monitoring:\n  progress: \"off\"\n  label: '10'\n  none: ~\n"
                    "list: [1, two]\n";
    cJSON *j = NULL;
    xpcs_err err;
    test_cond("yaml parses", xpcs_yaml_parse(y, strlen(y), "t.yaml", &j, &err) == XPCS_OK);
    if (!j)
        return;
    cJSON *th = cJSON_GetObjectItem(j, "threading");
    cJSON *io = cJSON_GetObjectItem(j, "io");
    cJSON *mon = cJSON_GetObjectItem(j, "monitoring");
    test_cond("string", cJSON_IsString(cJSON_GetObjectItem(j, "raw")));
    test_cond("int", cJSON_GetObjectItem(th, "num_threads")->valuedouble == 4);
    test_cond("flow mapping float",
              cJSON_GetObjectItem(io, "storage_bandwidth_gbps")->valuedouble == 2.5);
    test_cond("yes is a bool", cJSON_IsTrue(cJSON_GetObjectItem(io, "measure_storage_bandwidth")));
    test_cond("quoted off is a string", cJSON_IsString(cJSON_GetObjectItem(mon, "progress")));
    test_cond("quoted 10 is a string", cJSON_IsString(cJSON_GetObjectItem(mon, "label")));
    test_cond("~ is null", cJSON_IsNull(cJSON_GetObjectItem(mon, "none")));
    test_cond("sequence", cJSON_GetArraySize(cJSON_GetObjectItem(j, "list")) == 2);
    cJSON_Delete(j);

    const char *dup = "a: 1\na: 2\n";
    test_cond("duplicate key refused",
              xpcs_yaml_parse(dup, strlen(dup), "d.yaml", &j, &err) == XPCS_ERR_USAGE &&
                  strstr(err.msg, "duplicate key 'a'"));
    const char *syn = "a: 1\nb: [1, 2\n";
    test_cond("syntax error with line",
              xpcs_yaml_parse(syn, strlen(syn), "s.yaml", &j, &err) == XPCS_ERR_USAGE &&
                  strstr(err.msg, "s.yaml: line"));
    const char *seq = "- 1\n- 2\n";
    test_cond("top-level sequence refused",
              xpcs_yaml_parse(seq, strlen(seq), "q.yaml", &j, &err) == XPCS_ERR_USAGE);
    test_cond("empty document is an empty mapping",
              xpcs_yaml_parse("", 0, "e.yaml", &j, &err) == XPCS_OK && cJSON_IsObject(j) &&
                  !j->child);
    cJSON_Delete(j);
}

static xpcs_status parse_with(xpcs_config *c, int argc, char **argv, xpcs_err *err)
{
    int exit_now = 0;
    xpcs_config_free(c); /* the raw files of the call before */
    xpcs_config_default(c);
    return xpcs_config_parse(c, argc, argv, 0, &exit_now, err);
}

static void test_settings(void)
{
    xpcs_config c;
    xpcs_err err;
    memset(&c, 0, sizeof c);
    char *base[] = {"xpcs-corr", "-r", "a.h5", "-q", "q.h5"};
    setenv("XPCS_NUM_THREADS", "3", 1);
    setenv("XPCS_ALERT_THRESHOLD_MEMORY", "50", 1);
    test_cond("env parses", parse_with(&c, 5, base, &err) == XPCS_OK);
    test_cond("env applied",
              c.site.num_threads == 3 && c.site.threshold[XPCS_IND_MEMORY].target == 50);
    char *cli[] = {"xpcs-corr", "-r",    "a.h5",
                   "-q",        "q.h5",  "--threads",
                   "5",         "--set", "monitoring.progress=lines"};
    test_cond("cli parses", parse_with(&c, 9, cli, &err) == XPCS_OK);
    test_cond("cli beats env", c.site.num_threads == 5 && c.site.progress == XPCS_PROGRESS_LINES);
    setenv("XPCS_NUM_THREADS", "x", 1);
    test_cond("bad env value names the variable", parse_with(&c, 5, base, &err) == XPCS_ERR_USAGE &&
                                                      strstr(err.msg, "XPCS_NUM_THREADS"));
    unsetenv("XPCS_NUM_THREADS");
    setenv("XPCS_CRITICAL_THRESHOLD_MEMORY", "40", 1);
    test_cond("critical below alert refused for memory",
              parse_with(&c, 5, base, &err) == XPCS_ERR_USAGE && strstr(err.msg, "memory"));
    unsetenv("XPCS_CRITICAL_THRESHOLD_MEMORY");
    unsetenv("XPCS_ALERT_THRESHOLD_MEMORY");
    char *badset[] = {"xpcs-corr", "-r", "a.h5", "-q", "q.h5", "--set", "io.nope=1"};
    test_cond("--set unknown key named",
              parse_with(&c, 7, badset, &err) == XPCS_ERR_USAGE && strstr(err.msg, "'io.nope'"));
    xpcs_config_free(&c);
    xpcs_config_default(&c);
    cJSON *sec = cJSON_Parse("{\"num_thread\": 2}");
    test_cond("unknown section key named",
              xpcs_settings_apply_section(&c, "threading", sec, "s.yaml", &err) == XPCS_ERR_USAGE &&
                  strstr(err.msg, "unknown key 'threading.num_thread'"));
    cJSON_Delete(sec);
    char *eff = xpcs_settings_effective_json(&c);
    cJSON *e = cJSON_Parse(eff);
    test_cond("effective config has sections and sources",
              cJSON_GetObjectItem(e, "monitoring") &&
                  cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "sources"),
                                                     "memory.max_memory_mb")));
    cJSON_Delete(e);
    free(eff);
}

static void test_base64_png(void)
{
    const char *in[] = {"", "f", "fo", "foo", "foobar"};
    const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYmFy"};
    for (int i = 0; i < 5; i++) {
        xpcs_sbuf *b = xpcs_sbuf_create();
        xpcs_sbuf_add_base64(b, (const unsigned char *)in[i], strlen(in[i]));
        test_cond("base64 RFC 4648 vectors", strcmp(xpcs_sbuf_text(b), out[i]) == 0);
        xpcs_sbuf_destroy(&b);
    }
    uint8_t rgb[2 * 3 * 3];
    for (int i = 0; i < 18; i++)
        rgb[i] = (uint8_t)(i * 13);
    unsigned char *png = NULL;
    size_t len = 0;
    xpcs_err err;
    test_cond("png encodes", xpcs_png_encode_rgb(rgb, 3, 2, &png, &len, &err) == XPCS_OK);
    test_cond("png signature and IHDR",
              len > 45 && png[1] == 'P' && memcmp(png + 12, "IHDR", 4) == 0);
    /* IDAT starts after the 8-byte signature and the 25-byte IHDR chunk */
    uint32_t zl =
        (uint32_t)png[33] << 24 | (uint32_t)png[34] << 16 | (uint32_t)png[35] << 8 | png[36];
    unsigned char raw[2 * 10];
    uLongf rn = sizeof raw;
    int ok = memcmp(png + 37, "IDAT", 4) == 0 && uncompress(raw, &rn, png + 41, zl) == Z_OK &&
             rn == sizeof raw;
    ok = ok && raw[0] == 0 && memcmp(raw + 1, rgb, 9) == 0 && memcmp(raw + 11, rgb + 9, 9) == 0;
    test_cond("png pixels round trip through zlib", ok);
    free(png);
    uint8_t lo[3], hi[3];
    xpcs_viridis(0, lo);
    xpcs_viridis(1, hi);
    test_cond("viridis ends", lo[0] == 68 && lo[2] == 84 && hi[0] == 253 && hi[1] == 231);
}

static void test_progress(void)
{
    FILE *f = tmpfile();
    if (!f)
        return;
    xpcs_progress *p = xpcs_progress_create(f, XPCS_PROGRESS_LINES, 0.0, 10, "t");
    xpcs_progress_update(p, 5);
    xpcs_progress_update(p, 10);
    xpcs_progress_finish(p);
    xpcs_progress_destroy(&p);
    p = xpcs_progress_create(f, XPCS_PROGRESS_OFF, 0.0, 10, "silent");
    xpcs_progress_update(p, 5);
    xpcs_progress_finish(p);
    xpcs_progress_destroy(&p);
    rewind(f);
    char text[2048];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    test_cond("progress line with done/total", strstr(text, "t: progress 5/10 frames") != NULL);
    test_cond("progress has rate and ETA", strstr(text, "frames/s") && strstr(text, "ETA"));
    const char *last = strstr(text, "10/10 frames");
    test_cond("final line printed once", last && !strstr(last + 1, "10/10 frames"));
    test_cond("off prints nothing", strstr(text, "silent") == NULL);
}

int main(void)
{
    test_health();
    test_yaml();
    test_settings();
    test_base64_png();
    test_progress();
    return test_report();
}
