/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The C1-Deb and C2 texts are qemu-img's bytes (checked against Debian
 * 10.0.13 and 11.1.3 in baselines/units); only the program name
 * differs.
 */
#include "help.h"

void help_instar(FILE *out, const char *prog)
{
    fprintf(out,
"usage: %s [--qemu-compat=VERSION] [--allow-path=DIR]... map [options] FILENAME\n"
"       %s [--qemu-compat=VERSION] --version | --help\n"
"\n"
"Prints what `qemu-img map` prints, byte for byte, for the qemu-img release\n"
"chosen with --qemu-compat; the image is parsed inside a sandboxed VM.\n"
"\n"
"instar options (accepted anywhere before \"--\"):\n"
"  --qemu-compat=VERSION\n"
"     imitate this qemu-img release: X.Y, X.Y.Z, or the first line of\n"
"     `qemu-img --version` (needed to select Debian's 10.0.x packages).\n"
"     Default: $INSTAR_QEMU_COMPAT, else the newest known release\n"
"  --allow-path=DIR\n"
"     also let the image name files (VMDK extents, qcow2 data files) inside\n"
"     DIR; by default only the image's directory and the working directory\n"
"     are allowed (repeatable, up to 16)\n"
"\n"
"instar environment variables:\n"
"  INSTAR_QEMU_COMPAT       default for --qemu-compat\n"
"  INSTAR_TIMEOUT_SECONDS   stop a run after this many seconds (1-86400,\n"
"                           default 3600)\n"
"  INSTAR_IDLE_SECONDS      stop a guest silent for this many seconds\n"
"                           (1-86400, default 30)\n"
"  An empty value counts as unset; any other invalid value is an error.\n"
"\n"
"map options, as qemu-img map takes them:\n"
"  -f, --format FMT\n"
"     image format (default: probed)\n"
"  -s, --start-offset OFFSET\n"
"     start at OFFSET bytes into the image\n"
"  -l, --max-length LENGTH\n"
"     map at most LENGTH bytes\n"
"  --output human|json\n"
"     output format (default: human)\n"
"  -U, --force-share\n"
"     open the image in shared mode for concurrent access\n"
"  -h, --help\n"
"     help of the imitated release: qemu-img's own command help where the\n"
"     release has one (Debian 10.0.x, 10.1 and later), which does not list\n"
"     instar's options; this text otherwise\n"
"  --image-opts and --object are not supported.\n"
"\n"
"Exit status: 0 on success, 1 on any error, as qemu-img map.\n"
"Manual: instar(1), instar-map(1).\n",
            prog, prog);
}

static void help_c1_deb(FILE *out, const char *prog)
{
    fprintf(out,
"Usage:\n"
"Dump image metadata.  Usage:\n"
"\n"
"  %s map [-f FMT | --image-opts] [--object OBJDEF] [--output human|json]\n"
"        [--start-offset OFFSET] [--max-length LENGTH] [-U] FILENAME\n"
"\n"
"Arguments:\n"
"  -h, --help\n"
"     print this help and exit\n"
"  -f, --format FMT\n"
"     specify FILENAME image format explicitly\n"
"  --image-opts\n"
"     indicates that FILENAME is a complete image specification\n"
"     instead of a file name (incompatible with --format)\n"
"  --start-offset OFFSET\n"
"  --max-length LENGTH\n"
"  --output human|json\n"
"     specify output format name (default human)\n"
"  -U, --force-share\n"
"     open image in shared mode for concurrent access\n"
"  --object OBJDEF\n"
"     QEMU user-creatable object (eg encryption key)\n"
"  FILENAME\n"
"     image file name (or specification with --image-opts)\n"
"\n",
            prog);
}

static void help_c2(FILE *out, const char *prog)
{
    fprintf(out,
"Usage:\n"
"  %s map [-f FMT | --image-opts]\n"
"        [--start-offset OFFSET] [--max-length LENGTH]\n"
"        [--output human|json] [-U] [--object OBJDEF] FILE\n"
"\n"
"Dump image metadata.\n"
"\n"
"Arguments:\n"
"  -h, --help\n"
"     print this help and exit\n"
"  -f, --format FMT\n"
"     specify FILE image format explicitly (default: probing is used)\n"
"  --image-opts\n"
"     treat FILE as an option string (key=value,..), not a file name\n"
"     (incompatible with -f|--format)\n"
"  -s, --start-offset OFFSET\n"
"     start at the given OFFSET in the image, not at the beginning\n"
"  -l, --max-length LENGTH\n"
"     process at most LENGTH bytes instead of up to the end of the image\n"
"  --output human|json\n"
"     specify output format name (default: human)\n"
"  -U, --force-share\n"
"     open image in shared mode for concurrent access\n"
"  --object OBJDEF\n"
"     defines QEMU user-creatable object\n"
"  FILE\n"
"     the image file name, or option string (key=value,..)\n"
"     with --image-opts, to operate on\n"
"\n",
            prog);
}

void help_map(FILE *out, const char *prog, enum cli_profile cli)
{
    switch (cli) {
    case CLI_C0:
    case CLI_C1:
        help_instar(out, prog);
        return;
    case CLI_C1_DEB:
        help_c1_deb(out, prog);
        return;
    case CLI_C2:
        help_c2(out, prog);
        return;
    }
}
