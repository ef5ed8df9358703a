/* Boot command line parsing: "key=value key2=a,b flag". Pure. */
#ifndef CMDLINE_PARSE_H
#define CMDLINE_PARSE_H

#include <stddef.h>
#include <stdbool.h>

/*
 * Copy the value of the last "key=value" (or bare "key": empty value) into
 * buf. Returns buf, or NULL if the key is absent. Values longer than cap-1
 * are cut. A value in double quotes, key="a b c", may hold spaces; the
 * quotes are not part of it, and the same goes for a whole quoted token,
 * "key=a b c" (GRUB's multiboot commands quote a word that has spaces so). Quotes elsewhere in a token also keep spaces
 * in it (an unmatched one runs to the end of the line).
 */
const char *cmdline_lookup(const char *cmdline, const char *key, char *buf, size_t cap);

/* True if key's value, read as a comma-separated list, contains item. */
bool cmdline_list_has(const char *cmdline, const char *key, const char *item);

#endif
