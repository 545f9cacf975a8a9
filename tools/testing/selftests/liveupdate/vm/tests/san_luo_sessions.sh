# SPDX-License-Identifier: GPL-2.0
# luo_sessions.sh on the sanitize leg: KASAN, KFENCE and kmemleak watch it.
# lu-kernel: sanitize
# lu-mem: 2G
# lu-append: kho=on liveupdate=on
# lu-timeout: 300

. /lu/tests/luo_sessions.sh
