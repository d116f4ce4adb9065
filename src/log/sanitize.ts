// Makes a log line safe to store and print: a hostile or corrupt log must not be able to move the
// cursor, recolour or clear the terminal of the person reading vfio-doctor's output.

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
// C0 controls except TAB, plus DEL and the C1 range that some terminals also obey.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

export function sanitizeText(text: string): string {
  let s = text;
  if (s.includes('\x1b')) s = s.replace(ANSI, '');
  return s.replace(CONTROL, '\ufffd');
}
