// The knowledge-base files shipped with vfio-doctor. They are imported (not read from disk) so the
// single-file bundle carries them. A test checks that every kb/*.json file is listed here.

import dma from '../../kb/dma.json' with { type: 'json' };
import framebuffer from '../../kb/framebuffer.json' with { type: 'json' };
import hypervisor from '../../kb/hypervisor.json' with { type: 'json' };
import interrupts from '../../kb/interrupts.json' with { type: 'json' };
import iommu from '../../kb/iommu.json' with { type: 'json' };
import isolation from '../../kb/isolation.json' with { type: 'json' };
import modules from '../../kb/modules.json' with { type: 'json' };
import reset from '../../kb/reset.json' with { type: 'json' };
import type { KbSource } from './validate.js';

export const BUILTIN_KB_FILES: readonly KbSource[] = [
  { file: 'kb/iommu.json', data: iommu },
  { file: 'kb/interrupts.json', data: interrupts },
  { file: 'kb/modules.json', data: modules },
  { file: 'kb/isolation.json', data: isolation },
  { file: 'kb/framebuffer.json', data: framebuffer },
  { file: 'kb/reset.json', data: reset },
  { file: 'kb/dma.json', data: dma },
  { file: 'kb/hypervisor.json', data: hypervisor },
];
