export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** Logs one JSON line per entry to stderr, so stdout stays clean for CLI output. */
export function createStderrLogger(level: LogLevel = 'info', scope = 'host'): Logger {
  const write = (entryLevel: LogLevel, message: string, data?: Record<string, unknown>) => {
    if (order[entryLevel] < order[level]) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: entryLevel, scope, message, ...data })}\n`);
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
