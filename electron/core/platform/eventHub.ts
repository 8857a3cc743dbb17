/** Per-channel event fan-out (a channel is one window or one browser tab). */
import type { WardEvent } from '../model/events';

export class EventHub {
  private readonly listeners = new Map<string, Set<(e: WardEvent) => void>>();

  subscribe(channel: string, listener: (e: WardEvent) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(channel);
    };
  }

  /** To every channel (workstation-wide news, e.g. a device was plugged in). */
  broadcast(event: WardEvent): void {
    for (const channel of [...this.listeners.keys()]) this.publish(channel, event);
  }

  publish(channel: string, event: WardEvent): void {
    for (const l of this.listeners.get(channel) ?? []) {
      try {
        l(event);
      } catch {
        // A broken listener (closed window) must not stop the others.
      }
    }
  }
}
