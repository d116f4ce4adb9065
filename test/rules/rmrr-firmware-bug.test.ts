import { ruleTests } from './helpers.js';
import { rmrrFirmwareBug } from '../../src/analyze/rules/firmware/rmrr-firmware-bug.js';

const BUG = '[    0.098731] DMAR: [Firmware Bug]: No firmware reserved region can cover this RMRR [0x00000000000e8000-0x00000000000e8fff], contact BIOS vendor for fixes\n[    0.098794] DMAR: [Firmware Bug]: Your BIOS is broken; bad RMRR [0x00000000000e8000-0x00000000000e8fff]\n';

ruleTests(rmrrFirmwareBug, [
  { name: 'broken RMRR on a stock kernel', paste: BUG, finds: [{ cause: 'rmrr-blocked', severity: 'warn', subject: null, text: /ineligible for IOMMU domain attach/ }] },
  // A warning still: the host works only while it runs the patched build (a stock kernel update refuses again).
  { name: 'broken RMRR on a relaxable-RMRR kernel is a warning that names the patch', paste: `$ uname -r\n5.13.19-5-pve-relaxablermrr\n${BUG}`, finds: [{ cause: 'rmrr-blocked', severity: 'warn', text: /relaxable-RMRR patch.*build without the patch brings the refusal back/ }] },
  { name: 'RMRR lines that are not firmware bugs', paste: '[    0.012] DMAR: RMRR base: 0x0000007c000000 end: 0x000000803fffff\n', finds: [] },
]);
