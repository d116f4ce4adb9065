// Capability IDs (PCI Local Bus / PCIe specs, include/uapi/linux/pci_regs.h) and the names lspci prints for
// them, so that our output and an lspci -vv listing of the same device read alike.

// Standard capabilities (list starts at the pointer in the header).
export const CAP_ID_PM = 0x01;
export const CAP_ID_MSI = 0x05;
export const CAP_ID_EXPRESS = 0x10;
export const CAP_ID_MSIX = 0x11;
export const CAP_ID_AF = 0x13;

// Extended capabilities (list starts at 0x100).
export const EXT_CAP_ID_AER = 0x01;
export const EXT_CAP_ID_ACS = 0x0d;
export const EXT_CAP_ID_ARI = 0x0e;
export const EXT_CAP_ID_ATS = 0x0f;
export const EXT_CAP_ID_SRIOV = 0x10;
export const EXT_CAP_ID_PRI = 0x13;
export const EXT_CAP_ID_REBAR = 0x15;
export const EXT_CAP_ID_PASID = 0x1b;

const STANDARD_NAMES: ReadonlyMap<number, string> = new Map([
  [0x01, 'Power Management'],
  [0x02, 'AGP'],
  [0x03, 'Vital Product Data'],
  [0x04, 'Slot ID'],
  [0x05, 'MSI'],
  [0x06, 'CompactPCI hot-swap'],
  [0x07, 'PCI-X'],
  [0x08, 'HyperTransport'],
  [0x09, 'Vendor Specific Information'],
  [0x0a, 'Debug port'],
  [0x0b, 'CompactPCI central resource control'],
  [0x0c, 'Hot-plug capable'],
  [0x0d, 'Subsystem'],
  [0x0e, 'AGP3'],
  [0x0f, 'Secure device'],
  [0x10, 'Express'],
  [0x11, 'MSI-X'],
  [0x12, 'SATA HBA'],
  [0x13, 'PCI Advanced Features'],
  [0x14, 'Enhanced Allocation (EA)'],
]);

const EXTENDED_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'Null'],
  [0x01, 'Advanced Error Reporting'],
  [0x02, 'Virtual Channel'],
  [0x03, 'Device Serial Number'],
  [0x04, 'Power Budgeting'],
  [0x05, 'Root Complex Link'],
  [0x06, 'Root Complex Internal Link'],
  [0x07, 'Root Complex Event Collector Endpoint Association'],
  [0x08, 'Multi-Function Virtual Channel'],
  [0x09, 'Virtual Channel'],
  [0x0a, 'Root Complex Register Block'],
  [0x0b, 'Vendor Specific Information'],
  [0x0d, 'Access Control Services'],
  [0x0e, 'Alternative Routing-ID Interpretation (ARI)'],
  [0x0f, 'Address Translation Service (ATS)'],
  [0x10, 'Single Root I/O Virtualization (SR-IOV)'],
  [0x11, 'Multi-Root I/O Virtualization'],
  [0x12, 'Multicast'],
  [0x13, 'Page Request Interface (PRI)'],
  [0x15, 'Physical Resizable BAR'],
  [0x16, 'Dynamic Power Allocation'],
  [0x17, 'Transaction Processing Hints'],
  [0x18, 'Latency Tolerance Reporting'],
  [0x19, 'Secondary PCI Express'],
  [0x1a, 'Protocol Multiplexing'],
  [0x1b, 'Process Address Space ID (PASID)'],
  [0x1c, 'LN Requester'],
  [0x1d, 'Downstream Port Containment'],
  [0x1e, 'L1 PM Substates'],
  [0x1f, 'Precision Time Measurement'],
  [0x20, 'PCI Express over M_PHY'],
  [0x21, 'FRS Queueing'],
  [0x22, 'Readiness Time Reporting'],
  [0x23, 'Designated Vendor-Specific'],
  [0x24, 'Virtual Resizable BAR'],
  [0x25, 'Data Link Feature'],
  [0x26, 'Physical Layer 16.0 GT/s'],
  [0x27, 'Lane Margining at the Receiver'],
  [0x28, 'Hierarchy ID'],
  [0x29, 'Native PCIe Enclosure Management'],
  // Newer than the pciutils 3.9 name table; spec names.
  [0x2a, 'Physical Layer 32.0 GT/s'],
  [0x2b, 'Alternate Protocol'],
  [0x2c, 'System Firmware Intermediary'],
  [0x2d, 'Shadow Functions'],
  [0x2e, 'Data Object Exchange'],
  [0x2f, 'Device 3'],
  [0x30, 'Integrity and Data Encryption'],
  [0x31, 'Physical Layer 64.0 GT/s'],
]);

export function standardCapabilityName(id: number): string {
  return STANDARD_NAMES.get(id) ?? `Capability ID 0x${id.toString(16)}`;
}

export function extendedCapabilityName(id: number): string {
  return EXTENDED_NAMES.get(id) ?? `Extended Capability ID 0x${id.toString(16)}`;
}
