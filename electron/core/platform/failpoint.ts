/**
 * Named failpoints between the steps of an operation that must survive a crash (as etcd and
 * FoundationDB have them), so tests can crash exactly there:
 *  - a process started with WARDLEDGER_FAILPOINT=<name> kills itself with SIGKILL when it reaches
 *    that point (a real kill -9 of `wardledger serve`, nothing flushed, no handler run);
 *  - a test in the same process arms a point with an action (e.g. throw) through armFailpoint.
 * Unarmed, a failpoint costs one comparison.
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
