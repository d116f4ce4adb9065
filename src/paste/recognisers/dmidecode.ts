// dmidecode (full, or -t bios / -t system / -t baseboard): the "BIOS Information", "System Information"
// and "Base Board Information" records give the firmware's vendor, version and date and the board, for
// firmware advice ("update the BIOS" means something once the version is known). The same fields the
// collector reads from /sys/class/dmi/id.
import type { DmiInfo } from '../../snapshot/types.js';
import { whereText, type InputLine, type Recogniser } from '../types.js';

const HEADER = /^(?:# dmidecode \d|Getting SMBIOS data from|SMBIOS \d+\.\d+(?:\.\d+)? present|Handle 0x[0-9A-Fa-f]{4}, DMI type \d+)/;
const RECORD = /^(BIOS Information|System Information|Base Board Information)$/;
const FIELD = /^\s+([A-Za-z][A-Za-z ]*?):\s?(.*)$/;

/** Where each record's fields go in DmiInfo. */
const FIELDS: Record<string, Record<string, keyof DmiInfo>> = {
  'BIOS Information': { 'Vendor': 'biosVendor', 'Version': 'biosVersion', 'Release Date': 'biosDate' },
  'System Information': { 'Manufacturer': 'sysVendor', 'Product Name': 'productName' },
  'Base Board Information': { 'Manufacturer': 'boardVendor', 'Product Name': 'boardName' },
};

function startsHere(lines: readonly InputLine[], at: number): boolean {
  const t = lines[at]!.text.trim();
  return HEADER.test(t) || (RECORD.test(t) && FIELD.test(lines[at + 1]?.text ?? ''));
}

export const dmidecode: Recogniser = {
  id: 'dmidecode',
  label: 'dmidecode (BIOS, system and board records)',
  commands: /^dmidecode\b/,
  match(lines, at) {
    if (!startsHere(lines, at)) return null;
    const found: Partial<DmiInfo> = {};
    let record: string | null = null;
    let i = at;
    for (; i < lines.length; i++) {
      const raw = lines[i]!.text;
      const t = raw.trim();
      if (t === '' || HEADER.test(t) || /^Table at 0x|^\d+ structures occupying/.test(t)) {
        record = null;
        continue;
      }
      const f = FIELD.exec(raw);
      if (f && /^\s/.test(raw)) {
        const key = record ? FIELDS[record]?.[f[1]!.trim()] : undefined;
        if (key && f[2]!.trim() !== '' && !/^(?:Not Specified|To Be Filled By O\.E\.M\.|Default string)$/i.test(f[2]!.trim())) found[key] = f[2]!.trim();
        continue;
      }
      // A record title ("BIOS Information", "Processor Information", "OEM-specific Type"...).
      if (/^[A-Z][\w -]*(?:Information|Type|Table|Device|Slot|Array|Controller)?$/.test(t) && !/:/.test(t)) {
        record = t;
        continue;
      }
      break;
    }
    while (i > at && lines[i - 1]!.text.trim() === '') i--;
    if (Object.keys(found).length === 0) return null;
    return {
      length: i - at,
      apply(facts, where) {
        facts.dmi = { sysVendor: null, productName: null, boardVendor: null, boardName: null, biosVendor: null, biosVersion: null, biosDate: null, ...facts.dmi, ...found };
        facts.note('sys/class/dmi/id', whereText(where), 'dmidecode');
      },
    };
  },
};
