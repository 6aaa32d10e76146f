// The C boundary of bone-spec. GMP names many of its functions through macros
// (mpq_add is #define'd to __gmpq_add) and some only as macros (mpq_numref,
// mpq_sgn, mpz_odd_p), which Swift does not import. Each function Swift needs
// is wrapped here as a static inline function with a plain name. Only the
// BoneExact module imports this header.
#ifndef BONE_CGMP_SHIM_H
#define BONE_CGMP_SHIM_H

#include <gmp.h>
#include <stddef.h>

// MARK: Rationals (mpq_t)

static inline void cgmp_q_init(mpq_ptr q) { mpq_init(q); }
static inline void cgmp_q_clear(mpq_ptr q) { mpq_clear(q); }
static inline void cgmp_q_set(mpq_ptr r, mpq_srcptr a) { mpq_set(r, a); }
static inline void cgmp_q_set_si(mpq_ptr r, long n, unsigned long d) { mpq_set_si(r, n, d); }
static inline void cgmp_q_canonicalize(mpq_ptr q) { mpq_canonicalize(q); }
static inline void cgmp_q_add(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_add(r, a, b); }
static inline void cgmp_q_sub(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_sub(r, a, b); }
static inline void cgmp_q_mul(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_mul(r, a, b); }
static inline void cgmp_q_div(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_div(r, a, b); }
static inline void cgmp_q_neg(mpq_ptr r, mpq_srcptr a) { mpq_neg(r, a); }
static inline void cgmp_q_abs(mpq_ptr r, mpq_srcptr a) { mpq_abs(r, a); }
static inline void cgmp_q_mul_2exp(mpq_ptr r, mpq_srcptr a, mp_bitcnt_t n) { mpq_mul_2exp(r, a, n); }
static inline void cgmp_q_div_2exp(mpq_ptr r, mpq_srcptr a, mp_bitcnt_t n) { mpq_div_2exp(r, a, n); }
static inline int cgmp_q_cmp(mpq_srcptr a, mpq_srcptr b) { return mpq_cmp(a, b); }
static inline int cgmp_q_equal(mpq_srcptr a, mpq_srcptr b) { return mpq_equal(a, b); }
static inline int cgmp_q_sgn(mpq_srcptr a) { return mpq_sgn(a); }
static inline mpz_ptr cgmp_q_numref(mpq_ptr q) { return mpq_numref(q); }
static inline mpz_ptr cgmp_q_denref(mpq_ptr q) { return mpq_denref(q); }
static inline mpz_srcptr cgmp_q_numref_const(mpq_srcptr q) { return mpq_numref(q); }
static inline mpz_srcptr cgmp_q_denref_const(mpq_srcptr q) { return mpq_denref(q); }

// MARK: Integers (mpz_t), used inside a rational or as a scoped temporary

static inline void cgmp_z_init(mpz_ptr z) { mpz_init(z); }
static inline void cgmp_z_clear(mpz_ptr z) { mpz_clear(z); }
static inline void cgmp_z_set(mpz_ptr r, mpz_srcptr a) { mpz_set(r, a); }
static inline void cgmp_z_set_ui(mpz_ptr r, unsigned long v) { mpz_set_ui(r, v); }
static inline int cgmp_z_set_str(mpz_ptr r, const char *text, int base) { return mpz_set_str(r, text, base); }
static inline void cgmp_z_ui_pow_ui(mpz_ptr r, unsigned long b, unsigned long e) { mpz_ui_pow_ui(r, b, e); }
static inline void cgmp_z_mul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_mul(r, a, b); }
static inline void cgmp_z_mul_2exp(mpz_ptr r, mpz_srcptr a, mp_bitcnt_t n) { mpz_mul_2exp(r, a, n); }
static inline void cgmp_z_neg(mpz_ptr r, mpz_srcptr a) { mpz_neg(r, a); }
static inline void cgmp_z_add_ui(mpz_ptr r, mpz_srcptr a, unsigned long b) { mpz_add_ui(r, a, b); }
static inline void cgmp_z_fdiv_qr(mpz_ptr q, mpz_ptr rem, mpz_srcptr n, mpz_srcptr d) { mpz_fdiv_qr(q, rem, n, d); }
static inline int cgmp_z_cmp(mpz_srcptr a, mpz_srcptr b) { return mpz_cmp(a, b); }
static inline int cgmp_z_sgn(mpz_srcptr a) { return mpz_sgn(a); }
static inline int cgmp_z_odd_p(mpz_srcptr a) { return mpz_odd_p(a); }
static inline size_t cgmp_z_sizeinbase2(mpz_srcptr a) { return mpz_sizeinbase(a, 2); }
static inline mp_bitcnt_t cgmp_z_popcount(mpz_srcptr a) { return mpz_popcount(a); }
static inline void cgmp_z_add(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_add(r, a, b); }
static inline void cgmp_z_addmul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_addmul(r, a, b); }
static inline void cgmp_q_set_num_den_2exp(mpq_ptr q, mpz_srcptr num, mp_bitcnt_t e) {
  mpz_set(mpq_numref(q), num);
  mpz_set_ui(mpq_denref(q), 1);
  mpz_mul_2exp(mpq_denref(q), mpq_denref(q), e);
  mpq_canonicalize(q);
}
static inline unsigned long cgmp_z_get_ui(mpz_srcptr a) { return mpz_get_ui(a); }
static inline void cgmp_z_import_u64(mpz_ptr r, size_t count, const unsigned long long *words) {
  // Least significant word first, native endianness within a word.
  mpz_import(r, count, -1, sizeof(unsigned long long), 0, 0, words);
}
static inline size_t cgmp_z_size_limbs(mpz_srcptr a) { return mpz_size(a); }
static inline mp_limb_t cgmp_z_limb(mpz_srcptr a, size_t i) { return mpz_getlimbn(a, (mp_size_t)i); }

// MARK: Text

// Writes the base-10 text of q ("p/q", or "p" for an integer) into a buffer of
// at least cgmp_q_str_capacity(q) bytes.
static inline size_t cgmp_q_str_capacity(mpq_srcptr q) {
  return mpz_sizeinbase(mpq_numref(q), 10) + mpz_sizeinbase(mpq_denref(q), 10) + 3;
}
static inline char *cgmp_q_get_str(char *buffer, mpq_srcptr q) { return mpq_get_str(buffer, 10, q); }

// MARK: Memory functions (for the allocation-counting hook of the leak test)

typedef void *(*cgmp_alloc_fn)(size_t);
typedef void *(*cgmp_realloc_fn)(void *, size_t, size_t);
typedef void (*cgmp_free_fn)(void *, size_t);

static inline void cgmp_set_memory_functions(cgmp_alloc_fn a, cgmp_realloc_fn r, cgmp_free_fn f) {
  mp_set_memory_functions(a, r, f);
}

#endif
