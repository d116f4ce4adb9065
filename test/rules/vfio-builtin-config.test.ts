import { ruleTests } from './helpers.js';
import { vfioBuiltinConfig } from '../../src/analyze/rules/modules/vfio-builtin-config.js';

const DIFF = '```diff\n-debian.master/config/amd64/config.common.amd64:CONFIG_VFIO=m\n-debian.master/config/amd64/config.common.amd64:CONFIG_VFIO_PCI=m\n+debian.master/config/amd64/config.common.amd64:CONFIG_VFIO=y\n+debian.master/config/amd64/config.common.amd64:CONFIG_VFIO_PCI=y\n```\n';

ruleTests(vfioBuiltinConfig, [
  { name: 'a config diff makes vfio-pci built in; modprobe.d not shown', paste: DIFF, finds: [{ cause: 'vfio-builtin-options-ignored', severity: 'warn', text: /changed from a module to built in/ }], cannot: /modprobe\.d/ },
  { name: 'ids already on the command line', paste: `${DIFF}$ cat /proc/cmdline\nBOOT_IMAGE=/vmlinuz root=/dev/sda1 vfio-pci.ids=10de:1e87\n`, finds: [] },
  { name: 'modprobe.d shown: vfio-builtin-options judges it instead', paste: `${DIFF}$ cat /etc/modprobe.d/vfio.conf\noptions vfio-pci ids=10de:1e87\n`, finds: [] },
  { name: 'vfio-pci a module', paste: 'CONFIG_VFIO=m\nCONFIG_VFIO_PCI=m\n', finds: [] },
]);
