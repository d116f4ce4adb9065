import type { PciConfig, PciDevice, PciNames, SourceRecord } from '../../snapshot/types.js';
import { tryDecodeConfigSpace, VF_ID_REGISTERS } from '../../pci/config/index.js';
import { note, type CollectContext } from '../context.js';
import { isFullFunctionAddress, slotOf } from '../../pci/address.js';

export type NameLookup = (d: { vendorId: string; deviceId: string; subsystemVendorId: string | null; subsystemDeviceId: string | null; classCode: string }) => PciNames | null;

/** "0x10de" -> "10de"; null for anything that is not hex. */
function hexAttr(v: string | null, width: number): string | null {
  if (v === null) return null;
  const m = /^(?:0x)?([0-9a-fA-F]+)$/.exec(v.trim());
  return m ? m[1]!.toLowerCase().padStart(width, '0').slice(-width) : null;
}

function boolAttr(v: string | null): boolean | null {
  return v === null ? null : v === '1';
}

function readConfig(ctx: CollectContext, base: string): { config: PciConfig | null; status: SourceRecord } {
  const path = `${base}/config`;
  // Decoded here and dropped: read without a copy of its own.
  const r = ctx.fs.readBytesTransient(path, 4096);
  if (!r.ok) return { config: null, status: r.record };
  const bytes = r.value;
  if (bytes.length < 64) {
    return { config: null, status: { status: 'error', path, message: bytes.length === 0 ? 'config space file is empty' : `config space cut short: ${bytes.length} bytes` } };
  }
  const decoded = tryDecodeConfigSpace(bytes);
  if ('error' in decoded) return { config: null, status: { status: 'error', path, message: decoded.error } };
  const config = decoded.config;
  let status: SourceRecord = { status: 'read', path };
  if (bytes.length === 64 || (bytes.length === 128 && config.headerType === 2)) {
    status = { status: 'denied', path, message: `only the first ${bytes.length} bytes are readable without root: capabilities, FLR and ACS not visible` };
  } else if (config.truncated) status = { status: 'error', path, message: `config space cut short: ${bytes.length} bytes` };
  return { config, status };
}

/** The VFs a PF has enabled (virtfn0, virtfn1 ... links); the directory is listed only when virtfn0 is there. */
function virtualFunctions(ctx: CollectContext, base: string): string[] {
  if (!ctx.fs.has(`${base}/virtfn0`)) return [];
  return ctx.fs
    .list(base)
    .filter((f) => /^virtfn\d+$/.test(f))
    .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)))
    .map((f) => ctx.fs.linkBase(`${base}/${f}`))
    .filter((v): v is string => v !== null);
}

function collectDevice(ctx: CollectContext, name: string, lookup: NameLookup | null, light: boolean): PciDevice | null {
  const real = ctx.fs.realPath(`/sys/bus/pci/devices/${name}`);
  if (!real.ok) {
    note(ctx, `pci:${name}`, real.record);
    return null;
  }
  const base = real.value;
  // Each attribute is opened directly, without listing the directory first (open, two getdents, close
  // and thirty names cost more than the few attributes a device may lack).
  const attr = (f: string) => ctx.fs.readAttr(`${base}/${f}`);
  const link = (f: string) => ctx.fs.linkBase(`${base}/${f}`);
  const vendorId = hexAttr(attr('vendor'), 4);
  const deviceId = hexAttr(attr('device'), 4);
  // A missing config file reads as absent, "not present", as a listing would have said.
  const { config, status } = readConfig(ctx, base);
  if (status.status !== 'read') note(ctx, `pci:${name}:config`, status);
  const components = base.split('/');
  const upstream = components.filter((c) => isFullFunctionAddress(c) && c !== name);
  const classCode = hexAttr(attr('class'), 6) ?? '000000';
  const override = attr('driver_override');
  const group = link('iommu_group');
  const dev: PciDevice = {
    address: name,
    vendorId: vendorId ?? (config?.vendorId || 'ffff'),
    deviceId: deviceId ?? (config?.deviceId || 'ffff'),
    subsystemVendorId: hexAttr(attr('subsystem_vendor'), 4),
    subsystemDeviceId: hexAttr(attr('subsystem_device'), 4),
    classCode,
    revision: null,
    names: null,
    driver: link('driver'),
    driverOverride: override === null || override === '(null)' || override === '' ? null : override,
    iommuGroup: group !== null && /^\d+$/.test(group) ? Number(group) : null,
    modalias: null,
    bootVga: null,
    resetMethods: null,
    d3coldAllowed: null,
    powerState: null,
    numaNode: null,
    sysfsPath: base,
    upstream,
    multifunction: config && config.length >= 16 ? config.multifunction : null,
    // Most functions are no VF: looked for first, as a failed readlink throws, which costs several
    // times the lookup.
    physfn: ctx.fs.has(`${base}/physfn`) ? link('physfn') : null,
    virtfns: [],
    config,
    configStatus: status,
  };
  if (!light) readDetail(ctx, dev);
  if (lookup) dev.names = lookup(dev);
  return dev;
}

