/* Stub: real emitter follows. */
#include "model.h"
int emit_machine_c(const struct machine *m, FILE *out) { (void)m; (void)out; return 0; }
int emit_machine_h(const struct machine *m, FILE *out) { (void)m; (void)out; return 0; }
int emit_machine_mk(const struct machine *m, FILE *out) { (void)m; (void)out; return 0; }
