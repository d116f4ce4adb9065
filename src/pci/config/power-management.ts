// PCI Power Management capability (ID 0x01). What matters for passthrough is the control/status register:
// the current power state, and No_Soft_Reset, which decides whether a D3hot->D0 cycle resets the function
// (the kernel's "pm" reset method needs it clear).
import type { PciConfig } from '../../snapshot/types.js';
import type { ConfigReader } from './config-reader.js';
import { hexOffset } from './hex.js';

/** Power Management Control/Status Register (PMCSR). */
export const PM_CTRL = 4;
export const PM_CTRL_STATE_MASK = 0x0003;
export const PM_CTRL_NO_SOFT_RESET = 0x0008;

const POWER_STATES = ['D0', 'D1', 'D2', 'D3hot'] as const;

export type PowerManagement = NonNullable<PciConfig['pm']>;

export function decodePowerManagement(cfg: ConfigReader, at: number, problems: string[]): PowerManagement | null {
  const pmcsr = cfg.u16(at + PM_CTRL);
  if (pmcsr === null) {
    problems.push(`Power Management capability at ${hexOffset(at)} is cut off before its control register`);
    return null;
  }
  return {
    noSoftReset: (pmcsr & PM_CTRL_NO_SOFT_RESET) !== 0,
    powerState: POWER_STATES[pmcsr & PM_CTRL_STATE_MASK]!,
  };
}
