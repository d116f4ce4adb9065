// Config space images of real device layouts, built byte by byte, for the decoder tests and for feeding
// the same bytes to lspci. Register values follow what these devices report; bodies not relevant to
// passthrough are left zero.

export class ImageBuilder {
  readonly bytes: Uint8Array;

  constructor(size: number, fill = 0) {
    this.bytes = new Uint8Array(size).fill(fill);
  }

  u8(offset: number, value: number): this {
    this.bytes[offset] = value & 0xff;
    return this;
  }

  u16(offset: number, value: number): this {
    return this.u8(offset, value).u8(offset + 1, value >>> 8);
  }

  u32(offset: number, value: number): this {
    return this.u16(offset, value & 0xffff).u16(offset + 2, value >>> 16);
  }

  /** Type 0/1/2 header fields; `classCode` is 0xCCSSPP. */
  header(h: {
    vendor: number;
    device: number;
    classCode: number;
    headerType: number;
    status?: number;
    command?: number;
    revision?: number;
    subsystem?: [number, number];
    capPointer?: number;
  }): this {
    this.u16(0x00, h.vendor).u16(0x02, h.device);
    this.u16(0x04, h.command ?? 0x0006).u16(0x06, h.status ?? 0x0010);
    this.u8(0x08, h.revision ?? 0).u8(0x09, h.classCode).u8(0x0a, h.classCode >> 8).u8(0x0b, h.classCode >> 16);
    this.u8(0x0e, h.headerType);
    const layout = h.headerType & 0x7f;
    if (h.subsystem && layout === 0) this.u16(0x2c, h.subsystem[0]).u16(0x2e, h.subsystem[1]);
    if (h.capPointer !== undefined) this.u8(layout === 2 ? 0x14 : 0x34, h.capPointer);
    return this;
  }

  /** Bridge bus numbers (type 1 header). */
  buses(primary: number, secondary: number, subordinate: number): this {
    return this.u8(0x18, primary).u8(0x19, secondary).u8(0x1a, subordinate);
  }

  cap(at: number, id: number, next: number): this {
    return this.u8(at, id).u8(at + 1, next);
  }

  ext(at: number, id: number, version: number, next: number): this {
    return this.u32(at, (id & 0xffff) | ((version & 0xf) << 16) | ((next & 0xfff) << 20));
  }

  build(): Uint8Array {
    return this.bytes;
  }
}

/** NVIDIA TU104 (GeForce RTX 2080), function 0 of a GPU + HDA pair: PM, MSI, Express legacy endpoint. */
export function nvidiaGpu(): Uint8Array {
  const b = new ImageBuilder(4096).header({
    vendor: 0x10de, device: 0x1e87, classCode: 0x030000, headerType: 0x80, revision: 0xa1,
    command: 0x0007, status: 0x0010, subsystem: [0x1043, 0x8709], capPointer: 0x60,
  });
  b.u32(0x10, 0xf6000000).u32(0x14, 0xe000000c).u32(0x1c, 0xf000000c).u32(0x24, 0x0000e001).u8(0x3d, 1);
  b.cap(0x60, 0x01, 0x68).u16(0x62, 0x0003).u16(0x64, 0x0008); // PM v3, D0, NoSoftRst+
  b.cap(0x68, 0x05, 0x78).u16(0x6a, 0x0081).u32(0x6c, 0xfee00000).u16(0x74, 0x0000); // MSI 64-bit, enabled
  b.cap(0x78, 0x10, 0x00).u16(0x7a, 0x0012); // Express v2, legacy endpoint
  b.u32(0x7c, 0x10008fe1); // DevCap: FLR+
  b.u16(0x80, 0x2937).u32(0x84, 0x00000d43).u16(0x8a, 0x1043).u32(0x9c, 0x00000070);
  b.ext(0x100, 0x02, 1, 0x250).ext(0x250, 0x18, 1, 0x258).ext(0x258, 0x1e, 1, 0x128).ext(0x128, 0x04, 1, 0x420);
  b.ext(0x420, 0x01, 2, 0x600).ext(0x600, 0x0b, 1, 0x900).u32(0x604, 0x02400001);
  b.ext(0x900, 0x19, 1, 0xbb0).ext(0xbb0, 0x15, 1, 0x000).u32(0xbb4, 0x00003fc0).u32(0xbb8, 0x00000820);
  return b.build();
}

