// The verbatim output of a case file: its fenced blocks, fences kept, as they separated the blocks in the post.
export function verbatimBlocks(markdown: string): string {
  const out: string[] = [];
  let inside = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) {
      inside = !inside;
      out.push('```');
    } else if (inside) out.push(line);
  }
  return out.join('\n') + '\n';
}
