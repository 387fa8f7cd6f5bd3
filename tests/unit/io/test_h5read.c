/* Unit test of io/h5read: a small file written here with the HDF5 API
 * (numbers of several types and ranks, groups, fixed and variable-length
 * strings in ASCII and UTF-8, a string attribute), read back through the
 * shared readers; the failures' messages name the file, the dataset and
 * what was expected. */
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testhelp.h"
#include "xpcs/io/h5in.h"
#include "xpcs/io/h5read.h"

static void put(hid_t f, const char *name, hid_t type, int rank, const hsize_t *dims,
                const void *data)
{
    hid_t s = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t d = H5Dcreate2(f, name, type, s, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(d);
    H5Pclose(lcpl);
    H5Sclose(s);
}

static hid_t str_type(size_t len, H5T_cset_t cset, H5T_str_t pad)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, len);
    H5Tset_cset(t, cset);
    H5Tset_strpad(t, pad);
    return t;
}

static void make_file(const char *path)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    int32_t m[2][3] = {{1, 2, 3}, {4, 5, 6}};
    hsize_t d23[2] = {2, 3}, d3[1] = {3}, d1[1] = {1};
    put(f, "/a/b/int2d", H5T_NATIVE_INT32, 2, d23, m);
    float fl[3] = {0.5f, -1.25f, 3.0f};
    put(f, "/a/float1d", H5T_NATIVE_FLOAT, 1, d3, fl);
    double one = 2.5;
    put(f, "/a/scalar", H5T_NATIVE_DOUBLE, 0, NULL, &one);
    put(f, "/a/one", H5T_NATIVE_DOUBLE, 1, d1, &one);
    /* fixed ASCII, NULLPAD at full width: every character is kept */
    hid_t t = str_type(4, H5T_CSET_ASCII, H5T_STR_NULLPAD);
    put(f, "/s/fixed", t, 1, d3, "abcdxy\0\0z\0\0\0");
    H5Tclose(t);
    t = str_type(8, H5T_CSET_UTF8, H5T_STR_NULLTERM);
    put(f, "/s/fixed_utf8", t, 0, NULL, "h\xc3\xa9llo\0\0");
    H5Tclose(t);
    const char *vl[2] = {"first", "second"};
    t = str_type(H5T_VARIABLE, H5T_CSET_ASCII, H5T_STR_NULLTERM);
    put(f, "/s/vlen", t, 1, (hsize_t[]){2}, vl);
    H5Tclose(t);
    const char *vu[1] = {"\xc3\xa9t\xc3\xa9"};
    t = str_type(H5T_VARIABLE, H5T_CSET_UTF8, H5T_STR_NULLTERM);
    put(f, "/s/vlen_utf8", t, 0, NULL, vu);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate_by_name(f, "/a", "hash", t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char *hv[1] = {"0123abcd"};
    H5Awrite(a, t, hv);
    H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    H5Fclose(f);
}

static void test_numbers(const xpcs_h5r *f)
{
    xpcs_err err;
    xpcs_h5r_info in;
    test_cond("stat int2d", xpcs_h5r_stat(f, "/a/b/int2d", NULL, &in, &err) == XPCS_OK &&
                                in.cls == XPCS_H5R_INTEGER && in.rank == 2 && in.dims[0] == 2 &&
                                in.dims[1] == 3 && in.count == 6 && in.elem_size == 4);
    double *v = NULL;
    test_cond("int2d as double", xpcs_h5r_f64(f, "/a/b/int2d", NULL, &v, &in, &err) == XPCS_OK &&
                                     v[0] == 1 && v[5] == 6 && in.count == 6);
    free(v);
    int64_t *iv = NULL;
    test_cond("int2d as int64",
              xpcs_h5r_i64(f, "/a/b/int2d", NULL, &iv, NULL, &err) == XPCS_OK && iv[4] == 5);
    free(iv);
    test_cond("float1d as double",
              xpcs_h5r_f64(f, "/a/float1d", NULL, &v, NULL, &err) == XPCS_OK && v[1] == -1.25);
    free(v);
    double x = 0;
    test_cond("scalar", xpcs_h5r_f64_scalar(f, "/a/scalar", NULL, &x, &err) == XPCS_OK && x == 2.5);
    test_cond("one-element 1-D is a scalar",
              xpcs_h5r_f64_scalar(f, "/a/one", NULL, &x, &err) == XPCS_OK && x == 2.5);
    test_cond("three elements are not a scalar",
              xpcs_h5r_f64_scalar(f, "/a/float1d", "the frame time", &x, &err) == XPCS_ERR_INPUT &&
                  strstr(err.msg, "/a/float1d has 3 elements: expected the frame time"));
    int64_t k = 0;
    test_cond("int64 scalar",
              xpcs_h5r_i64_scalar(f, "/a/one", NULL, &k, &err) == XPCS_OK && k == 2);
    double rows[3] = {0};
    test_cond("row 1 of int2d",
              xpcs_h5r_rows_f64(f, "/a/b/int2d", NULL, 1, 1, rows, &err) == XPCS_OK &&
                  rows[0] == 4 && rows[2] == 6);
    test_cond("rows past the end",
              xpcs_h5r_rows_f64(f, "/a/b/int2d", NULL, 1, 2, rows, &err) == XPCS_ERR_INPUT);
    test_cond("strings are not numbers",
              xpcs_h5r_f64(f, "/s/vlen", "g2", &v, NULL, &err) == XPCS_ERR_INPUT &&
                  strstr(err.msg, "dataset /s/vlen is not numeric: expected g2"));
}

