import type { Style } from '../util/style.js';

/** What a long operation tells the user as it goes: each service's step, and lines that stay. */
export interface Progress {
  /** A service's current step ("creating", "waiting for health", "healthy"). `final` steps stay on screen as they are. */
  step(service: string, text: string, final?: boolean): void;
  /** A line of its own (a warning, a summary). */
  line(text: string): void;
  /** The operation is over: leave the screen tidy. */
  end(): void;
}

/** Plain lines for logs and pipes: one per change of step, so the output reads as a history. */
export function plainProgress(write: (text: string) => void, prefix = ''): Progress {
  const last = new Map<string, string>();
  return {
    step(service, text) {
      if (last.get(service) === text) return;
      last.set(service, text);
      write(`${prefix}${service}: ${text}\n`);
    },
    line(text) {
      write(`${text}\n`);
    },
    end() {},
  };
}

/**
 * On a terminal, one line per service rewritten in place, with the seconds a wait has taken; lines
 * of their own are printed above the block.
 */
export function ttyProgress(write: (text: string) => void, style: Style, prefix = ''): Progress {
  const rows = new Map<string, { text: string; since: number; final: boolean }>();
  let drawn = 0;
  const render = () => {
    let s = drawn ? `\x1b[${drawn}A` : '';
    for (const [service, r] of rows) {
      const secs = Math.floor((Date.now() - r.since) / 1000);
      const mark = r.final ? style.green('✓') : style.cyan('…');
      s += `\x1b[2K${mark} ${prefix}${style.bold(service)}: ${r.text}${!r.final && secs >= 1 ? style.dim(` (${secs}s)`) : ''}\n`;
    }
    drawn = rows.size;
    write(s);
  };
  const timer = setInterval(() => rows.size && render(), 1000);
  timer.unref();
  return {
    step(service, text, final = false) {
      const prev = rows.get(service);
      rows.set(service, { text, since: prev && prev.text === text ? prev.since : Date.now(), final });
      render();
    },
    line(text) {
      const clear = drawn ? `\x1b[${drawn}A\x1b[J` : '';
      drawn = 0;
      write(`${clear}${text}\n`);
      render();
    },
    end() {
      clearInterval(timer);
      render();
    },
  };
}
