/* source: open a raw file through the format that fits its name (see
 * include/xpcs/pipeline/source.h). */
#include "xpcs/pipeline/source.h"

#include <stdlib.h>

#include "xpcs/io/imm.h"
#include "xpcs/io/rigaku.h"

xpcs_status xpcs_source_open(const xpcs_comm *c, const xpcs_config *cfg, xpcs_timers *tm,
                             xpcs_source **out, xpcs_err *err)
{
    xpcs_source *s = xpcs_calloc(1, sizeof *s);
    s->comm = c;
    s->cfg = cfg;
    s->tm = tm;
    s->filters = "";
    xpcs_status st = xpcs_rigaku_is_event_file(cfg->raw) ? xpcs_source_open_rigaku(s, err)
                     : xpcs_imm_is_imm(cfg->raw)         ? xpcs_source_open_imm(s, err)
                                                         : xpcs_source_open_hdf5(s, err);
    st = xpcs_comm_agree(c, st, err);
    if (st) {
        xpcs_source_close(&s);
        return st;
    }
    *out = s;
    return XPCS_OK;
}

void xpcs_source_close(xpcs_source **sp)
{
    if (!sp || !*sp)
        return;
    if ((*sp)->ops && (*sp)->impl)
        (*sp)->ops->close(*sp);
    free((*sp)->sub_buf);
    free(*sp);
    *sp = NULL;
}