/**
 * The attributes a light collection leaves out (null, virtfns empty): revision, modalias, boot_vga,
 * reset_method, d3cold_allowed, power_state, numa_node and the VF links. What a light one keeps
 * (ids, class, config space, driver, driver_override, IOMMU group, physfn) is all that tells which
 * functions are targets, their companions and groups; check reads the rest for those alone.
 */
export function readDetail(ctx: CollectContext, dev: PciDevice): void {
  const base = dev.sysfsPath;
  if (base === null) return;
  const attr = (f: string) => ctx.fs.readAttr(`${base}/${f}`);
  // Those many functions lack are looked for first (a failed open throws, which costs several times
  // the lookup): boot_vga is a VGA device's, reset_method only a function with a reset method has.
  const rare = (f: string) => (ctx.fs.has(`${base}/${f}`) ? attr(f) : null);
  dev.revision = hexAttr(attr('revision'), 2);
  dev.modalias = attr('modalias');
  dev.bootVga = boolAttr(rare('boot_vga'));
  const resetText = rare('reset_method');
  dev.resetMethods = resetText === null ? null : resetText.split(/\s+/).filter(Boolean);
  dev.d3coldAllowed = boolAttr(attr('d3cold_allowed'));
  dev.powerState = attr('power_state');
  const numa = attr('numa_node');
  dev.numaNode = numa !== null && /^-?\d+$/.test(numa) ? Number(numa) : null;
  dev.virtfns = virtualFunctions(ctx, base);
}

/**
 * A virtual function's id registers read 0xffff by design. sysfs gives its real ids; where the capture
 * lacks those files, they are the PF's vendor and the VF device id of the PF's SR-IOV capability. The
 * decoder's note about the hidden ids is expected of a VF, so it is dropped there.
 */
function virtualFunctionIds(devices: PciDevice[]): void {
  const byAddress = new Map(devices.map((d) => [d.address, d]));
  for (const vf of devices) {
    if (vf.physfn === null) continue;
    if (vf.config) vf.config.problems = vf.config.problems.filter((p) => p !== VF_ID_REGISTERS);
    const pf = byAddress.get(vf.physfn);
    const vfDeviceId = pf?.config?.sriov?.vfDeviceId;
    if (!pf || vf.vendorId !== 'ffff' || pf.vendorId === 'ffff') continue;
    vf.vendorId = pf.vendorId;
    if (vfDeviceId && vf.deviceId === 'ffff') vf.deviceId = vfDeviceId;
  }
}

/**
 * Every PCI function of the host. `light` leaves out what readDetail() reads (see there): check asks
 * for that only of the functions its analysis reads it of.
 */
export function collectPci(ctx: CollectContext, lookup: NameLookup | null, light = false): PciDevice[] {
  const dir = ctx.fs.readDir('/sys/bus/pci/devices');
  note(ctx, 'sys/bus/pci/devices', dir.record);
  if (!dir.ok) return [];
  const devices: PciDevice[] = [];
  for (const name of dir.value) {
    if (!isFullFunctionAddress(name)) {
      note(ctx, `pci:${name}`, { status: 'error', path: `/sys/bus/pci/devices/${name}`, message: 'not a PCI address' });
      continue;
    }
    const d = collectDevice(ctx, name, lookup, light);
    if (d) devices.push(d);
  }
  virtualFunctionIds(devices);
  // Without a readable header, a function is multifunction when its slot has siblings.
  const perSlot = new Map<string, number>();
  for (const d of devices) perSlot.set(slotOf(d.address), (perSlot.get(slotOf(d.address)) ?? 0) + 1);
  for (const d of devices) {
    if (d.multifunction !== null) continue;
    d.multifunction = (perSlot.get(slotOf(d.address)) ?? 0) > 1 ? true : null;
  }
  return devices;
}
