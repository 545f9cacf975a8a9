// SPDX-License-Identifier: GPL-2.0
/*
 * tsc-khz: print the TSC frequency of this x86 host in kHz, measured
 * against CLOCK_MONOTONIC_RAW over 200 ms.
 *
 * A QEMU guest reads the host's TSC (TCG passes it through, KVM too unless
 * told to scale it), so the benchmark VMs get this value as tsc_early_khz=
 * and need not calibrate the TSC, which often fails under TCG and leaves
 * local_clock() at jiffies resolution.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

/* A (TSC, ns) pair, read where the TSC brackets clock_gettime() tightest. */
static void sample(unsigned long long *tsc, double *ns)
{
	unsigned long long a, b, best = ~0ULL;
	struct timespec ts;
	int i;

	for (i = 0; i < 20; i++) {
		a = __rdtsc();
		clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
		b = __rdtsc();
		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*ns = ts.tv_sec * 1e9 + ts.tv_nsec;
		}
	}
}

int main(void)
{
	struct timespec pause = { 0, 200000000 };
	unsigned long long t0, t1;
	double n0, n1;

	sample(&t0, &n0);
	nanosleep(&pause, NULL);
	sample(&t1, &n1);
	printf("%.0f\n", (t1 - t0) / (n1 - n0) * 1e6);
	return 0;
}
