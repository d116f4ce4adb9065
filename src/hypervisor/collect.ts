// Collection of the hypervisor layer: VM definitions, how QEMU is run, its limits and its logs.
// Files are read through HostFs (so --root works); virsh runs only on the live host, with a timeout,
// and a libvirtd that does not answer is recorded and left behind.
import fs from 'node:fs';
import type { Snapshot, ToolMessage } from '../snapshot/types.js';
import { note, type CollectContext } from '../collect/context.js';
import { runCommand } from '../collect/run-command.js';
import { libvirtVm, parseDomainXml, type ParsedDomain } from './libvirt.js';
import { parsePveMappings, parsePveVmConfig, proxmoxVm } from './proxmox.js';
import { parseLimitsConf, parseUnitMemlock } from './limits.js';
import { collectQemuProcesses, withoutDescribedProcesses } from './running-qemu.js';
import { defaultLibvirtUser, parseQemuConf, resolveIdentity } from './identity.js';
import { parseAccounts, type Accounts } from '../parse/passwd.js';
import type { HypervisorInfo, QemuIdentity, VmDefinition } from './types.js';

const VIRSH = ['virsh', '-c', 'qemu:///system'];
const LOG_TAIL_BYTES = 256 * 1024;
const LOG_LINES = 200;
const VFIO_LINE = /vfio|iommu|hostdev|memlock|RLIMIT|not viable|x-vga|romfile|rom file|Failed to mmap|BAR \d|\/dev\/vfio/i;

function text(ctx: CollectContext, id: string, p: string): string | null {
  const r = ctx.fs.readText(p);
  if (r.ok || r.record.status !== 'absent') note(ctx, id, r.record);
  return r.ok ? r.value : null;
}

function libvirtIdentity(ctx: CollectContext, acc: Accounts): QemuIdentity {
  const conf = text(ctx, 'etc/libvirt/qemu.conf', '/etc/libvirt/qemu.conf');
  const kv = conf ? parseQemuConf(conf) : {};
  const dyn = kv['dynamic_ownership']?.value !== '0';
  if (kv['user']) return resolveIdentity(acc, kv['user'].value, kv['group']?.value ?? null, `/etc/libvirt/qemu.conf (${kv['user'].line})`, dyn);
  return resolveIdentity(acc, defaultLibvirtUser(acc), kv['group']?.value ?? null, 'libvirt default (no user in /etc/libvirt/qemu.conf)', dyn);
}

function toVm(d: ParsedDomain, file: string, runAs: QemuIdentity, autostart: boolean): VmDefinition {
  return libvirtVm(d, file, null, { runAs, autostart });
}

