// Two views of a cpio member name: the one lsinitramfs prints (so listings can be compared with it line for
// line), and a canonical one for looking files up no matter how the archive spelled the path.

/**
 * The name GNU cpio shows when listing without --absolute-filenames (lsinitramfs runs it that way): it
 * drops everything up to and including the last ".." component, then any leading slashes; an empty
 * result becomes ".". A stored "./" prefix is left alone, so "./init" and "init" stay distinct.
 */
export function listedMemberName(stored: string): string {
  let cut = 0;
  let start = 0;
  for (;;) {
    const slash = stored.indexOf('/', start);
    const end = slash === -1 ? stored.length : slash;
    if (end - start === 2 && stored.startsWith('..', start)) cut = end;
    if (slash === -1) break;
    start = slash + 1;
  }
  while (cut < stored.length && stored.charCodeAt(cut) === 0x2f) cut++;
  return cut === stored.length ? '.' : stored.slice(cut);
}

/**
 * The path the kernel ends up creating, relative to the initramfs root: no "./" or "/" prefix, no empty or
 * "." components, ".." applied lexically; the root itself is ".". Used as the key for lookups.
 */
export function canonicalInitramfsPath(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}
