import type { FirmwareInfo } from '../../snapshot/types.js';
import { parseEfiBoolVar, parseLockdown } from '../../parse/security.js';
import { note, type CollectContext } from '../context.js';

const EFI_GLOBAL = '8be4df61-93ca-11d2-aa0d-00e098032b8c';

export function collectFirmware(ctx: CollectContext): FirmwareInfo {
  const tablesDir = '/sys/firmware/acpi/tables';
  const tables = ctx.fs.readDir(tablesDir);
  note(ctx, 'acpi-tables', tables.record);
  // The table files are root-only, but their names are listable by anyone: presence is what counts.
  const has = (n: string) => (tables.ok ? tables.value.includes(n) : null);

  const efi = ctx.fs.isDir('/sys/firmware/efi') ? true : ctx.fs.exists('/sys/firmware') ? false : null;
  const efiVar = (name: string, id: string): boolean | null => {
    if (!efi) return null;
    const r = ctx.fs.readBytes(`/sys/firmware/efi/efivars/${name}-${EFI_GLOBAL}`, 64);
    note(ctx, id, r.record);
    return r.ok ? parseEfiBoolVar(r.value) : null;
  };

  const lockdown = ctx.fs.readText('/sys/kernel/security/lockdown');
  note(ctx, 'lockdown', lockdown.record);
  return {
    acpiTables: { DMAR: has('DMAR'), IVRS: has('IVRS'), IORT: has('IORT') },
    efi,
    secureBoot: efiVar('SecureBoot', 'efivar-SecureBoot'),
    setupMode: efiVar('SetupMode', 'efivar-SetupMode'),
    lockdown: lockdown.ok ? parseLockdown(lockdown.value) : null,
  };
}