async function collectLibvirt(ctx: CollectContext, acc: Accounts): Promise<{ vms: VmDefinition[]; nodedevs: string[] | null }> {
  const dir = '/etc/libvirt/qemu';
  const listing = ctx.fs.readDir(dir);
  const vms = new Map<string, VmDefinition>();
  // A live host is asked through virsh even without /etc/libvirt (a missing virsh is just 'absent').
  const installed = listing.ok || ctx.fs.exists('/etc/libvirt');
  if (!installed && !ctx.live) return { vms: [], nodedevs: null };
  if (installed) note(ctx, 'etc/libvirt/qemu', listing.record);
  const runAs = libvirtIdentity(ctx, acc);
  const autostart = new Set(ctx.fs.list(`${dir}/autostart`).map((f) => f.replace(/\.xml$/, '')));
  for (const f of (listing.ok ? listing.value : []).filter((n) => n.endsWith('.xml'))) {
    const p = `${dir}/${f}`;
    const t = text(ctx, `libvirt-domain:${f}`, p);
    if (t === null) continue;
    try {
      const d = parseDomainXml(t, p);
      vms.set(d.name, toVm(d, p, runAs, autostart.has(d.name)));
    } catch (err) {
      note(ctx, `libvirt-domain:${f}`, { status: 'error', path: p, message: (err as Error).message });
    }
  }
  let nodedevs: string[] | null = null;
  if (ctx.live) {
    // Once libvirtd fails to answer, every further virsh call would wait as long again.
    const list = await runCommand([...VIRSH, 'list', '--all', '--name'], { timeoutMs: ctx.commandTimeoutMs });
    note(ctx, 'virsh-list', list.record);
    if (list.record.status === 'read') {
      for (const name of list.stdout.split('\n').map((s) => s.trim()).filter(Boolean)) {
        const x = await runCommand([...VIRSH, 'dumpxml', '--inactive', name], { timeoutMs: ctx.commandTimeoutMs });
        note(ctx, `virsh-dumpxml:${name}`, x.record);
        if (x.record.status !== 'read') continue;
        try {
          const d = parseDomainXml(x.stdout, `virsh dumpxml ${name}`);
          vms.set(d.name, toVm(d, vms.get(d.name)?.file ?? `virsh dumpxml ${name}`, runAs, autostart.has(d.name)));
        } catch (err) {
          note(ctx, `virsh-dumpxml:${name}`, { status: 'error', command: x.record.command ?? [], message: (err as Error).message });
        }
      }
      const nd = await runCommand([...VIRSH, 'nodedev-list', '--cap', 'pci'], { timeoutMs: ctx.commandTimeoutMs });
      note(ctx, 'virsh-nodedev-list', nd.record);
      if (nd.record.status === 'read') nodedevs = nd.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    }
  } else {
    const nd = text(ctx, 'virsh-nodedev-list', '/commands/virsh-nodedev-list');
    if (nd !== null) nodedevs = nd.split('\n').map((s) => s.trim()).filter(Boolean);
  }
  return { vms: [...vms.values()], nodedevs };
}

function collectProxmox(ctx: CollectContext, node: string | null, acc: Accounts): { vms: VmDefinition[]; mappings: HypervisorInfo['pveMappings'] } {
  // /etc/pve/qemu-server is a link to this node's directory; a copied tree may hold only nodes/<node>/.
  // Other nodes' VMs run elsewhere: their addresses mean nothing here.
  let dir = '/etc/pve/qemu-server';
  if (!ctx.fs.isDir(dir) && node !== null) dir = `/etc/pve/nodes/${node}/qemu-server`;
  const listing = ctx.fs.readDir(dir);
  if (listing.ok || listing.record.status !== 'absent') note(ctx, 'etc/pve/qemu-server', listing.record);
  const root = resolveIdentity(acc, 'root', null, 'Proxmox VE runs QEMU as root', true);
  const vms: VmDefinition[] = [];
  for (const f of (listing.ok ? listing.value : []).filter((n) => /^\d+\.conf$/.test(n))) {
    const p = `${dir}/${f}`;
    const t = text(ctx, `pve-vm:${f}`, p);
    if (t === null) continue;
    const v = parsePveVmConfig(t, f.replace(/\.conf$/, ''), p);
    vms.push(proxmoxVm(v, p, null, root, v.onboot));
  }
  const m = text(ctx, 'etc/pve/mapping/pci.cfg', '/etc/pve/mapping/pci.cfg');
  return { vms, mappings: m === null ? null : parsePveMappings(m, '/etc/pve/mapping/pci.cfg') };
}

function collectMemlock(ctx: CollectContext): HypervisorInfo['memlock'] {
  const services: HypervisorInfo['memlock']['services'] = [];
  for (const unit of ['libvirtd.service', 'virtqemud.service']) {
    // Unit search order: the first file found is the unit; drop-ins of every directory apply, /etc last.
    const dirs = ['/usr/lib/systemd/system', '/lib/systemd/system', '/run/systemd/system', '/etc/systemd/system'];
    const main = [...dirs].reverse().map((d) => `${d}/${unit}`).find((p) => ctx.fs.exists(p));
    const files = main ? [main] : [];
    for (const d of dirs) for (const f of ctx.fs.list(`${d}/${unit}.d`).filter((n) => n.endsWith('.conf'))) files.push(`${d}/${unit}.d/${f}`);
    for (const f of files) {
      const t = text(ctx, `systemd:${f}`, f);
      if (t !== null) for (const s of parseUnitMemlock(t, f)) services.push({ ...s, unit });
    }
  }
  const limitsConf: HypervisorInfo['memlock']['limitsConf'] = [];
  const files = ['/etc/security/limits.conf', ...ctx.fs.list('/etc/security/limits.d').filter((n) => n.endsWith('.conf')).map((n) => `/etc/security/limits.d/${n}`)];
  for (const f of files) {
    const t = text(ctx, `limits:${f}`, f);
    if (t !== null) limitsConf.push(...parseLimitsConf(t, f));
  }
  return { services, limitsConf };
}

