/*
 * real_module.h — for the stand-in PKCS#11 modules (timing, pull, pins): load the real module they
 * stand in front of, CT_P11_REAL or SoftHSM2, and answer C_GetFunctionList with its functions,
 * some of them replaced by the stand-in's.
 */
#ifndef CT_TESTS_P11_REAL_MODULE_H
#define CT_TESTS_P11_REAL_MODULE_H

#include <dlfcn.h>
#include <stdlib.h>

#include <p11-kit/pkcs11.h>

/* The real module's function list, and the stand-in's own: a copy of it with some entries
 * replaced. Each stand-in includes this header once, so these are its own. */
static CK_FUNCTION_LIST real_copy, ours;
static CK_FUNCTION_LIST_PTR real;

/* C_GetFunctionList of a stand-in: on the first call, load the real module (CT_P11_REAL, or
 * SoftHSM2) and let take_over replace the entries the stand-in handles in ours. */
static CK_RV stand_in_function_list(CK_FUNCTION_LIST_PTR_PTR list,
                                    void (*take_over)(CK_FUNCTION_LIST *ours))
{
    if (real == NULL) {
        const char *path = getenv("CT_P11_REAL");
        void *h = dlopen(path ? path : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
        CK_C_GetFunctionList get;
        CK_FUNCTION_LIST_PTR f;
        if (h == NULL)
            return CKR_GENERAL_ERROR;
        *(void **)&get = dlsym(h, "C_GetFunctionList");
        if (get == NULL || get(&f) != CKR_OK)
            return CKR_GENERAL_ERROR;
        real_copy = *f;
        real = &real_copy;
        ours = real_copy;
        take_over(&ours);
    }
    *list = &ours;
    return CKR_OK;
}

#endif
