// The systemd unit that takes a snapshot at every boot and logs how this boot compares with the
// previous one. Two commands rather than one special-purpose subcommand: both are what a person would
// run by hand, so the unit's behaviour is documented by the CLI itself.

export const UNIT_NAME = 'vfio-doctor-boot-snapshot.service';
export const UNIT_MARKER = '# vfio-doctor boot snapshots';
export const DEFAULT_KEEP = 30;

export interface UnitOptions {
  /** Absolute path of the Node.js binary (process.execPath). */
  node: string;
  /** Absolute path of the vfio-doctor script (process.argv[1], resolved); null when `node` is the single executable, script included. */
  cli: string | null;
  /** Store directory as seen on the host at boot; null for the default (/var/lib/vfio-doctor/snapshots). */
  dir: string | null;
  keep: number;
  /** node_exporter textfile to refresh at every boot (check --prometheus); absent or null: none. */
  prometheus?: string | null;
}

export class UnitError extends Error {}

/** One argument in systemd's command-line syntax: quoted when needed, specifiers (%) and variables ($) escaped. */
export function systemdArg(arg: string): string {
  if (/[\n\r\0]/.test(arg)) throw new UnitError(`cannot put a path with a line break into a unit: ${JSON.stringify(arg)}`);
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (arg !== '' && !/[\s"'\\;]/.test(arg)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function command(prefix: string, o: UnitOptions, args: string[]): string {
  return `ExecStart=${prefix}${[o.node, ...(o.cli !== null ? [o.cli] : []), ...args].map(systemdArg).join(' ')}`;
}

export function renderUnit(o: UnitOptions): string {
  if (!o.node.startsWith('/') || (o.cli !== null && !o.cli.startsWith('/'))) throw new UnitError('the unit needs absolute paths for node and the vfio-doctor script');
  if (o.prometheus && !o.prometheus.startsWith('/')) throw new UnitError(`--prometheus ${o.prometheus}: the unit needs an absolute path`);
  const dirArgs = o.dir !== null ? ['--dir', o.dir] : [];
  const storage =
    o.dir === null
      ? ['StateDirectory=vfio-doctor', 'StateDirectoryMode=0700']
      : // "-": a store directory that does not exist yet is created by the first save, not a start failure.
        [`ReadWritePaths=-${systemdArg(o.dir)}`];
  return [
    UNIT_MARKER,
    '# Written by "vfio-doctor install --boot-snapshots"; "vfio-doctor uninstall" removes it.',
    '# Saves a passthrough health snapshot at every boot, then logs one line comparing it with the',
    '# previous boot ("journalctl -u vfio-doctor-boot-snapshot"; details: "vfio-doctor diff --last").',
    '[Unit]',
    'Description=vfio-doctor passthrough health snapshot at boot',
    // Modules from modules-load.d (vfio-pci among them) must have loaded and bound first; the VMs must
    // not have started yet, so the snapshot shows the host as the boot left it.
    'After=systemd-modules-load.service',
    'Before=libvirt-guests.service pve-guests.service',
    '',
    '[Service]',
    'Type=oneshot',
    command('', o, ['snapshot', '--save', '--keep', String(o.keep), ...dirArgs]),
    // "-": a regression is reported in the journal; it must not mark the boot as degraded.
    command('-', o, ['diff', '--last', '--summary', ...dirArgs]),
    // "-" again: a broken host is what the metrics report, not a failed unit.
    ...(o.prometheus ? [command('-', o, ['check', '--prometheus', o.prometheus])] : []),
    'Environment=NO_COLOR=1',
    'SyslogIdentifier=vfio-doctor',
    ...storage,
    ...(o.prometheus ? [`ReadWritePaths=-${systemdArg(o.prometheus.slice(0, o.prometheus.lastIndexOf('/')) || '/')}`] : []),
    'ProtectSystem=full',
    'PrivateTmp=yes',
    'NoNewPrivileges=yes',
    'TimeoutStartSec=180',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
