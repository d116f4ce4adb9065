import path from 'node:path';
import type { Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import { LAYERS, type Layer } from '../analyze/layers.js';
import { idPair } from '../analyze/pci-facts.js';
import { parseSnapshotFileName } from '../store/naming.js';
import type { Assessment, BootRef, DecisiveSummary, Hardware, LayerState } from './types.js';

/** A DMI or CPU string worth matching on: firmware placeholders ("To Be Filled By O.E.M.") become null. */
export function dmiValue(s: string | null | undefined): string | null {
  const t = s?.trim();
  // Firmware placeholders say nothing about the board; two hosts sharing one are not the same SKU by it.
  return t && !/^(to be filled by o\.e\.m\.|default string|system product name|not specified|none)$/i.test(t) ? t : null;
}

export function hardwareOf(snap: Snapshot): Hardware {
  const dmi = snap.host.dmi;
  const board = [dmiValue(dmi?.boardVendor), dmiValue(dmi?.boardName)].filter(Boolean).join(' ');
  return { vendor: dmiValue(dmi?.sysVendor), product: dmiValue(dmi?.productName), board: board || null, cpu: dmiValue(snap.host.cpu?.modelName) };
}

/** Where a snapshot was taken and when, from the snapshot itself; the file is where it was found. */
export function bootRef(snap: Snapshot, file: string): BootRef {
  // Without a hostname the store directory is the host (a store holds one host); a loose file is its own.
  const host = snap.host.hostname ?? (parseSnapshotFileName(path.basename(file)) ? path.dirname(file) : file);
  return {
    file,
    host,
    collectedAt: snap.collectedAt,
    kernel: snap.host.kernelRelease,
    bootId: snap.host.bootId,
    biosVersion: dmiValue(snap.host.dmi?.biosVersion),
    biosDate: dmiValue(snap.host.dmi?.biosDate),
    hardware: hardwareOf(snap),
  };
}

/** Each layer's state, the verdict and the target ids of one analysed snapshot. */
export function assess(snap: Snapshot, report: Report): Assessment {
  const layers = Object.fromEntries(LAYERS.map((l) => [l, 'ok'])) as Record<Layer, LayerState>;
  for (const u of report.unchecked) if (u.couldFail) layers[u.layer] = 'undetermined';
  for (const f of report.findings) {
    if (f.severity === 'fail') layers[f.layer] = 'fail';
    else if (f.severity === 'warn' && layers[f.layer] !== 'fail') layers[f.layer] = 'warn';
  }
  const byAddress = new Map(snap.pci.map((d) => [d.address, d]));
  const targetIds = [...new Set(report.targets.filter((t) => t.role === 'target').flatMap((t) => {
    const d = byAddress.get(t.address);
    return d ? [idPair(d)] : [];
  }))].sort();
  const decisive = report.verdict.findingId === null ? null : report.findings.find((f) => f.id === report.verdict.findingId && f.subject === report.verdict.subject && f.severity === report.verdict.severity) ?? null;
  return { verdict: report.verdict, decisive, layers, targetIds, findings: report.findings };
}

export function decisiveSummary(a: Assessment): DecisiveSummary {
  return { status: a.verdict.status, layer: a.verdict.layer, cause: a.verdict.cause, findingId: a.verdict.findingId, title: a.decisive?.title ?? null };
}
