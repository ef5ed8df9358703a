#!/bin/sh
# /init of the Linux guest's initramfs (scripts/fetch-linux.sh): busybox sh.
# Mounts proc and sys, says how far it got, and powers the machine off
# (reboot(2) with RB_POWER_OFF: ACPI S5 through the platform).
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
cpus=$($bb grep -c '^processor' /proc/cpuinfo)
uptime=$($bb cut -d ' ' -f 1 /proc/uptime)
clock=$($bb cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
echo "linux guest: userspace up on $cpus CPUs, uptime $uptime"
echo "linux guest: clocksource $clock"
$bb poweroff -f
