#ifndef DCVC_COPENBLAS_SHIM_H
#define DCVC_COPENBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>
/* Declared by OpenBLAS but not always in cblas.h. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
/* LAPACK's symmetric eigensolver (divide and conquer), exported by Debian's libopenblas, which
   ships no lapacke.h. Fortran calling convention: everything by pointer, column-major, and the
   two trailing hidden lengths of the character arguments (gfortran passes them as size_t). */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
#endif
