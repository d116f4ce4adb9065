// Single sysfs attributes read by hand, which only the command line explains: module parameters
// ("cat /sys/module/vfio_pci/parameters/disable_idle_d3" -> "Y", or grep -r . over the directory),
// and per-device attributes (reset_method, power_state, d3cold_allowed, driver_override).
import { whereText, type Recogniser } from '../types.js';
import { DRIVER_FROM, type PasteFacts } from '../facts.js';
import { ADDR, addr } from './common.js';

const PARAM_PATH = /\/sys\/module\/([\w-]+)\/parameters\/([\w-]+)/;
const DEVICE_PATH = new RegExp(`/sys/bus/pci/devices/(${ADDR})/(reset_method|power_state|d3cold_allowed|driver_override|driver)\\b`);

function record(facts: PasteFacts, path: string, value: string, where: string): boolean {
  const p = PARAM_PATH.exec(path);
  if (p) {
    const mod = p[1]!.replace(/-/g, '_');
    facts.moduleParams[mod] = { ...(facts.moduleParams[mod] ?? {}), [p[2]!]: value };
    facts.note('sys/module/parameters', where);
    return true;
  }
  const d = DEVICE_PATH.exec(path);
  const a = d ? addr(d[1]!) : null;
  if (!d || !a) return false;
  const dev = facts.device(a, where);
  if (d[2] === 'reset_method') dev.resetMethods = value.split(/\s+/).filter(Boolean);
  else if (d[2] === 'power_state') dev.powerState = value;
  else if (d[2] === 'driver') {
    const name = /\/drivers\/([\w-]+)\/?$/.exec(value)?.[1];
    if (name) facts.setDriver(a, name, DRIVER_FROM.lspci, where);
  }
  return true;
}

export const sysfsAttr: Recogniser = {
  id: 'sysfs-attr',
  label: 'sysfs attributes read with cat / grep -r (module parameters, reset_method, power_state)',
  commands: /\/sys\/(?:module\/[\w-]+\/parameters|bus\/pci\/devices\/)/,
  match(lines, at, ctx) {
    const t = lines[at]!.text.trim();
    // grep -r . /sys/module/vfio_pci/parameters -> "/sys/module/vfio_pci/parameters/ids:10de:1e87"
    const prefixed = /^(\/sys\/\S+?):(.*)$/.exec(t);
    if (prefixed && (PARAM_PATH.test(prefixed[1]!) || DEVICE_PATH.test(prefixed[1]!))) {
      return { length: 1, apply: (facts, where) => void record(facts, prefixed[1]!, prefixed[2]!.trim(), whereText(where)) };
    }
    const cmd = ctx.command ?? '';
    const target = /^(?:cat|readlink(?:\s+-f)?)\s+(\/sys\/\S+)\s*$/.exec(cmd)?.[1];
    if (!target || !(PARAM_PATH.test(target) || DEVICE_PATH.test(target)) || t === '' || at !== 0) return null;
    return { length: 1, apply: (facts, where) => void record(facts, target, t, whereText(where)) };
  },
};
