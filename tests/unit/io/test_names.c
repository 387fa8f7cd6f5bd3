/* Unit tests of io/names: the raw stem (HDF5, Rigaku 500k and 3M module
 * files, leading dots, directories), the result, metadata, sibling and
 * temporary names, and a result path that does not fit. */
#include <string.h>

#include "testhelp.h"
#include "xpcs/io/names.h"

static int stem_is(const char *raw, const char *want)
{
    char s[256];
    xpcs_raw_stem(raw, s, sizeof s);
    return strcmp(s, want) == 0;
}

int main(void)
{
    test_cond("stem of an HDF5 file", stem_is("/d/A001_0001.h5", "A001_0001"));
    test_cond("stem drops only the last extension", stem_is("d/A.nxs.h5", "A.nxs"));
    test_cond("stem of a 500k event file", stem_is("/x/r.bin", "r"));
    test_cond("stem of a 3M module file", stem_is("/x/scan.bin.003", "scan"));
    test_cond("stem keeps a leading dot", stem_is(".hidden", ".hidden"));
    test_cond("stem of a name without extension", stem_is("dir/plain", "plain"));

    char b[512];
    xpcs_err err;
    test_cond("result name", xpcs_result_name("out", "/d/A.h5", b, sizeof b, &err) == XPCS_OK &&
                                 strcmp(b, "out/A_results.hdf") == 0);
    test_cond("result name of a 3M set",
              xpcs_result_name("o", "/d/s.bin.000", b, sizeof b, &err) == XPCS_OK &&
                  strcmp(b, "o/s_results.hdf") == 0);
    char small[16];
    test_cond("a result name that does not fit is an error naming the directory",
              xpcs_result_name("a_long_directory", "/d/A.h5", small, sizeof small, &err) ==
                      XPCS_ERR_USAGE &&
                  strstr(err.msg, "a_long_directory") != NULL);

    xpcs_metadata_name("/d/A.h5", b, sizeof b);
    test_cond("metadata beside the raw file", strcmp(b, "/d/A_metadata.hdf") == 0);
    xpcs_metadata_name("A.h5", b, sizeof b);
    test_cond("metadata in the current directory", strcmp(b, "./A_metadata.hdf") == 0);
    xpcs_metadata_name("/A.h5", b, sizeof b);
    test_cond("metadata at the root", strcmp(b, "/A_metadata.hdf") == 0);
    xpcs_metadata_name("/d/s.bin.005", b, sizeof b);
    test_cond("metadata of a 3M set", strcmp(b, "/d/s_metadata.hdf") == 0);

    xpcs_sibling_name("o/A_results.hdf", XPCS_PROFILE_SUFFIX, b, sizeof b);
    test_cond("profile beside the result", strcmp(b, "o/A_profile.json") == 0);
    xpcs_sibling_name("o/A_results.hdf", XPCS_REPORT_SUFFIX, b, sizeof b);
    test_cond("report beside the result", strcmp(b, "o/A_report.html") == 0);
    xpcs_sibling_name("o.d/other.h5", XPCS_REPORT_SUFFIX, b, sizeof b);
    test_cond("sibling of another name: its extension replaced",
              strcmp(b, "o.d/other_report.html") == 0);
    xpcs_sibling_name("o.d/noext", XPCS_REPORT_SUFFIX, b, sizeof b);
    test_cond("sibling of a name without extension", strcmp(b, "o.d/noext_report.html") == 0);
    return test_report();
}
