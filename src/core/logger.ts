/** A small levelled logger. It prints messages and error names/stacks, never request bodies or secrets. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

let threshold: LogLevel = process.env.HEARTH_LOG_LEVEL === undefined ? 'info' : (process.env.HEARTH_LOG_LEVEL as LogLevel);

function write(level: LogLevel, message: string, err?: unknown): void {
  if (order[level] < order[threshold]) return;
  const line = `${new Date().toISOString()} ${level.toUpperCase()} ${message}`;
  const detail = err instanceof Error ? `\n${err.stack ?? err.message}` : err === undefined ? '' : ` ${String(err)}`;
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + detail + '\n');
}

export const logger = {
  setLevel(level: LogLevel): void {
    threshold = level;
  },
  debug: (message: string) => write('debug', message),
  info: (message: string) => write('info', message),
  warn: (message: string, err?: unknown) => write('warn', message, err),
  error: (message: string, err?: unknown) => write('error', message, err),
};
