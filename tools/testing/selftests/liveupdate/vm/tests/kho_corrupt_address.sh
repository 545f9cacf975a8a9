# SPDX-License-Identifier: GPL-2.0
# A hand-over whose preserved-memory-map is a misaligned address must be
# rejected; see kho_corrupt_compatible.sh.
# lu-append: kho=on
# lu-timeout: 180

KHO_CORRUPT=address
# shellcheck source=kho_corrupt_compatible.sh source-path=SCRIPTDIR
. /lu/tests/kho_corrupt_compatible.sh
