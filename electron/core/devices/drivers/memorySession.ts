/**
 * What every blood-pressure monitor session shares: one report channel on the connection, and
 * identify / readMemory run one after another (the app may call them together), with only
 * WardErrors escaping. A driver supplies the two exchanges, and a close that says goodbye first
 * if its protocol has one.
 */
import { ExchangeSerializer, ReportChannel } from '../transport/reportIo';
import type { DeviceIdentity, DeviceReading, DeviceSession, HidConnection, ReadOptions } from '../types';

export abstract class MemorySession implements DeviceSession {
  protected readonly channel: ReportChannel;
  private readonly exchanges = new ExchangeSerializer();

  constructor(protected readonly connection: HidConnection) {
    this.channel = new ReportChannel(connection);
  }

  identify(options?: ReadOptions): Promise<DeviceIdentity> {
    return this.exchanges.run(() => this.identifyNow(options));
  }

  readMemory(options?: ReadOptions): Promise<DeviceReading[]> {
    return this.exchanges.run(() => this.readMemoryNow(options));
  }

  /** Closes at once; a running exchange then fails fast instead of delaying the close. */
  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  protected abstract identifyNow(options?: ReadOptions): Promise<DeviceIdentity>;
  protected abstract readMemoryNow(options?: ReadOptions): Promise<DeviceReading[]>;
}
