// The framebuffer fix follows the kernel in the evidence (issue 14 item 7): before 5.15 efifb / vesafb
// drive the firmware framebuffer and video=efifb:off removes it; from 5.15 sysfb registers it
// (BOOTFB, simpledrm / simplefb) and only initcall_blacklist=sysfb_init does. A framebuffer named by the
// evidence outranks the version; with neither, both are given with the condition between them.
import { ruleTests } from './helpers.js';
import { barConflict } from '../../src/analyze/rules/device/bar-conflict.js';

const RESERVE = "[  812.114420] vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0xe0000000-0xefffffff 64bit pref]\n";
const linux = (release: string) => `[    0.000000] Linux version ${release} (build@host) (gcc version 12.2.0) #1 SMP PREEMPT_DYNAMIC\n`;

ruleTests(barConflict, [
  {
    name: 'kernel 6.8: the sysfb framebuffer, initcall_blacklist=sysfb_init',
    paste: linux('6.8.12-4-pve') + RESERVE,
    finds: [{ cause: 'bar-conflict', severity: 'fail', subject: '0000:01:00.0', text: /6\.8\.12-4-pve \(5\.15 or later\).*initcall_blacklist=sysfb_init.*video=efifb:off no longer helps/ }],
  },
  {
    name: 'kernel 5.15.0 is already sysfb',
    paste: linux('5.15.0-91-generic') + RESERVE,
    finds: [{ cause: 'bar-conflict', severity: 'fail', text: /initcall_blacklist=sysfb_init/ }],
  },
  {
    name: 'kernel 5.10: efifb or vesafb, video=efifb:off',
    paste: linux('5.10.0-28-amd64') + RESERVE,
    finds: [{ cause: 'bar-conflict', severity: 'fail', text: /before 5\.15.*video=efifb:off video=vesafb:off/ }],
  },
  {
    name: 'kernel unknown: both, with the condition',
    paste: RESERVE,
    finds: [{ cause: 'bar-conflict', severity: 'fail', text: /not in the evidence.*from 5\.15.*initcall_blacklist=sysfb_init.*before 5\.15.*video=efifb:off/ }],
  },
  {
    name: 'efifb named on a 6.1 kernel built without SYSFB_SIMPLEFB: video=efifb:off works there',
    paste: linux('6.1.0-13-amd64') + '[    0.712000] efifb: framebuffer at 0xe0000000, using 3072k, total 3072k\n' + RESERVE,
    finds: [{ cause: 'bar-conflict', severity: 'fail', text: /efifb drives the firmware framebuffer on this kernel: video=efifb:off/ }],
  },
  {
    name: 'simpledrm named, kernel unknown: sysfb',
    paste: '[    1.600000] [drm] Initialized simpledrm 1.0.0 20200625 for simple-framebuffer.0 on minor 0\n' + RESERVE,
    finds: [{ cause: 'bar-conflict', severity: 'fail', text: /sysfb simple-framebuffer.*initcall_blacklist=sysfb_init/ }],
  },
  { name: 'no BAR conflict', paste: linux('6.8.12-4-pve') + '[    2.000000] vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)\n', finds: [] },
]);
