/**
 * A loopback TCP proxy in front of the master, to cut the source off (every open connection
 * dropped, new ones refused) while the master keeps building, then let it back in.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private blocked = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(targetPort: number): Promise<TcpProxy> {
    return new Promise((resolve, reject) => {
      let proxy: TcpProxy;
      const server = createServer((client) => {
        if (proxy.blocked) return client.destroy();
        const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
        for (const s of [client, upstream]) {
          proxy.sockets.add(s);
          s.on('close', () => proxy.sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        proxy = new TcpProxy(server, (server.address() as { port: number }).port);
        resolve(proxy);
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Drops every connection and refuses new ones. */
  cut(): void {
    this.blocked = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.blocked = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
