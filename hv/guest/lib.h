/* Prototypes of lib.c (freestanding: there is no libc). */
#ifndef STRATA_GUEST_LIB_H
#define STRATA_GUEST_LIB_H

#include <stddef.h>

void* memcpy(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
void* memmove(void* dst, const void* src, size_t n);
int memcmp(const void* a, const void* b, size_t n);

#endif
