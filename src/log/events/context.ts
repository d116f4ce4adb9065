// Subjects whose every line is worth keeping, decoded or not: a line that names the IOMMU, VFIO or a
// boot framebuffer at all is context a reader of the diagnosis may need, even when no rule names its
// exact wording. These are the only prefilter anchors that belong to no single rule.

import type { Layer } from '../../analyze/layers.js';

export interface ContextAnchors {
  subject: string;
  layer: Layer;
  /** Literals (>= 4 bytes, case-sensitive): a line holding one is kept. */
  anchors: readonly string[];
  /** Real lines that no rule decodes and that these anchors keep. */
  examples: readonly string[];
}

export const CONTEXT_ANCHORS: readonly ContextAnchors[] = [
  {
    subject: 'IOMMU drivers and tables (Intel, AMD, generic, ARM SMMU)',
    layer: 'kernel',
    anchors: ['DMAR', 'dmar', 'DRHD', 'RMRR', 'INTR-REMAP', 'iommu', 'IOMMU', 'AMD-Vi', 'IVRS', 'smmu', 'SMMU', 'remapping', 'x2apic'],
    examples: ['[    0.012345] ACPI: Reserving IVRS table memory at [mem 0xb9c39000-0xb9c391a3]', '[    0.406118] DMAR: No ATSR found', '[    0.411500] AMD-Vi: Using global IVHD EFR:0x206d73ef22254ade, EFR2:0x0'],
  },
  {
    subject: 'VFIO and the programs that use it',
    layer: 'hypervisor',
    anchors: ['vfio', 'VFIO', 'allow_unsafe_interrupts'],
    examples: ['[  112.312244] vfio-pci 0000:01:00.0: vfio_cap_init: 0000:01:00.0 hiding cap 0xa'],
  },
  {
    subject: 'SR-IOV virtual functions and PCI access control',
    layer: 'isolation',
    anchors: ['SR-IOV', ' ACS'],
    examples: [],
  },
  {
    subject: 'boot framebuffers that can sit on a GPU\'s BAR, and the boot VGA device',
    layer: 'device',
    anchors: ['simpledrm', 'simple-framebuffer', 'simplefb', 'efifb', 'vesafb', 'BOOTFB', 'sysfb', 'boot VGA'],
    examples: ['[    0.389181] efifb: probing for efifb'],
  },
  {
    subject: 'kernel lockdown and Secure Boot',
    layer: 'modules',
    anchors: ['ockdown', 'ecureboot'],
    examples: [],
  },
];