/** The last lines of each QEMU log that concern device assignment. */
function collectQemuLogs(ctx: CollectContext): ToolMessage[] {
  const dir = '/var/log/libvirt/qemu';
  const out: ToolMessage[] = [];
  for (const f of ctx.fs.list(dir).filter((n) => n.endsWith('.log'))) {
    const p = `${dir}/${f}`;
    let body: string;
    try {
      // Logs grow without bound; only the tail is the recent run.
      const opened = ctx.fs.openFile(p);
      if (!opened.ok) {
        note(ctx, `libvirt-qemu-log:${f}`, opened.record);
        continue;
      }
      const fd = opened.value;
      try {
        const size = fs.fstatSync(fd).size;
        const start = Math.max(0, size - LOG_TAIL_BYTES);
        const buf = Buffer.alloc(size - start);
        fs.readSync(fd, buf, 0, buf.length, start);
        body = buf.toString('utf8');
        // Cut mid-line: drop the partial first line. Line numbers then count from the kept tail.
        if (start > 0) body = body.slice(body.indexOf('\n') + 1);
      } finally {
        fs.closeSync(fd);
      }
      note(ctx, `libvirt-qemu-log:${f}`, { status: 'read', path: p });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      note(ctx, `libvirt-qemu-log:${f}`, { status: e.code === 'EACCES' || e.code === 'EPERM' ? 'denied' : 'error', path: p, message: e.message });
      continue;
    }
    const lines = body.split('\n');
    const from = Math.max(0, lines.length - LOG_LINES);
    for (let i = from; i < lines.length; i++) {
      const t = lines[i]!.trim();
      if (t === '' || !VFIO_LINE.test(t)) continue;
      out.push({ tool: /^(?:[\d-]+ [\d:.+]+: )?libvirt/i.test(t) ? 'libvirt' : 'qemu', source: p, line: i + 1, text: t });
    }
  }
  return out;
}

/** Fills snapshot.hypervisor and appends QEMU log lines to snapshot.toolMessages. */
export async function collectHypervisor(ctx: CollectContext, snapshot: Snapshot): Promise<void> {
  const read = (p: string) => {
    const r = ctx.fs.readText(p);
    return r.ok ? r.value : '';
  };
  const acc = parseAccounts(read('/etc/passwd'), read('/etc/group'));
  const node = ctx.fs.readAttr('/etc/hostname')?.split('.')[0] ?? snapshot.host.hostname?.split('.')[0] ?? null;
  const lv = await collectLibvirt(ctx, acc);
  const pve = collectProxmox(ctx, node, acc);
  const vms = withoutDescribedProcesses([...lv.vms, ...pve.vms, ...collectQemuProcesses(ctx)]);
  // Analysis is pure, so whether each ROM image exists is settled here. A relative romfile= of a QEMU
  // command line is looked up in QEMU's data directories, which differ between builds: left unknown.
  for (const a of vms.flatMap((v) => v.devices)) if (a.romFile !== null && a.romFile.startsWith('/')) a.romFileFound = ctx.fs.exists(a.romFile);
  const info: HypervisorInfo = { vms, pveMappings: pve.mappings, node, libvirtNodedevs: lv.nodedevs, memlock: collectMemlock(ctx) };
  snapshot.hypervisor = info;
  snapshot.toolMessages.push(...collectQemuLogs(ctx));
}
