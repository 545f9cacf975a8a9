# SPDX-License-Identifier: GPL-2.0
# memfd_basic.sh on the sanitize leg: KASAN, KFENCE and kmemleak watch it.
# lu-kernel: sanitize
# lu-append: kho=on liveupdate=on
# lu-mem: 2G
# lu-timeout: 900

. /lu/tests/memfd_basic.sh
