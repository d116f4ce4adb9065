// AMD GPU families whose reset is broken without the out-of-tree vendor-reset module (it implements a
// device-specific BACO/mode1 reset for them). Device ids as listed in vendor-reset's device table.
export const VENDOR_RESET_FAMILIES: { family: string; ids: number[] }[] = [
  { family: 'Polaris 10', ids: [0x67c0, 0x67c1, 0x67c2, 0x67c4, 0x67c7, 0x67d0, 0x67df, 0x67c8, 0x67c9, 0x67ca, 0x67cc, 0x67cf, 0x6fdf] },
  { family: 'Polaris 11', ids: [0x67e0, 0x67e3, 0x67e8, 0x67eb, 0x67ef, 0x67ff, 0x67e1, 0x67e7, 0x67e9] },
  { family: 'Polaris 12', ids: [0x6980, 0x6981, 0x6985, 0x6986, 0x6987, 0x6995, 0x6997, 0x699f] },
  { family: 'Vega 10', ids: [0x6860, 0x6861, 0x6862, 0x6863, 0x6864, 0x6867, 0x6868, 0x6869, 0x686a, 0x686b, 0x686c, 0x686d, 0x686e, 0x686f, 0x687f] },
  { family: 'Vega 20', ids: [0x66a0, 0x66a1, 0x66a2, 0x66a3, 0x66a4, 0x66a7, 0x66af, 0x738c] },
  { family: 'Navi 10', ids: [0x7310, 0x7312, 0x7318, 0x7319, 0x731a, 0x731b, 0x731e, 0x731f] },
  { family: 'Navi 12', ids: [0x7360, 0x7362] },
  { family: 'Navi 14', ids: [0x7340, 0x7341, 0x7347, 0x734f] },
  { family: 'Navi 23', ids: [0x73ff] },
];

export function resetBugFamily(vendorId: string, deviceId: string): string | null {
  if (vendorId !== '1002') return null;
  const id = parseInt(deviceId, 16);
  return VENDOR_RESET_FAMILIES.find((f) => f.ids.includes(id))?.family ?? null;
}
