// File-system errors reach users as one short clause ("no space left on device"), never as Node's
// "EACCES: permission denied, open '/x'" with a syscall name, nor as "internal error".

const TEXT: Record<string, string> = {
  EACCES: 'permission denied (run as root)',
  EPERM: 'operation not permitted (run as root)',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  ELOOP: 'symbolic link in the way (not followed)',
  EMLINK: 'too many links',
  ENAMETOOLONG: 'file name too long',
  EXDEV: 'crosses file systems',
  EBADF: 'not open (closed file descriptor)',
  ENXIO: 'no reader or device behind it',
  EAGAIN: 'would block',
};

export function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

/** The cause of a file-system error as a clause for a one-line message. */
export function fsErrorText(err: unknown): string {
  if (isErrno(err)) return TEXT[err.code!] ?? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')}`;
  return err instanceof Error ? err.message : String(err);
}