/** Intel Cannon Lake PCH root port with a slot: ACS with translation blocking off, ARI forwarding on. */
export function intelRootPort(): Uint8Array {
  const b = new ImageBuilder(4096).header({
    vendor: 0x8086, device: 0xa340, classCode: 0x060400, headerType: 0x81, revision: 0xf0,
    command: 0x0407, status: 0x0010, capPointer: 0x40,
  });
  b.buses(0x00, 0x01, 0x01);
  b.cap(0x40, 0x10, 0x80).u16(0x42, 0x0142); // Express v2, root port, slot implemented
  b.u32(0x44, 0x00008001).u16(0x48, 0x0027).u32(0x4c, 0x09724c43).u16(0x50, 0x0042).u16(0x52, 0x7043);
  b.u32(0x54, 0x00a8c060).u16(0x58, 0x1028).u16(0x5a, 0x0040);
  b.u32(0x64, 0x00000836).u16(0x68, 0x0020); // DevCap2 ARIFwd+, DevCtl2 ARIFwd+
  b.cap(0x80, 0x05, 0x90).u16(0x82, 0x0001).u32(0x84, 0xfee00258).u16(0x88, 0x0000); // MSI 32-bit, enabled
  b.cap(0x90, 0x0d, 0xa0).u16(0x94, 0x1043).u16(0x96, 0x8694); // bridge subsystem ids
  b.cap(0xa0, 0x01, 0x00).u16(0xa2, 0xc803).u16(0xa4, 0x0000); // PM v3, D0, NoSoftRst-
  b.ext(0x100, 0x01, 1, 0x140);
  b.ext(0x140, 0x0d, 1, 0x150).u16(0x144, 0x001f).u16(0x146, 0x001d); // ACS cap SV TB RR CR UF, ctrl without TB
  b.ext(0x150, 0x1f, 1, 0x220).u32(0x154, 0x00000406);
  b.ext(0x220, 0x19, 1, 0x000);
  return b.build();
}

/** PLX PEX 8747 switch downstream port: full ACS capability, every control off, ARI forwarding off. */
export function plxDownstreamPort(): Uint8Array {
  const b = new ImageBuilder(4096).header({
    vendor: 0x10b5, device: 0x8747, classCode: 0x060400, headerType: 0x01, revision: 0xca,
    command: 0x0407, status: 0x0010, capPointer: 0x40,
  });
  b.buses(0x02, 0x03, 0x03);
  b.cap(0x40, 0x01, 0x48).u16(0x42, 0x0003).u16(0x44, 0x0008);
  b.cap(0x48, 0x05, 0x68).u16(0x4a, 0x0180);
  b.cap(0x68, 0x10, 0xa4).u16(0x6a, 0x0162); // Express v2, downstream port, slot implemented
  b.u32(0x6c, 0x00008fe1).u32(0x74, 0x08007103).u16(0x7a, 0x7043).u32(0x7c, 0x000004ff);
  b.u32(0x8c, 0x00000020).u16(0x90, 0x0000); // DevCap2 ARIFwd+, DevCtl2 ARIFwd-
  b.cap(0xa4, 0x0d, 0x00).u16(0xa8, 0x10b5).u16(0xaa, 0x8747);
  b.ext(0x100, 0x03, 1, 0xfb4).u32(0x104, 0x87470010).u32(0x108, 0x000e0000);
  b.ext(0xfb4, 0x01, 1, 0x138);
  b.ext(0x138, 0x04, 1, 0x148);
  b.ext(0x148, 0x02, 1, 0xe00).u32(0x14c, 0x00000000);
  b.ext(0xe00, 0x12, 1, 0xb00);
  b.ext(0xb00, 0x18, 1, 0xf24);
  b.ext(0xf24, 0x0d, 1, 0x000).u16(0xf28, 0x007f).u16(0xf2a, 0x0000); // ACS: all 7 capable, none enabled
  return b.build();
}

