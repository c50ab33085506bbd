import { connect, createServer, type Socket } from 'node:net';
import { type CarriedConnection, requestLineOf } from './http-proxy-server.ts';

export interface Socks5Server {
  /** `socks5://127.0.0.1:<port>`, with the credentials when the server asks for some. */
  url: string;
  /** CONNECTs relayed (tunnels opened to a target). */
  relayed: number;
  /** Handshakes refused (no acceptable method, or wrong credentials). */
  refused: number;
  /** What each tunnel carried, in order (the target as the client named it). */
  tunnels: CarriedConnection[];
  close(): Promise<void>;
}

/**
 * A minimal SOCKS5 server for tests (RFC 1928 CONNECT; RFC 1929 username/password when `auth` is
 * given): IPv4, IPv6 and domain-name targets, the name resolved here as a real proxy would.
 */
export async function startSocks5Server(
  options: { auth?: { username: string; password: string } } = {},
): Promise<Socks5Server> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  const server = createServer((client) => {
    track(client);
    client.on('error', () => undefined);
    void handle(client).catch(() => client.destroy());
  });

  async function handle(client: Socket): Promise<void> {
    const read = reader(client);
    const [version, methodCount] = await read(2);
    if (version !== 5) throw new Error('not SOCKS5');
    const methods = [...(await read(methodCount ?? 0))];
    const wanted = options.auth ? 0x02 : 0x00;
    if (!methods.includes(wanted)) {
      state.refused++;
      client.end(Buffer.from([5, 0xff]));
      return;
    }
    client.write(Buffer.from([5, wanted]));
    if (options.auth) {
      const [, userLength] = await read(2);
      const username = (await read(userLength ?? 0)).toString();
      const [passwordLength] = await read(1);
      const password = (await read(passwordLength ?? 0)).toString();
      const ok = username === options.auth.username && password === options.auth.password;
      if (!ok) {
        state.refused++;
        client.end(Buffer.from([1, 1]));
        return;
      }
      client.write(Buffer.from([1, 0]));
    }
    const [, command, , addressType] = await read(4);
    let host: string;
    if (addressType === 1) host = [...(await read(4))].join('.');
    else if (addressType === 3) host = (await read((await read(1))[0] ?? 0)).toString();
    else if (addressType === 4) host = ((await read(16)).toString('hex').match(/.{4}/g) ?? []).join(':');
    else throw new Error('bad address type');
    const port = (await read(2)).readUInt16BE(0);
    if (command !== 1) {
      client.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
      return;
    }
    const upstream = connect(port, host);
    track(upstream);
    upstream.once('error', () => {
      client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
    });
    upstream.once('connect', () => {
      state.relayed++;
      client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
      const rest = read.rest();
      const carried: CarriedConnection = { target: `${host}:${port}`, firstLine: requestLineOf(rest) };
      state.tunnels.push(carried);
      if (rest.length === 0)
        client.once('data', (chunk: Buffer) => {
          carried.firstLine = requestLineOf(chunk);
        });
      if (rest.length > 0) upstream.write(rest);
      upstream.pipe(client);
      client.pipe(upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('SOCKS5 server did not listen');
  const credentials = options.auth
    ? `${encodeURIComponent(options.auth.username)}:${encodeURIComponent(options.auth.password)}@`
    : '';
  const state: Socks5Server = {
    url: `socks5://${credentials}127.0.0.1:${address.port}`,
    relayed: 0,
    refused: 0,
    tunnels: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}

/** Reads exact byte counts from a socket during the handshake; `rest()` hands back what is left. */
function reader(socket: Socket) {
  let buffered = Buffer.alloc(0);
  let waiting: { size: number; resolve: (bytes: Buffer) => void; reject: (error: Error) => void } | undefined;
  const pump = () => {
    if (!waiting || buffered.length < waiting.size) return;
    const { size, resolve } = waiting;
    waiting = undefined;
    const bytes = buffered.subarray(0, size);
    buffered = buffered.subarray(size);
    resolve(bytes);
  };
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    pump();
  };
  socket.on('data', onData);
  socket.on('close', () => waiting?.reject(new Error('closed during the handshake')));
  const read = (size: number) =>
    new Promise<Buffer>((resolve, reject) => {
      waiting = { size, resolve, reject };
      pump();
    });
  read.rest = () => {
    socket.off('data', onData);
    const rest = buffered;
    buffered = Buffer.alloc(0);
    return rest;
  };
  return read;
}
