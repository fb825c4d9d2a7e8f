/* Strings no machine file should contain but any may: quotes, backslashes,
 * comment closers, would-be trigraphs ("?" "?=" is split here so this file
 * itself has none), control bytes and UTF-8. gen_hostile puts them into a
 * model; test_emit_strings checks the compiled output returns them intact. */
#define H_FILE    "machines/we\"ird */ dir\\x.yaml"
#define H_NAME    "we\"ird\\name"
#define H_CMDLINE "console=ttyS0 root=\"/dev/vda\" a\\b ?" "?= ?" "?/ x?" "?" "?-\ttab\nnl \001\177 \xc3\xa9 */ /* 0"
#define H_KERNEL  "/boot/vmlinuz \"quoted\" \\\\server"
#define H_ROM     "rom\\file*/.bin"
#define H_PROP    "*/ \"x\" \\ ?" "?( \r\n"
#define H_DEV0    "net-0"
#define H_DEV1    "net_0"
#define H_DEV2    "odd*/name"
