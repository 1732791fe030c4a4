/* fuzz-config.h -- what configure would define, for the fuzz build */
#define _GNU_SOURCE 1
#define PACKAGE_VERSION "fuzz"
#define SYSCONFDIR "/etc"
