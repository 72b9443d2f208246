import net from 'node:net';

/** What crossed the relay, both ways. */
export interface RelayCounts {
  /** Server ReadyForQuery ('Z'): one per Sync or simple Query, i.e. per point where the client may wait. */
  readyForQuery: number;
  /** Server CommandComplete ('C'): statements the server ran to completion. */
  commandComplete: number;
  /** Server ErrorResponse ('E'). */
  errors: number;
  /** Client messages. */
  parse: number;
  sync: number;
  simpleQuery: number;
  /**
   * Client flights: client data that follows server data. A client that pipelines sends one flight
   * for several Syncs; a client that waits for each answer sends one flight per statement. This is
   * the round-trip count a 1 ms network would multiply.
   */
  flights: number;
  bytesToServer: number;
  bytesToClient: number;
}

const zero = (): RelayCounts => ({
  readyForQuery: 0,
  commandComplete: 0,
  errors: 0,
  parse: 0,
  sync: 0,
  simpleQuery: 0,
  flights: 0,
  bytesToServer: 0,
  bytesToClient: 0,
});

/** Splits a byte stream into protocol messages (1 type byte + int32 length) and reports each type. */
class MessageScanner {
  private header = Buffer.alloc(5);
  private headerFill = 0;
  private skip = 0;

  constructor(
    private readonly onType: (type: number) => void,
    /** The client's first message (startup, SSL or cancel request) has no type byte. */
    private untypedFirst: boolean,
  ) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const need = this.untypedFirst ? 4 : 5;
      const n = Math.min(need - this.headerFill, chunk.length - i);
      chunk.copy(this.header, this.headerFill, i, i + n);
      this.headerFill += n;
      i += n;
      if (this.headerFill < need) break;
      this.headerFill = 0;
      if (this.untypedFirst) {
        this.untypedFirst = false;
        this.skip = this.header.readInt32BE(0) - 4;
      } else {
        this.onType(this.header[0]!);
        this.skip = this.header.readInt32BE(1) - 4;
      }
    }
  }
}

const T = (c: string) => c.charCodeAt(0);

/**
 * A TCP relay between clients and PostgreSQL that counts protocol messages, so round trips are
 * counted, not guessed. Connect a pool of one connection to `port` and read `counts` around a call.
 */
export class CountingRelay {
  readonly counts: RelayCounts = zero();
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    this.server = net.createServer((client) => this.relay(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  snapshot(): RelayCounts {
    return { ...this.counts };
  }

  static diff(after: RelayCounts, before: RelayCounts): RelayCounts {
    const out = zero();
    for (const key of Object.keys(out) as (keyof RelayCounts)[]) out[key] = after[key] - before[key];
    return out;
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.sockets.add(client).add(upstream);
    let lastFromServer = true;
    const c = this.counts;
    const fromServer = new MessageScanner((type) => {
      if (type === T('Z')) c.readyForQuery++;
      else if (type === T('C')) c.commandComplete++;
      else if (type === T('E')) c.errors++;
    }, false);
    const fromClient = new MessageScanner((type) => {
      if (type === T('P')) c.parse++;
      else if (type === T('S')) c.sync++;
      else if (type === T('Q')) c.simpleQuery++;
    }, true);
    client.on('data', (chunk: Buffer) => {
      if (lastFromServer) c.flights++;
      lastFromServer = false;
      c.bytesToServer += chunk.length;
      fromClient.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      lastFromServer = true;
      c.bytesToClient += chunk.length;
      fromServer.push(chunk);
      client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