/** Mellanox ConnectX-5 physical function 0: Express endpoint first in the chain, ARI, SR-IOV, ACS, ATS. */
export function connectx5Pf(): Uint8Array {
  const b = new ImageBuilder(4096).header({
    vendor: 0x15b3, device: 0x1017, classCode: 0x020000, headerType: 0x80, revision: 0x00,
    command: 0x0406, status: 0x0010, subsystem: [0x15b3, 0x0020], capPointer: 0x60,
  });
  b.u32(0x10, 0x0000000c).u32(0x14, 0x00000380).u8(0x3d, 1);
  b.cap(0x60, 0x10, 0x48).u16(0x62, 0x0002); // Express v2 endpoint
  b.u32(0x64, 0x10008fe2).u16(0x68, 0x5957).u32(0x6c, 0x0045e883).u16(0x72, 0x1083);
  b.u32(0x84, 0x00000016);
  b.cap(0x48, 0x03, 0x9c);
  b.cap(0x9c, 0x11, 0xc0).u16(0x9e, 0x803f).u32(0xa0, 0x00002000).u32(0xa4, 0x00003000); // MSI-X enabled, 64 vectors
  b.cap(0xc0, 0x09, 0x40).u8(0xc2, 0x18);
  b.cap(0x40, 0x01, 0x00).u16(0x42, 0x0003).u16(0x44, 0x0008); // PM v3, D0, NoSoftRst+
  b.ext(0x100, 0x01, 1, 0x150);
  b.ext(0x150, 0x0e, 1, 0x180).u16(0x154, 0x0100); // ARI, next function 1
  b.ext(0x180, 0x10, 1, 0x1c0); // SR-IOV
  b.u16(0x188, 0x0019).u16(0x18c, 8).u16(0x18e, 8).u16(0x190, 4).u16(0x194, 2).u16(0x196, 1).u16(0x19a, 0x1018);
  b.u32(0x19c, 0x000007ff).u32(0x1a0, 0x00000001).u32(0x1a4, 0x0000000c).u32(0x1a8, 0x00000380);
  b.ext(0x1c0, 0x19, 1, 0x230);
  b.ext(0x230, 0x0d, 1, 0x240).u16(0x234, 0x004c).u16(0x236, 0x000c); // ACS: RR CR DT capable, RR CR on
  b.ext(0x240, 0x0f, 1, 0x000).u16(0x244, 0x0020).u16(0x246, 0x8000); // ATS enabled
  return b.build();
}

/**
 * A virtual function of that PF: its vendor and device id registers read 0xffff by design (the ids are
 * the PF's vendor and the VF Device ID 0x1018 at +0x1a of the PF's SR-IOV capability); command and BARs
 * read zero; Express endpoint with FLR, MSI-X, ARI and ACS answer as usual.
 */
export function connectx5Vf(): Uint8Array {
  const b = new ImageBuilder(4096).header({
    vendor: 0xffff, device: 0xffff, classCode: 0x020000, headerType: 0x00, revision: 0x00,
    command: 0x0000, status: 0x0010, subsystem: [0x15b3, 0x0020], capPointer: 0x60,
  });
  b.cap(0x60, 0x10, 0x9c).u16(0x62, 0x0002); // Express v2 endpoint
  b.u32(0x64, 0x10008fe2).u16(0x68, 0x5957).u32(0x6c, 0x0045e883).u16(0x72, 0x1083); // DevCap: FLR+
  b.cap(0x9c, 0x11, 0x00).u16(0x9e, 0x0003).u32(0xa0, 0x00002000).u32(0xa4, 0x00003000); // MSI-X, 4 vectors
  b.ext(0x100, 0x01, 1, 0x150);
  b.ext(0x150, 0x0e, 1, 0x000); // ARI
  return b.build();
}

/** AMD Renoir integrated GPU: no FLR, PM without NoSoftRst, ATS + PRI + PASID for the IOMMU. */
export function amdRenoirGpu(): Uint8Array {
  const b = new ImageBuilder(4096).header({
    vendor: 0x1002, device: 0x1636, classCode: 0x030000, headerType: 0x80, revision: 0xc6,
    command: 0x0407, status: 0x0010, subsystem: [0x1043, 0x18cf], capPointer: 0x48,
  });
  b.cap(0x48, 0x09, 0x50).u8(0x4a, 0x08);
  b.cap(0x50, 0x01, 0x64).u16(0x52, 0x0003).u16(0x54, 0x0000); // PM v3, D0, NoSoftRst-
  b.cap(0x64, 0x10, 0xa0).u16(0x66, 0x0012); // Express v2 legacy endpoint
  b.u32(0x68, 0x00008fa0); // DevCap: FLR-
  b.cap(0xa0, 0x05, 0xc0).u16(0xa2, 0x0081).u32(0xa4, 0xfee00000);
  b.cap(0xc0, 0x11, 0x00).u16(0xc2, 0x0003).u32(0xc4, 0x00000002).u32(0xc8, 0x00001002);
  b.ext(0x100, 0x0b, 1, 0x270).u32(0x104, 0x01000001);
  b.ext(0x270, 0x19, 1, 0x2b0);
  b.ext(0x2b0, 0x0f, 1, 0x2c0).u16(0x2b4, 0x0020);
  b.ext(0x2c0, 0x13, 1, 0x2d0).u16(0x2c4, 0x0000).u16(0x2c6, 0x0100).u32(0x2c8, 0x00000100);
  b.ext(0x2d0, 0x1b, 1, 0x400).u16(0x2d4, 0x1006);
  b.ext(0x400, 0x25, 1, 0x410).ext(0x410, 0x26, 1, 0x440).ext(0x440, 0x27, 1, 0x000);
  return b.build();
}

