// Shell fragments the guest runs. Each variant's script is the preamble plus its own steps; everything
// it wants the test to see goes to /out (a share of a host directory).

import { repoRoot } from '../../helpers/paths.js';
import path from 'node:path';

export const GUEST_DEVICE = '0000:01:00.0';
export const BUNDLE = path.join(repoRoot, 'dist', 'vfio-doctor.mjs');

export const PREAMBLE = `set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root NO_COLOR=1
DEV=${GUEST_DEVICE}
vd() { node '${BUNDLE}' "$@"; }
# Runs vfio-doctor and keeps stdout, stderr and the exit code as /out/NAME.{out,err,rc}.
vd_to() { name=$1; shift; vd "$@" > /out/$name.out 2> /out/$name.err; echo $? > /out/$name.rc; }
`;

/** Binds the device to vfio-pci the way driverctl does: driver_override, unbind, reprobe. */
export const BIND_VFIO = `modprobe vfio-pci
echo vfio-pci > /sys/bus/pci/devices/$DEV/driver_override
[ -e /sys/bus/pci/devices/$DEV/driver ] && echo $DEV > /sys/bus/pci/devices/$DEV/driver/unbind
echo $DEV > /sys/bus/pci/drivers_probe
`;

/**
 * A nested QEMU that opens the device through VFIO. -daemonize returns only after every device is
 * realised, so its exit code says whether the group, container and device opened; the daemon is then
 * stopped. `as` runs it as another user; `memlockKiB` sets its locked-memory limit first.
 * QEMU's log is then analysed, as a user would paste it (`alsoAnalyze` adds more captured files).
 */
export function nestedQemu(name: string, opts: { as?: string; memoryMiB?: number; memlockKiB?: number; alsoAnalyze?: string[] } = {}): string {
  const argv = [
    'qemu-system-x86_64', '-machine', 'q35,accel=tcg', '-nodefaults', '-display', 'none', '-S',
    '-m', String(opts.memoryMiB ?? 64), '-device', 'vfio-pci,host=$DEV',
    '-daemonize', '-pidfile', `/tmp/${name}.pid`,
  ].join(' ');
  const limited = opts.memlockKiB !== undefined ? `prlimit --memlock=${opts.memlockKiB * 1024} ${argv}` : argv;
  const run = opts.as ? `setpriv --reuid=${opts.as} --regid=${opts.as} --clear-groups ${limited}` : limited;
  // What a user would paste: QEMU's error lines (with whatever else alsoAnalyze names), through analyze.
  return `${run} > /out/${name}.log 2>&1; echo $? > /out/${name}.rc
[ -f /tmp/${name}.pid ] && kill $(cat /tmp/${name}.pid) 2>/dev/null
vd_to ${name}-analyze analyze /out/${name}.log ${(opts.alsoAnalyze ?? []).join(' ')} --json
`;
}

export const COLLECT = `dmesg > /out/dmesg.txt
vd_to check check --json
vd_to snapshot snapshot -o /out/snapshot.json
`;
