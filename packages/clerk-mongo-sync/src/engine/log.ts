/** How a line is logged: `info` for what went well, `warn` for a refused request, `error` for what needs someone. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Where the engine's log lines go: one JSON object per line, never payload data or PII. */
export type Log = (line: string, level: LogLevel) => void;

const CONSOLE_METHOD = { info: 'log', warn: 'warn', error: 'error' } as const;

/** The default: the console, at the line's level. */
export const consoleLog: Log = (line, level) => console[CONSOLE_METHOD[level]](line);

/** One event as a JSON line. */
export function logEvent(log: Log, level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  log(JSON.stringify({ event, ...fields }), level);
}
