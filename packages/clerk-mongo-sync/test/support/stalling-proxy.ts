/**
 * A TCP proxy in front of the test database that can stall: connections stay
 * open but nothing passes, as with a hung server or a network partition that
 * drops packets instead of refusing them. A stopped server is the easy case
 * (connections are refused at once); this is the one that hangs clients.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type StallingProxy = {
  uri: string;
  /** From now on nothing passes either way; new connections are accepted and left hanging. */
  stall(): void;
  /** Drops every stalled connection (clients see a reset) and passes traffic again. */
  resume(): void;
  close(): Promise<void>;
};

export async function startStallingProxy(target: { host: string; port: number }): Promise<StallingProxy> {
  const open = new Set<Socket>();
  let stalled = false;

  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const server: Server = createServer((client) => {
    track(client);
    if (stalled) return client.pause();
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    stall() {
      stalled = true;
      for (const socket of open) {
        socket.unpipe();
        socket.pause();
      }
    },
    resume() {
      stalled = false;
      for (const socket of open) socket.destroy();
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
