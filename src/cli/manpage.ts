// vfio-doctor(1), written from the same option tables as --help.
import type { Command } from './command.js';
import { HELP_OPTION, type OptionSpec } from './options.js';
import { optionText } from './help.js';

/** Text made safe for roff: backslashes, and a leading dot or quote that would start a request. */
function roff(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
}

function optionTerm(o: OptionSpec): string {
  const long = `\\fB\\-\\-${roff(o.name)}\\fR${o.value !== undefined ? ` \\fI${roff(o.value)}\\fR` : ''}`;
  return o.short !== undefined ? `\\fB\\-${roff(o.short)}\\fR, ${long}` : long;
}

export interface ManPageInfo {
  version: string;
  /** Month and year of the release, as man pages date themselves ("December 2026"). */
  date: string;
}

export function manPage(commands: readonly Command[], info: ManPageInfo): string {
  const out: string[] = [
    `.TH VFIO\\-DOCTOR 1 "${info.date}" "vfio\\-doctor ${roff(info.version)}" "User Commands"`,
    '.SH NAME',
    'vfio\\-doctor \\- diagnose PCI passthrough (IOMMU / VFIO) breakage, layer by layer',
    '.SH SYNOPSIS',
    '.B vfio\\-doctor',
    '.I command',
    '.RI [ options ]',
    '.br',
    '.B vfio\\-doctor help',
    '.I command',
    '.br',
    '.B vfio\\-doctor \\-\\-version',
    '.SH DESCRIPTION',
    roff(
      'vfio-doctor walks the chain that PCI passthrough depends on, in order: firmware exposes the IOMMU, the kernel enables it, the VFIO modules load early enough, vfio-pci binds the device and its companions, the IOMMU group is isolated, the device resets and behaves, the hypervisor can open it. It stops at the first layer that is broken, shows the evidence and gives the fix for the distribution of the host. It only reads the host, except for the install and uninstall commands.',
    ),
    '.PP',
    roff('Run it as root to see everything; without root it still runs and says what it could not read.'),
    '.SH COMMANDS',
  ];
  for (const cmd of commands) {
    out.push(`.SS ${roff(cmd.name)}`, '.B', roff(cmd.usage), '.PP', roff(cmd.summary.charAt(0).toUpperCase() + cmd.summary.slice(1) + '.'));
    for (const p of cmd.positionals ?? []) out.push('.TP', `\\fI${roff(p.name)}\\fR`, roff(p.description));
    for (const o of [...cmd.options, HELP_OPTION]) out.push('.TP', optionTerm(o), roff(optionText(o)));
    out.push('.PP', 'Examples:');
    for (const e of cmd.examples) out.push('.RS', '.B', roff(e.command), '.br', roff(e.says), '.RE');
  }
  out.push(
    '.SH EXIT STATUS',
    '.TP',
    '.B 0',
    roff('healthy, or warnings only; for diff, no regression; the command did what was asked'),
    '.TP',
    '.B 1',
    roff('a failing finding (check, analyze), a predicted failure (preflight), a regression (diff), a SKU on hold (fleet), or a systemctl step that failed (install, uninstall)'),
    '.TP',
    '.B 2',
    roff('bad usage, unreadable input, or an internal error: one line on standard error says what and where'),
    '.TP',
    '.B 3',
    roff('with --strict: warnings only, or undetermined'),
    '.SH ENVIRONMENT',
    '.TP',
    '.B NO_COLOR',
    roff('when set, no colour even on a terminal'),
    '.TP',
    '.B VFIO_DOCTOR_KB',
    roff('a :-separated list of directories of extra knowledge-base entries for decode'),
    '.TP',
    '.B VFIO_DOCTOR_DEBUG',
    roff('when set, an internal error also prints its stack trace'),
    '.SH SEE ALSO',
    '.BR lspci (8),',
    '.BR dmesg (1),',
    '.BR virsh (1)',
    '',
  );
  return out.join('\n');
}
