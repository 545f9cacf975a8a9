# SPDX-License-Identifier: GPL-2.0
# kho_chain.sh (A -> B -> C) on a kernel with deferred struct page init,
# as Debian configures it: preserved pages must be restored correctly
# also when their struct pages are initialized late.
# lu-kernel: sanitize
# lu-append: kho=on
# lu-timeout: 180

KHO_DEFERRED=1
. /lu/tests/kho_chain.sh
