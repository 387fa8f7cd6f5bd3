/* A consumer of the installed libxpcs: multi-tau of 3 pixels x 16 frames. */
#include <stdio.h>
#include <xpcs/kernels/multitau.h>
int main(void)
{
    double x[16 * 3], G2[3], IP[3], IF[3]; /* frames [16][3 pixels] */
    for (int i = 0; i < 16 * 3; i++)
        x[i] = (double)((i * 7) % 5);
    xpcs_multitau *mt;
    xpcs_err err;
    if (xpcs_multitau_create(16, 3, &mt, &err) != XPCS_OK)
        return 1;
    xpcs_multitau_push(mt, x, XPCS_DT_F64, 16, 3, NULL);
    for (int j = 0; j < xpcs_multitau_n_delays(mt); j++)
        if (xpcs_multitau_result(mt, j, G2, IP, IF, &err) == XPCS_OK)
            printf("%lld %.17g %.17g %.17g\n", (long long)xpcs_multitau_delay_list(mt)[j], G2[1],
                   IP[1], IF[1]);
    xpcs_multitau_destroy(&mt);
    return 0;
}
