# SPDX-License-Identifier: GPL-2.0
# kho_basic.sh on the sanitize leg: KASAN, KFENCE and kmemleak watch it.
# lu-kernel: sanitize
# lu-mem: 2G
# lu-append: kho=on
# lu-timeout: 180

. /lu/tests/kho_basic.sh
