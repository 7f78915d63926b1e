import cliProgress from 'cli-progress';

/** What the import tells a person while it writes: a bar on a terminal, a line now and then in a log. */
export interface Progress {
  update(written: number): void;
  stop(): void;
}

// Once every row is in, recordObservations evaluates the alert rules and commits: on big files, a while.
const FINISHING = '; raising alerts and committing…';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * A bar (cli-progress) when stderr is a terminal; otherwise one plain line for the first chunk and then
 * at most one every `intervalMs`, so a CI log or a redirected file shows the import is alive without
 * thousands of lines.
 */
export function progressReporter(stream: ProgressStream, total: number, intervalMs = 2000): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WritableStream,
        format: 'writing [{bar}] {percentage}% | {value}/{total} rows | {duration_formatted}{phase}',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { phase: '' });
    return {
      update: (written) => bar.update(written, { phase: written >= total ? FINISHING : '' }),
      stop: () => {
        bar.update({ phase: '' });
        bar.stop();
      },
    };
  }
  const started = Date.now();
  let last: number | undefined;
  return {
    update(written) {
      const now = Date.now();
      if (last !== undefined && written < total && now - last < intervalMs) return;
      last = now;
      const percent = Math.floor((written / total) * 100);
      stream.write(`written ${written}/${total} rows (${percent}%, ${((now - started) / 1000).toFixed(1)} s)${written >= total ? FINISHING : ''}\n`);
    },
    stop: () => undefined,
  };
}
