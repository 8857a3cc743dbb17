/**
 * Named failpoints between the steps of an operation that must survive a crash (as etcd and
 * FoundationDB have them), so tests can crash exactly there:
 *  - a process started with WARDLEDGER_FAILPOINT=<name> kills itself with SIGKILL when it reaches
 *    that point (a real kill -9 of `wardledger serve`, nothing flushed, no handler run);
 *  - a test in the same process arms a point with an action (e.g. throw) through armFailpoint.
 * Unarmed, a failpoint costs one comparison.
 * A pause point (`pausePoint`) instead holds a long step for a while when the process was started
 * with WARDLEDGER_PAUSE=<name>:<ms>, so a test can look at what a person sees during it.
 */
const armed = new Map<string, () => void>();

export function failpoint(name: string): void {
  if (process.env.WARDLEDGER_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
  armed.get(name)?.();
}

/** Run `action` whenever `name` is reached; returns the disarm function. */
export function armFailpoint(name: string, action: () => void): () => void {
  armed.set(name, action);
  return () => {
    if (armed.get(name) === action) armed.delete(name);
  };
}

/** Wait here for the milliseconds WARDLEDGER_PAUSE=<name>:<ms> gives, when it names this point. */
export async function pausePoint(name: string): Promise<void> {
  const [point, ms] = (process.env.WARDLEDGER_PAUSE ?? '').split(':');
  if (point === name && Number(ms) > 0) await new Promise((r) => setTimeout(r, Number(ms)));
}
