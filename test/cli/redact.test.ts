import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { variant } from '../helpers/scenario.js';
import { runCli } from '../helpers/run-cli.js';
import { Redactor } from '../../src/render/redact.js';
import { parseValidated } from '../helpers/json-output.js';

test('Redactor: each kind by its shape, the same value by the same placeholder, PCI addresses and versions untouched', () => {
  const r = new Redactor([{ kind: 'host', value: 'pve-node7.example.org' }, { kind: 'host', value: 'pve-node7' }, { kind: 'user', value: 'alice' }]);
  const text = [
    'host pve-node7.example.org (pve-node7) user alice, /home/alice',
    'eth0 52:54:00:ab:cd:ef and again 52:54:00:AB:CD:EF; other 52:54:00:00:00:01',
    'uuid 9f1c2b3a-1d2e-4f5a-8b9c-0123456789ab ip 192.168.1.20 gw 192.168.1.1 v6 fe80::1 and 2001:db8::42',
    'Capabilities: [100 v1] Device Serial Number 00-11-22-ff-fe-33-44-55',
    'pci 0000:01:00.0 at 12:34:56, kernel 6.8.12-4-pve, 5.15.0-91-generic, 10de:1e89',
  ].join('\n');
  const out = r.text(text);
  assert.equal(
    out,
    [
      'host <host-1> (<host-2>) user <user-1>, /home/<user-1>',
      'eth0 <mac-1> and again <mac-1>; other <mac-2>',
      'uuid <uuid-1> ip <ip-3> gw <ip-4> v6 <ip-1> and <ip-2>',
      'Capabilities: [100 v1] Device Serial Number <serial-1>',
      'pci 0000:01:00.0 at 12:34:56, kernel 6.8.12-4-pve, 5.15.0-91-generic, 10de:1e89',
    ].join('\n'),
  );
  assert.equal(r.text('again alice at 192.168.1.20'), 'again <user-1> at <ip-3>', 'stable within the run');
});

test('check, snapshot and analyze --redact: no hostname in text or JSON, and the verdict is unchanged', async (t) => {
  const host = variant(HOSTS.intelDesktop, (h) => void (h.hostname = 'secret-box'));
  const root = await buildHost(host);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const plain = await runCli(['check', '--root', root, '--json']);
  assert.match(plain.stdout, /secret-box/);
  for (const args of [['check', '--root', root], ['check', '--root', root, '--json'], ['snapshot', '--root', root]]) {
    const r = await runCli([...args, '--redact']);
    assert.equal(r.code, args[0] === 'check' ? plain.code : 0, r.stderr);
    assert.doesNotMatch(r.stdout, /secret-box/, args.join(' '));
    assert.match(r.stdout, /<host-1>/, args.join(' '));
  }
  const redactedJson = parseValidated('report', (await runCli(['check', '--root', root, '--json', '--redact'])).stdout);
  assert.deepEqual(redactedJson.verdict, parseValidated('report', plain.stdout).verdict);
  const paste = 'secret-box kernel: [    0.000000] Linux version 6.8.0-45-generic\nLinux secret-box 6.8.0-45-generic #45-Ubuntu SMP x86_64 GNU/Linux\n';
  const dir = fs.mkdtempSync(`${root}-paste-`);
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(`${dir}/p.txt`, paste);
  const a = await runCli(['analyze', `${dir}/p.txt`, '--redact']);
  assert.doesNotMatch(a.stdout, /secret-box/);
  const usage = await runCli(['snapshot', '--save', '--redact', '--root', root]);
  assert.equal(usage.code, 2);
});
