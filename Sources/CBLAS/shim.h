// OpenBLAS's CBLAS interface plus the OpenBLAS-specific queries Attune uses.
#include <cblas.h>
char *openblas_get_corename(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
char *openblas_get_config(void);
