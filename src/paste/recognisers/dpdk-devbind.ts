// dpdk-devbind.py --status: which driver holds each network (crypto, DMA ...) function, as DPDK's own
// tool sees it ("0000:44:00.3 'Ethernet Controller X710 for 10 Gigabit SFP+ 104e' drv=vfio-pci
// unused=i40e"). The quoted name ends with the device id; the vendor id is not printed.
import { whereText, type Recogniser } from '../types.js';
import { DRIVER_FROM } from '../facts.js';
import { ADDR, addr, seeDevice } from './common.js';

const HEADING = /^(?:Network|Crypto|Eventdev|Mempool|Compress|Misc \(rawdev\)|DMA|Baseband|Regex|ML|Other)\b.*devices (?:using|not using|bound)/i;
const RULE = /^=+$/;
const DEVICE = new RegExp(`^(${ADDR}) '(.*?)(?: ([0-9a-fA-F]{4}))?'(.*)$`);
const NONE = /^No '.*' devices detected$/;
const CLASS_OF_HEADING: [RegExp, string][] = [
  [/^Network/i, '020000'],
  [/^Crypto/i, '108000'],
  [/^DMA/i, '088000'],
];

export const dpdkDevbind: Recogniser = {
  id: 'dpdk-devbind',
  label: 'dpdk-devbind.py --status',
  commands: /dpdk-devbind/,
  match(lines, at) {
    const t = lines[at]!.text.trim();
    if (!HEADING.test(t)) return null;
    let i = at;
    let heading = t;
    const devices: { address: string; name: string; deviceId: string | null; driver: string | null; cls: string | null }[] = [];
    while (i < lines.length) {
      const s = lines[i]!.text.trim();
      if (s === '' || RULE.test(s) || NONE.test(s)) {
        i++;
        continue;
      }
      if (HEADING.test(s)) {
        heading = s;
        i++;
        continue;
      }
      const m = DEVICE.exec(s);
      const a = m ? addr(m[1]!) : null;
      if (!m || !a) break;
      const drv = /\bdrv=(\S+)/.exec(m[4]!)?.[1] ?? null;
      devices.push({ address: a, name: m[2]!, deviceId: m[3] ?? null, driver: drv, cls: CLASS_OF_HEADING.find(([re]) => re.test(heading))?.[1] ?? null });
      i++;
    }
    return {
      length: i - at,
      apply(facts, where) {
        const w = whereText(where);
        for (const d of devices) {
          seeDevice(facts, d.address, w, { deviceId: d.deviceId, classCode: d.cls, deviceName: d.name });
          facts.setDriver(d.address, d.driver, DRIVER_FROM.tool, w);
        }
        facts.note('dpdk-devbind', w);
      },
    };
  },
};
