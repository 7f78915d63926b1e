import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A port no one listened on a moment ago (for servers that cannot be told PORT=0, such as a PostgreSQL cluster). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ApiProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process printed, for a failure message. */
  output: string[];
  /** Exit codes (or signals) seen so far: a test that expects the process to live checks it is empty. */
  exits: (number | string | null)[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * The API as its own process (`src/main.ts` through tsx), on a port the kernel chose (PORT=0), its address
 * read from its own start line. A port picked by the test and polled with /healthz can be answered by
 * another test's server that holds it (the process under test then dies of EADDRINUSE unseen); the start
 * line cannot. The process logs at `info` so that line is printed; lines at the level the caller asked
 * for (LOG_LEVEL, default warn) and above are echoed to the test's stderr, as an inherited stdout would.
 */
export async function startApiProcess(env: Record<string, string | undefined>, timeoutMs = 90_000): Promise<ApiProcess> {
  const echoFrom = LEVELS[env.LOG_LEVEL ?? 'warn'] ?? LEVELS.warn!;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', NODE_ENV: 'test', ...env, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exits: ApiProcess['exits'] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      exits.push(code ?? signal);
      resolve({ code, signal });
    }),
  );
  let pending = '';
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API process did not start within ${timeoutMs} ms:\n${output.join('')}`)), timeoutMs);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`API process exited (${code ?? signal}) before listening:\n${output.join('')}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        let entry: { level?: number; port?: number; msg?: string } | undefined;
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          process.stderr.write(line + '\n');
          continue;
        }
        if ((entry?.level ?? 0) >= echoFrom) process.stderr.write(line + '\n');
        if (entry?.msg?.startsWith('CT-EWN Graph listening') && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve(entry.port);
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      process.stderr.write(chunk);
    });
  });
  const listening = await port;
  return { url: `http://127.0.0.1:${listening}`, port: listening, child, output, exits, exited };
}

/** SIGTERM to each process still running, and wait for it to exit. */
export async function stopApiProcesses(processes: { child: ChildProcess }[]): Promise<void> {
  await Promise.all(
    processes.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}
