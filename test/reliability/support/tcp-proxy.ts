/** A loopback TCP proxy in front of a database, to cut or black-hole the path to it on demand. */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

/** How the proxy treats traffic. */
export type ProxyMode = 'forward' | 'refuse' | 'blackhole';

/** A running proxy. */
export interface TcpProxy {
  /** The port clients connect to, on 127.0.0.1. */
  readonly port: number;
  /**
   * forward: pass bytes both ways. refuse: close the listener and every connection (the database
   * is down: ECONNREFUSED). blackhole: keep every connection open but pass nothing (a network
   * partition), and accept new connections without ever answering.
   */
  setMode(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (a free port) to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const onConnection = (client: Socket) => {
    track(client);
    if (mode !== 'forward') return; // blackhole: hold it, say nothing
    const upstream = connect(target.port, target.host);
    track(upstream);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (mode === 'forward') to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };

  let server: Server = createServer(onConnection);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the proxy has no port');
  const port = address.port;

  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const closeListener = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));

  return {
    port,
    async setMode(next) {
      const previous = mode;
      mode = next;
      if (next === 'refuse') {
        await Promise.all([closeListener(), Promise.resolve(dropAll())]);
      } else if (!server.listening) {
        server = createServer(onConnection);
        server.listen(port, '127.0.0.1');
        await once(server, 'listening');
      }
      // Bytes were dropped on the black-holed connections: they can never be used again.
      if (previous === 'blackhole' && next === 'forward') dropAll();
    },
    async close() {
      mode = 'refuse';
      dropAll();
      await closeListener();
    },
  };
}
