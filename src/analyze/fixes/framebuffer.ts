// Which kernel argument keeps a boot framebuffer off a GPU's BAR depends on who registers it. Up to 5.14
// efifb (UEFI) or vesafb (BIOS) drive the firmware framebuffer, and video=efifb:off / video=vesafb:off
// turn them off. From 5.15, with CONFIG_SYSFB_SIMPLEFB (drivers/firmware/sysfb.c, the default of
// distribution kernels), sysfb_init registers a simple-framebuffer device whose memory is named BOOTFB
// and simpledrm or simplefb drives it; video=efifb:off then changes nothing and
// initcall_blacklist=sysfb_init is what keeps the device from being registered.
import { kernelAtLeast } from '../context.js';

/** Who the evidence says holds the framebuffer: the sysfb device, efifb / vesafb, or nobody named. */
export type FramebufferOwner = 'sysfb' | 'efifb' | 'vesafb' | 'unknown';

export interface FramebufferFix {
  /** Kernel arguments to add, empty when the right one depends on a fact not in the evidence. */
  add: string[];
  /** Why these arguments, for this kernel (or the condition between the two when it is unknown). */
  why: string;
}

const SYSFB_FROM: [number, number] = [5, 15];
const SYSFB_ARG = 'initcall_blacklist=sysfb_init';
const LEGACY_ARGS = ['video=efifb:off', 'video=vesafb:off'];

/** Names a /proc/iomem entry or a log line gives the framebuffer holder, sorted into owners. */
export function framebufferOwnerOf(name: string): FramebufferOwner {
  if (/BOOTFB|simpledrm|simplefb|simple-framebuffer/.test(name)) return 'sysfb';
  if (/efifb|efi-framebuffer/.test(name)) return 'efifb';
  if (/vesafb|vesa-framebuffer/.test(name)) return 'vesafb';
  return 'unknown';
}

/**
 * The kernel argument that removes the framebuffer for this owner and kernel. What the evidence names
 * outranks the kernel version: an efifb claim on a 6.x kernel means that kernel was built without
 * SYSFB_SIMPLEFB, so video=efifb:off does work there.
 */
export function framebufferFix(owner: FramebufferOwner, kernel: [number, number] | null, release: string | null): FramebufferFix {
  if (owner === 'sysfb') {
    return { add: [SYSFB_ARG], why: `The framebuffer is the sysfb simple-framebuffer (BOOTFB, driven by simpledrm or simplefb): ${SYSFB_ARG} keeps it from being registered; video=efifb:off does not touch it.` };
  }
  if (owner === 'efifb' || owner === 'vesafb') {
    return { add: [`video=${owner}:off`], why: `${owner} drives the firmware framebuffer on this kernel: video=${owner}:off turns it off.` };
  }
  const newer = kernelAtLeast(kernel, ...SYSFB_FROM);
  const named = release ? `kernel ${release}` : 'this kernel';
  if (newer === true) {
    return { add: [SYSFB_ARG], why: `On ${named} (5.15 or later) the firmware framebuffer comes from sysfb (simpledrm / simplefb on the BOOTFB resource), so ${SYSFB_ARG} is the argument that removes it; video=efifb:off no longer helps.` };
  }
  if (newer === false) {
    return { add: LEGACY_ARGS, why: `On ${named} (before 5.15) efifb (UEFI boot) or vesafb (BIOS boot) drives the firmware framebuffer: ${LEGACY_ARGS.join(' ')} turns it off.` };
  }
  return {
    add: [],
    why: `Which argument removes it depends on the kernel, which is not in the evidence (uname -r shows it): from 5.15 the framebuffer comes from sysfb (simpledrm / simplefb on BOOTFB) and ${SYSFB_ARG} removes it; before 5.15 efifb or vesafb drives it and ${LEGACY_ARGS.join(' ')} does.`,
  };
}