/** Intel 8 Series EHCI: conventional PCI (no Express), reset through the Advanced Features capability. */
export function intelEhci(): Uint8Array {
  const b = new ImageBuilder(256).header({
    vendor: 0x8086, device: 0x8c26, classCode: 0x0c0320, headerType: 0x00, revision: 0x04,
    command: 0x0006, status: 0x0290, subsystem: [0x17aa, 0x220e], capPointer: 0x50,
  });
  b.u32(0x10, 0xf7e1c000).u8(0x3c, 0x0b).u8(0x3d, 1);
  b.cap(0x50, 0x01, 0x58).u16(0x52, 0xc9c2).u16(0x54, 0x0000); // PM v2
  b.cap(0x58, 0x0a, 0x98).u16(0x5a, 0x20a0); // debug port
  b.cap(0x98, 0x13, 0x00).u8(0x9a, 0x06).u8(0x9b, 0x03); // AF: TP+ FLR+
  return b.build();
}

/** TI PCI1510 CardBus bridge: header type 2 keeps its capability pointer at 0x14. */
export function tiCardbus(size = 256): Uint8Array {
  const b = new ImageBuilder(256).header({
    vendor: 0x104c, device: 0xac56, classCode: 0x060700, headerType: 0x02,
    command: 0x0007, status: 0x0210, capPointer: 0xa0,
  });
  b.u16(0x40, 0x17aa).u16(0x42, 0x2012); // CardBus subsystem ids live at 0x40
  b.cap(0xa0, 0x01, 0x00).u16(0xa2, 0xfe02).u16(0xa4, 0x0100);
  return b.build().slice(0, size);
}

/** A conventional device whose capability list loops: PM -> MSI -> PM. */
export function loopedChain(): Uint8Array {
  const b = new ImageBuilder(256).header({
    vendor: 0x1af4, device: 0x1000, classCode: 0x020000, headerType: 0x00, status: 0x0010, capPointer: 0x40,
  });
  b.cap(0x40, 0x01, 0x50).u16(0x42, 0x0003);
  b.cap(0x50, 0x05, 0x40).u16(0x52, 0x0000);
  return b.build();
}

/** A PCIe endpoint whose extended list loops: AER -> ACS -> AER. */
export function loopedExtendedChain(): Uint8Array {
  const b = new ImageBuilder(4096).header({
    vendor: 0x1b36, device: 0x0010, classCode: 0x010802, headerType: 0x00, status: 0x0010, capPointer: 0x40,
  });
  b.cap(0x40, 0x10, 0x00).u16(0x42, 0x0002);
  b.ext(0x100, 0x01, 2, 0x140).ext(0x140, 0x0d, 1, 0x100);
  return b.build();
}

/** A list whose second entry reads as ID 0xff (lspci: "chain broken"). */
export function brokenChain(): Uint8Array {
  const b = new ImageBuilder(256).header({
    vendor: 0x1af4, device: 0x1000, classCode: 0x020000, headerType: 0x00, status: 0x0010, capPointer: 0x40,
  });
  b.cap(0x40, 0x01, 0x50).u16(0x42, 0x0003);
  b.cap(0x50, 0xff, 0x00);
  return b.build();
}

/** First 128 bytes of a device whose list continues past them (a cut-off file). */
export function chainBeyondReadable(): Uint8Array {
  const b = new ImageBuilder(256).header({
    vendor: 0x8086, device: 0x15b8, classCode: 0x020000, headerType: 0x00, status: 0x0010, capPointer: 0x40,
  });
  b.cap(0x40, 0x01, 0x90).u16(0x42, 0x0003);
  b.cap(0x90, 0x05, 0x00);
  return b.build().slice(0, 128);
}

/** Seeded bytes for robustness tests (xorshift32, so runs are repeatable). */
export function garbage(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * The bytes as `lspci -xxxx` prints them, which `lspci -F FILE` reads back: a line starting with the
 * bus address, then "offset: b0 b1 ... b15" lines.
 */
export function toLspciDump(bytes: Uint8Array, address = '00:00.0', title = 'Device'): string {
  const lines = [`${address} ${title}`];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = Array.from(bytes.subarray(offset, Math.min(offset + 16, bytes.length)), (v) =>
      v.toString(16).padStart(2, '0'),
    );
    lines.push(`${offset.toString(16).padStart(2, '0')}: ${row.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}
