#ifndef CALLSHEET_CLINEEDIT_SHIM_H
#define CALLSHEET_CLINEEDIT_SHIM_H
#include <stdio.h>
#include <editline/readline.h>

/// Sets libedit's completion hook; Swift 6 cannot assign the C global directly.
static inline void callsheet_set_completion(rl_completion_func_t *function) {
    rl_attempted_completion_function = function;
}

/// Tells libedit not to fall back to file-name completion after ours.
static inline void callsheet_completion_over(void) {
    rl_attempted_completion_over = 1;
}
#endif
