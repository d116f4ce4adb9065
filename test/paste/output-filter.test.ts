// What a pasted command line lets through: absence of a line is evidence only when the command would have
// shown it. Table-driven over the pipelines people paste.
import test from 'node:test';
import assert from 'node:assert/strict';
import { absenceCounts, outputFilterOf } from '../../src/paste/output-filter.js';

const DMAR = '[    0.000000] ACPI: DMAR 0x000000007A5B4000 0000A8 (v01 INTEL  EDK2     00000002      01000013)';
const VFIO = '[   22.728663] VFIO - User Level meta-driver version: 0.3';
const GROUP = '[    0.334151] pci 0000:00:02.0: Adding to iommu group 0';

// [command, line, shown: true / false / null (cannot tell)]
const ROWS: [string | null, string, boolean | null][] = [
  [null, DMAR, true],
  ['dmesg', DMAR, true],
  ['sudo dmesg -T', DMAR, true],
  ['journalctl -k -b', DMAR, true],
  ['cat /var/log/kern.log', DMAR, true],
  ['dmesg | grep -i vfio', DMAR, false],
  ['dmesg | grep -i vfio', VFIO, true],
  ['dmesg | grep vfio', VFIO, false],
  ['dmesg | grep -i -e DMAR -e IOMMU', DMAR, true],
  ['dmesg | grep -i -e DMAR -e IOMMU', GROUP, true],
  ['dmesg | grep -e DMAR -e IOMMU', GROUP, false],
  ['dmesg | grep -iE "dmar|iommu"', GROUP, true],
  ["dmesg | grep 'DMAR\\|IOMMU'", DMAR, true],
  ["dmesg | grep 'DMAR|IOMMU'", DMAR, false],
  ['dmesg | egrep "DMAR|IOMMU"', DMAR, true],
  ['dmesg | grep -F "ACPI: DMAR"', DMAR, true],
  ['dmesg | grep -v DMAR', DMAR, false],
  ['dmesg | grep -v DMAR', VFIO, true],
  ['dmesg | grep -w vfio', VFIO, false],
  ['dmesg | grep -iw vfio', VFIO, true],
  ['dmesg | grep ACPI | grep -v Reserving', DMAR, true],
  ['dmesg | grep --ignore-case --regexp=dmar', DMAR, true],
  ['grep -i dmar /var/log/kern.log', DMAR, true],
  ['grep -i vfio /var/log/kern.log', DMAR, false],
  ['zgrep -i iommu /var/log/kern.log.2.gz', DMAR, false],
  ['dmesg | grep -m1 DMAR', DMAR, null],
  ['dmesg | head -50', DMAR, null],
  ['dmesg | tail', DMAR, null],
  ['dmesg --level=err,warn', DMAR, null],
  ['journalctl -k --grep=vfio', DMAR, null],
  ['dmesg | grep -i dmar | head', DMAR, null],
  ['dmesg | grep "[[:space:]]DMAR"', DMAR, true],
  ['dmesg | grep "unterminated', DMAR, null],
];

for (const [command, line, want] of ROWS) {
  test(`${command ?? '(no command)'} ${want === null ? 'cannot tell about' : want ? 'shows' : 'hides'} "${line.slice(15, 45)}"`, () => {
    const f = outputFilterOf(command);
    assert.equal(f === null ? true : f.shows(line), want);
    assert.equal(absenceCounts(command, line), want === true);
  });
}

test('an unfiltered command has no filter at all', () => {
  for (const c of [null, 'dmesg', 'journalctl -k', 'cat /var/log/kern.log', 'sudo dmesg | less']) assert.equal(outputFilterOf(c), null, String(c));
});
