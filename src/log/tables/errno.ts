// Linux errno values that show up in passthrough logs ("failed with error -22"), as data.

export const ERRNO: Readonly<Record<number, [name: string, text: string]>> = {
  1: ['EPERM', 'Operation not permitted'],
  2: ['ENOENT', 'No such file or directory'],
  5: ['EIO', 'Input/output error'],
  6: ['ENXIO', 'No such device or address'],
  8: ['ENOEXEC', 'Exec format error'],
  11: ['EAGAIN', 'Resource temporarily unavailable'],
  12: ['ENOMEM', 'Cannot allocate memory'],
  13: ['EACCES', 'Permission denied'],
  14: ['EFAULT', 'Bad address'],
  16: ['EBUSY', 'Device or resource busy'],
  17: ['EEXIST', 'File exists'],
  19: ['ENODEV', 'No such device'],
  22: ['EINVAL', 'Invalid argument'],
  24: ['EMFILE', 'Too many open files'],
  25: ['ENOTTY', 'Inappropriate ioctl for device'],
  28: ['ENOSPC', 'No space left on device'],
  38: ['ENOSYS', 'Function not implemented'],
  61: ['ENODATA', 'No data available'],
  62: ['ETIME', 'Timer expired'],
  71: ['EPROTO', 'Protocol error'],
  95: ['EOPNOTSUPP', 'Operation not supported'],
  110: ['ETIMEDOUT', 'Connection timed out'],
  126: ['ENOKEY', 'Required key not available'],
  127: ['EKEYEXPIRED', 'Key has expired'],
  128: ['EKEYREVOKED', 'Key has been revoked'],
  129: ['EKEYREJECTED', 'Key was rejected by service'],
  517: ['EPROBE_DEFER', 'Driver requests probe retry'],
  524: ['ENOTSUPP', 'Operation is not supported'],
};

export function errnoName(value: number): { name: string | null; text: string | null } {
  const e = ERRNO[Math.abs(value)];
  return e ? { name: e[0], text: e[1] } : { name: null, text: null };
}
