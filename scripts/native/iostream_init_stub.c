/* Defines std::ios_base_library_init() (mangled _ZSt21ios_base_library_initv) as a no-op.
 * GCC 13 emits a reference to it from <iostream> to force iostream initialisation; libstdc++ < 13
 * (Debian 12) lacks it. libtorch initialises its iostreams itself, so a no-op is correct here.
 * Written in C with the mangled name so it builds with any C compiler. */
void _ZSt21ios_base_library_initv(void) {}
