// What slow work tells the person waiting: the stage it is in. Collection, unpacking and scanning call
// phase(); whether and how it is shown is the caller's business (terminal.ts draws it on stderr).

export interface Progress {
  /** The stage the work has reached, as the user would name it ("unpacking /boot/initrd.img-6.12.9"). */
  phase(label: string): void;
}

/** For work nobody watches: --json, --quiet, stderr not a terminal, tests. */
export const NO_PROGRESS: Progress = { phase: () => undefined };
