# SPDX-License-Identifier: GPL-2.0
# A hand-over with overlapping scratch areas (or, with a single area, a
# misaligned one) must be rejected; see kho_corrupt_compatible.sh.  The
# scratch array is copied when the next kernel is loaded, which stage 1
# does after damaging it.
# lu-append: kho=on
# lu-timeout: 180

KHO_CORRUPT=scratch
# shellcheck source=kho_corrupt_compatible.sh source-path=SCRIPTDIR
. /lu/tests/kho_corrupt_compatible.sh
