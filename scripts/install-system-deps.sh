#!/usr/bin/env bash
# Installs the Debian packages the test suite compares against (real pciutils, kmod, initramfs
# tools, compressors, libvirt's virt-host-validate). Needs root, or sudo from a user shell.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
PACKAGES=(
  pciutils        # lspci: the reference decoder for config space and sysfs trees
  pci.ids         # the PCI name database lspci and vfio-doctor read
  kmod            # modprobe/depmod: module configuration and modules.* files
  cpio            # building and listing initramfs archives
  gzip zstd xz-utils lz4 bzip2 lzop   # initramfs compressions
  initramfs-tools-core busybox klibc-utils udev   # mkinitramfs / lsinitramfs as the initramfs reference
  binutils libssl3               # what the unpacked dracut-core (lsinitrd reference) runs with
  dpkg apt                       # apt-get download + dpkg-deb -x of real Debian kernels and dracut-core (preflight test)
  libvirt-clients                # virt-host-validate as the IOMMU-usability reference
  sosreport                      # sos report: a real sosreport for check --sos
  util-linux                     # dmesg, unshare, setpriv
  strace                         # the read-only proof: check/analyze/preflight/snapshot make no write syscall
  time                           # /usr/bin/time: peak memory of the tools compared in bench/
  systemd                        # systemd-analyze verify for the boot-snapshot unit
  qemu-system-x86                # npm run test:vm: real Debian kernels booted with an emulated IOMMU
  prometheus                     # promtool check metrics: the reference for check --prometheus files
  chromium                       # headless rendering of the --html reports
  groff-base                     # groff: the man page renders without warnings
  zsh fish                       # the generated zsh and fish completions parse (bash is already there)
)
# --no-update: the caller has just run apt-get update.
if [ "${1:-}" != "--no-update" ]; then as_root apt-get update -qq; fi
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
