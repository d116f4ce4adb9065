// /sys/kernel/security/lockdown: the active level is bracketed ("none [integrity] confidentiality").
import { parseLockdown } from '../../parse/security.js';
import { whereText, type Recogniser } from '../types.js';

export const lockdown: Recogniser = {
  id: 'lockdown',
  label: '/sys/kernel/security/lockdown',
  commands: /\/sys\/kernel\/security\/lockdown/,
  match(lines, at) {
    const t = lines[at]!.text.trim();
    if (!/^(?:\[?none\]?)\s+(?:\[?integrity\]?)\s+(?:\[?confidentiality\]?)$/.test(t)) return null;
    const level = parseLockdown(t);
    if (!level) return null;
    return {
      length: 1,
      apply(facts, where) {
        facts.lockdown = level;
        facts.note('lockdown', whereText(where));
      },
    };
  },
};
