import { readFileSync } from 'node:fs';

export interface ProcUsage {
  /** Peak resident set size so far (VmHWM), in MB. */
  readonly peakRssMb: number;
  /** Resident set size now (VmRSS), in MB. */
  readonly rssMb: number;
  /** User plus system CPU time so far, in milliseconds. */
  readonly cpuMs: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Memory and CPU of another process, read from /proc (Linux only). */
export function procUsage(pid: number): ProcUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  // The command name (field 2) may hold spaces; fields after it are split on spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, so 12 and 13 after the name (state is 3).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    peakRssMb: kb('VmHWM') / 1024,
    rssMb: kb('VmRSS') / 1024,
    cpuMs: (ticks * 1000) / TICKS_PER_SECOND,
  };
}
