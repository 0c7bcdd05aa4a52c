import type { ExportBatch, Exporter, ExportResult } from '../types';
import { CONSOLE_EXPORTER_OPTIONS } from '../validation/exporter-options';
import { checkOptions } from '../validation/options-check';
import { printable, type RenderOptions, renderLog, renderTrace } from './internal/waterfall';

export interface ConsoleExporterOptions {
  /** Where the text goes. Default: `process.stdout.write`. */
  write?: (text: string) => void;
  /**
   * ANSI colours. `'auto'` (default) colours only when writing to
   * `process.stdout` and it is a TTY, unless `NO_COLOR` is set; `FORCE_COLOR`
   * (other than `0`/`false`) forces them on.
   */
  colors?: boolean | 'auto';
  /** Maximum line width in columns. Default: the terminal's width, else 100. */
  width?: number;
  /** Print logs: a trace's logs under their span, standalone logs after the traces. Default: true. */
  showLogs?: boolean;
  /**
   * Attributes shown inline besides the key HTTP and LLM fields: `true` for
   * all of them, or a list of keys. Default: none.
   */
  showAttributes?: boolean | string[];
}

/** The console exporter; its `export` is synchronous and never throws. */
export interface ConsoleExporter extends Exporter {
  readonly name: 'console';
  export(batch: ExportBatch, signal?: AbortSignal): ExportResult;
}

const MIN_WIDTH = 20;
const FALLBACK_WIDTH = 100;
const MIN_TERMINAL_WIDTH = 40;

/**
 * Prints each exported trace as a waterfall tree (one line per span, with its
 * duration and a bar on the trace's time axis), then any standalone logs. Meant
 * for development; it never throws and never retries.
 *
 * @example
 * const tracer = createTracer({ serviceName: 'api', exporter: consoleExporter({ width: 120 }) });
 */
export function consoleExporter(options: ConsoleExporterOptions = {}): ConsoleExporter {
  const opts = validate(options);
  // After validate(), whose messages for each type are more precise: this adds unknown names.
  checkOptions('consoleExporter()', options, CONSOLE_EXPORTER_OPTIONS);
  const write = opts.write ?? defaultWrite();
  const colorMode = opts.colors ?? 'auto';
  const colors = colorMode === 'auto' ? autoColors(opts.write === undefined) : colorMode;
  const render: Readonly<Omit<RenderOptions, 'width'>> = {
    colors,
    showLogs: opts.showLogs ?? true,
    showAttributes: Array.isArray(opts.showAttributes)
      ? [...opts.showAttributes]
      : opts.showAttributes === true,
  };

  return {
    name: 'console',
    export(batch: ExportBatch): ExportResult {
      const renderOptions: RenderOptions = { ...render, width: opts.width ?? terminalWidth() };
      const chunks: string[] = [];
      let failure: Error | undefined;
      const attempt = (fn: () => string, what: string) => {
        try {
          chunks.push(fn());
        } catch (err) {
          failure ??= asError(err);
          chunks.push(printable(`(tracewire: could not render ${what}: ${asError(err).message})`));
        }
      };
      try {
        for (const trace of batch.traces ?? []) {
          attempt(() => `${renderTrace(trace, renderOptions)}\n`, `trace ${safeId(trace)}`);
        }
        if (render.showLogs) {
          for (const log of batch.logs ?? []) attempt(() => renderLog(log, renderOptions), 'a log');
        }
        if (chunks.length > 0) write(`${chunks.join('\n')}\n`);
      } catch (err) {
        failure ??= asError(err);
      }
      return failure ? { ok: false, retryable: false, error: failure } : { ok: true };
    },
  };
}

function validate(options: ConsoleExporterOptions): ConsoleExporterOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('consoleExporter(options): options must be an object or omitted.');
  }
  const { write, colors, width, showLogs, showAttributes } = options;
  if (write !== undefined && typeof write !== 'function') {
    throw new TypeError('consoleExporter: `write` must be a function (text: string) => void.');
  }
  if (colors !== undefined && typeof colors !== 'boolean' && colors !== 'auto') {
    throw new TypeError(
      `consoleExporter: \`colors\` must be true, false or 'auto', got ${JSON.stringify(colors)}.`,
    );
  }
  if (width !== undefined && !(Number.isInteger(width) && width >= MIN_WIDTH)) {
    throw new TypeError(
      `consoleExporter: \`width\` must be an integer of at least ${MIN_WIDTH} columns, got ${String(width)}; omit it to use the terminal width.`,
    );
  }
  if (showLogs !== undefined && typeof showLogs !== 'boolean') {
    throw new TypeError('consoleExporter: `showLogs` must be a boolean.');
  }
  if (
    showAttributes !== undefined &&
    typeof showAttributes !== 'boolean' &&
    !(Array.isArray(showAttributes) && showAttributes.every((k) => typeof k === 'string'))
  ) {
    throw new TypeError(
      'consoleExporter: `showAttributes` must be a boolean or an array of attribute keys.',
    );
  }
  return options;
}

/**
 * NO_COLOR (https://no-color.org) turns colours off when set to anything but an
 * empty string; FORCE_COLOR wins over it, as in Node itself.
 */
function autoColors(toStdout: boolean): boolean {
  const proc = hostProcess();
  const force = proc?.env?.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (proc?.env?.NO_COLOR) return false;
  return toStdout && proc?.stdout?.isTTY === true;
}

/** Node's `process`, where there is one (fetch runtimes may have none). */
function hostProcess(): Partial<Pick<NodeJS.Process, 'env' | 'stdout'>> | undefined {
  return (globalThis as { process?: Partial<NodeJS.Process> }).process;
}

/** stdout where there is one; elsewhere (fetch runtimes) the console, a line at a time. */
function defaultWrite(): (text: string) => void {
  const stdout = hostProcess()?.stdout;
  if (typeof stdout?.write === 'function') return (text) => void stdout.write(text);
  return (text) => console.log(text.replace(/\n$/, ''));
}

function terminalWidth(): number {
  const columns = hostProcess()?.stdout?.columns;
  return typeof columns === 'number' && columns > 0
    ? Math.max(MIN_TERMINAL_WIDTH, columns)
    : FALLBACK_WIDTH;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function safeId(trace: unknown): string {
  const id = (trace as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id.slice(0, 64) : '?';
}