static void test_strings(const xpcs_h5r *f)
{
    xpcs_err err;
    char **s = NULL;
    int n = 0;
    test_cond("fixed NULLPAD strings keep their last character",
              xpcs_h5r_strings(f, "/s/fixed", NULL, &s, &n, &err) == XPCS_OK && n == 3 &&
                  strcmp(s[0], "abcd") == 0 && strcmp(s[1], "xy") == 0 && strcmp(s[2], "z") == 0);
    xpcs_h5r_free_strings(s, n);
    test_cond("fixed UTF-8 string",
              xpcs_h5r_strings(f, "/s/fixed_utf8", NULL, &s, &n, &err) == XPCS_OK && n == 1 &&
                  strcmp(s[0], "h\xc3\xa9llo") == 0);
    xpcs_h5r_free_strings(s, n);
    test_cond("variable-length ASCII strings",
              xpcs_h5r_strings(f, "/s/vlen", NULL, &s, &n, &err) == XPCS_OK && n == 2 &&
                  strcmp(s[1], "second") == 0);
    xpcs_h5r_free_strings(s, n);
    test_cond("variable-length UTF-8 string",
              xpcs_h5r_strings(f, "/s/vlen_utf8", NULL, &s, &n, &err) == XPCS_OK && n == 1 &&
                  strcmp(s[0], "\xc3\xa9t\xc3\xa9") == 0);
    xpcs_h5r_free_strings(s, n);
    test_cond("numbers are not strings",
              xpcs_h5r_strings(f, "/a/one", NULL, &s, &n, &err) == XPCS_ERR_INPUT && !s && !n);
    char *h = NULL;
    test_cond("string attribute",
              xpcs_h5r_attr_string(f, "/a", "hash", NULL, &h, &err) == XPCS_OK &&
                  strcmp(h, "0123abcd") == 0);
    free(h);
    test_cond("missing attribute",
              xpcs_h5r_attr_string(f, "/a", "nope", "the q-map hash", &h, &err) == XPCS_ERR_INPUT &&
                  !h &&
                  strstr(err.msg, "attribute nope of /a is missing: expected the q-map hash"));
}

static void test_links(const xpcs_h5r *f, const char *path)
{
    xpcs_err err;
    test_cond("name", strcmp(xpcs_h5r_name(f), path) == 0);
    test_cond("exists nested", xpcs_h5r_exists(f, "/a/b/int2d") && xpcs_h5r_exists(f, "/"));
    test_cond("missing parent", !xpcs_h5r_exists(f, "/x/y/z") && !xpcs_h5r_exists(f, "/a/x"));
    test_cond("groups", xpcs_h5r_is_group(f, "/a/b") && !xpcs_h5r_is_group(f, "/a/one") &&
                            !xpcs_h5r_is_group(f, "/none"));
    char **names = NULL;
    int n = 0;
    test_cond("list in name order", xpcs_h5r_list(f, "/a", NULL, &names, &n, &err) == XPCS_OK &&
                                        n == 4 && strcmp(names[0], "b") == 0 &&
                                        strcmp(names[1], "float1d") == 0 &&
                                        strcmp(names[3], "scalar") == 0);
    xpcs_h5r_free_strings(names, n);
    test_cond("a dataset is not a group",
              xpcs_h5r_list(f, "/a/one", NULL, &names, &n, &err) == XPCS_ERR_INPUT);
    xpcs_h5r_info in;
    test_cond("missing dataset: file, dataset, expectation",
              xpcs_h5r_stat(f, "/x/g2", "a multitau result", &in, &err) == XPCS_ERR_INPUT &&
                  strstr(err.msg, path) &&
                  strstr(err.msg, "dataset /x/g2 is missing: expected a multitau result"));
    test_cond("a group is not a dataset",
              xpcs_h5r_stat(f, "/a/b", "numbers", &in, &err) == XPCS_ERR_INPUT &&
                  strstr(err.msg, "/a/b is not a dataset: expected numbers"));
}

int main(void)
{
    xpcs_h5_quiet();
    char path[64];
    snprintf(path, sizeof path, "test_h5read_%d.h5", (int)getpid());
    make_file(path);
    xpcs_err err;
    xpcs_h5r *f = NULL;
    test_cond("open", xpcs_h5r_open(path, NULL, &f, &err) == XPCS_OK && f);
    if (f) {
        test_links(f, path);
        test_numbers(f);
        test_strings(f);
    }
    xpcs_h5r_close(&f);
    test_cond("close clears the handle", f == NULL);
    test_cond("not a file: named, with what was expected",
              xpcs_h5r_open("no/such.h5", "a result file", &f, &err) == XPCS_ERR_INPUT && !f &&
                  strstr(err.msg, "no/such.h5: cannot open: expected a result file"));
    unlink(path);
    return test_report();
}
