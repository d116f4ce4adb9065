// Option entries that several commands share, described once.
import type { OptionSpec } from './options.js';
import { UsageError } from './command.js';
import type { ColourChoice } from '../render/style.js';
import { DEFAULT_STORE_DIR } from '../store/store.js';

export const ROOT_OPTION = {
  name: 'root',
  value: 'DIR',
  description: "read a copy of a host's files under DIR (DIR/sys, DIR/proc, DIR/etc, ...) instead of this host",
  default: 'this host',
  complete: 'dir',
} as const satisfies OptionSpec;

export const DEVICE_OPTION = {
  name: 'device',
  value: 'ADDR',
  multiple: true,
  description: 'a PCI function to pass through, as 0000:01:00.0 or 01:00.0; the other functions of its slot are checked with it',
  default: "the targets named by the host's own configuration (vfio-pci ids, driver_override, VM definitions)",
  complete: 'none',
} as const satisfies OptionSpec;

export const IDS_OPTION = {
  name: 'ids',
  value: 'VVVV:DDDD',
  multiple: true,
  description: 'target every function with this vendor:device id (hex; a comma-separated list also works)',
  complete: 'none',
} as const satisfies OptionSpec;

export const JSON_OPTION = {
  name: 'json',
  description: 'print the result as JSON instead of text',
} as const satisfies OptionSpec;

export const MARKDOWN_OPTION = {
  name: 'markdown',
  description: 'print the result as Markdown, for a ticket or a forum post',
} as const satisfies OptionSpec;

export const STRICT_OPTION = {
  name: 'strict',
  description: 'exit 3 when the verdict is a warning or undetermined, not only 1 when broken',
} as const satisfies OptionSpec;

export const POLICY_OPTION = {
  name: 'policy',
  value: 'FILE',
  description: 'also judge the host against a written passthrough policy (YAML; vfio-doctor policy init writes one)',
  complete: 'file',
} as const satisfies OptionSpec;

export const HTML_OPTION = {
  name: 'html',
  value: 'FILE',
  description: 'also write the report as one self-contained HTML page to FILE (no network; prints well); an existing FILE is not overwritten',
  complete: 'file',
} as const satisfies OptionSpec;

export const COLOR_OPTION = {
  name: 'color',
  value: 'WHEN',
  description: 'colour the text output: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never',
  default: 'auto',
  complete: 'none',
} as const satisfies OptionSpec;

/** The value of --color, checked. */
export function colourChoice(value: string | undefined): ColourChoice {
  const v = value ?? 'auto';
  if (v === 'auto' || v === 'always' || v === 'never') return v;
  throw new UsageError(`--color ${v}: expected auto, always or never`);
}

export const STORE_DIR_OPTION = {
  name: 'dir',
  value: 'DIR',
  description: 'the snapshot store directory',
  default: `${DEFAULT_STORE_DIR} (under --root when given)`,
  complete: 'dir',
} as const satisfies OptionSpec;

export const REDACT_OPTION = {
  name: 'redact',
  description: 'replace hostnames, user names, serial numbers, MAC and IP addresses and UUIDs by placeholders (<host-1>, <mac-1>, ...), the same value by the same placeholder, for posting the output publicly',
} as const satisfies OptionSpec;

export const QUIET_OPTION = {
  name: 'quiet',
  description: 'show no progress line on standard error (otherwise shown on a terminal while work takes over a second, and erased before the result)',
} as const satisfies OptionSpec;
