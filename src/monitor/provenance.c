/* provenance: the build and the run time's choices (see
 * include/xpcs/monitor/provenance.h). */
#include "xpcs/monitor/provenance.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "xpcs/core/buildinfo.h"
#include "xpcs/kernels/blas.h"
#include "xpcs/kernels/simd.h"

void xpcs_provenance_get(xpcs_provenance *p)
{
    const xpcs_buildinfo *b = xpcs_build_info();
    memset(p, 0, sizeof *p);
    snprintf(p->version, sizeof p->version, "%s", b->version);
    snprintf(p->git, sizeof p->git, "%s", b->git);
    snprintf(p->compiler, sizeof p->compiler, "%s", b->compiler);
    snprintf(p->flags, sizeof p->flags, "%s", b->flags);
    snprintf(p->build_type, sizeof p->build_type, "%s", b->build_type);
    snprintf(p->simd, sizeof p->simd, "%s", xpcs_simd_level_name(xpcs_simd_active()));
    xpcs_simd_describe(p->simd_detail, sizeof p->simd_detail);
    xpcs_blas_describe(p->blas, sizeof p->blas);
}

void xpcs_provenance_print(FILE *out, const char *prog)
{
    xpcs_provenance p;
    xpcs_provenance_get(&p);
    fprintf(out, "%s %s (xpcs-toolkit)\n", prog, p.version);
    fprintf(out, "git       %s\n", p.git);
    fprintf(out, "compiler  %s\n", p.compiler);
    fprintf(out, "flags     %s (%s)\n", p.flags, p.build_type);
    fprintf(out, "simd      %s\n", p.simd_detail);
    fprintf(out, "blas      %s\n", p.blas);
}

cJSON *xpcs_provenance_json(void)
{
    xpcs_provenance p;
    xpcs_provenance_get(&p);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", p.version);
    cJSON_AddStringToObject(o, "git", p.git);
    cJSON_AddStringToObject(o, "compiler", p.compiler);
    cJSON_AddStringToObject(o, "flags", p.flags);
    cJSON_AddStringToObject(o, "build_type", p.build_type);
    cJSON_AddStringToObject(o, "simd", p.simd);
    cJSON_AddStringToObject(o, "simd_detail", p.simd_detail);
    cJSON_AddStringToObject(o, "blas", p.blas);
    return o;
}
