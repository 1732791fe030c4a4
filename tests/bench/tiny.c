/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tiny.c -- the smallest real ELF executable: exit(0). burst.sh and
 * latency.sh drop copies of it (built -static -nostdlib). */
void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
	for (;;)
		;
}
