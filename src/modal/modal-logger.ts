import type { Logger as ModalLogger, LogLevel } from 'modal';

type LogFn = (obj: Record<string, unknown>, msg: string) => void;

/** The part of a pino logger the adapter needs. */
export interface PinoLikeLogger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  /** pino's level name (`trace`, `debug`, `info`…), when the logger has one. */
  readonly level?: string;
}

function serialize(value: unknown): unknown {
  if (value instanceof Error) {
    const { code, details } = value as unknown as Record<string, unknown>;
    return {
      type: value.name,
      message: value.message,
      ...(typeof code === 'number' || typeof code === 'string' ? { code } : {}),
      ...(typeof details === 'string' ? { details } : {}),
    };
  }
  return value;
}

/**
 * The SDK logs `logger.debug("Created Sandbox", "sandbox_id", id)`: a message, then key/value
 * pairs. Those become the fields of a pino line, `{ sandbox_id: id }` with the message.
 */
export function fieldsOf(args: readonly unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i += 2) {
    if (i + 1 >= args.length) {
      fields.extra = serialize(args[i]);
      break;
    }
    fields[String(args[i])] = serialize(args[i + 1]);
  }
  return fields;
}

/** Adapts a pino-like logger to the Modal SDK's `Logger` interface. */
export function createModalLogger(logger: PinoLikeLogger): ModalLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, ...args: unknown[]): void => {
      logger[level](fieldsOf(args), message);
    };
  return {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  };
}

/**
 * The SDK filters by its own level before calling the logger; this maps pino's level onto it so
 * that the SDK's debug lines reach pino when pino wants them (and cost nothing otherwise).
 */
export function modalLogLevelFor(pinoLevel: string | undefined): LogLevel {
  switch (pinoLevel) {
    case 'trace':
    case 'debug':
      return 'debug';
    case 'info':
      return 'info';
    case 'error':
    case 'fatal':
    case 'silent':
      return 'error';
    default:
      return 'warn';
  }
}
