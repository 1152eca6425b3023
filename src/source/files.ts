import { existsSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { parseDotenv } from './dotenv.js';
import { readConfigFile } from './read.js';
import type { LNode } from './tree.js';
import { parseYaml } from './yaml.js';

export interface YamlFile {
  root: LNode | undefined;
  diagnostics: Diagnostic[];
}

/**
 * The loader's only door to the file system: every file is read and parsed once, however many
 * hosts, stacks or `extends` refer to it. The text is kept for diagnostics' source excerpts.
 */
export class FileSource {
  private readonly yamlCache = new Map<string, YamlFile>();
  private readonly envCache = new Map<string, { vars: Map<string, string>; literal: Set<string>; diagnostics: Diagnostic[] }>();
  readonly texts = new Map<string, string>();

  /** `overrides`: file contents that stand in for what is on disk (a dry run's fixed files). */
  constructor(private readonly overrides: ReadonlyMap<string, string> = new Map()) {}

  private read(file: string): ReturnType<typeof readConfigFile> {
    const o = this.overrides.get(file);
    return o !== undefined ? { ok: true, text: o } : readConfigFile(file);
  }

  /** The text of a file (read once), or undefined when it cannot be read. */
  text(file: string): string | undefined {
    if (!this.texts.has(file)) {
      const r = this.read(file);
      if (!r.ok) return undefined;
      this.texts.set(file, r.text);
    }
    return this.texts.get(file);
  }

  yaml(file: string): YamlFile {
    let cached = this.yamlCache.get(file);
    if (!cached) {
      const read = this.read(file);
      if (read.ok) {
        this.texts.set(file, read.text);
        cached = parseYaml(read.text, file);
      } else cached = { root: undefined, diagnostics: [read.diagnostic] };
      this.yamlCache.set(file, cached);
    }
    return cached;
  }

  /** Variables of a dotenv file; an absent file has none. */
  dotenv(file: string): { vars: Map<string, string>; literal: Set<string>; diagnostics: Diagnostic[] } {
    let cached = this.envCache.get(file);
    if (!cached) {
      if (!this.exists(file)) cached = { vars: new Map(), literal: new Set(), diagnostics: [] };
      else {
        const read = this.read(file);
        if (read.ok) {
          this.texts.set(file, read.text);
          cached = parseDotenv(read.text, file);
        } else cached = { vars: new Map(), literal: new Set(), diagnostics: [read.diagnostic] };
      }
      this.envCache.set(file, cached);
    }
    return cached;
  }

  exists(file: string): boolean {
    return this.overrides.has(file) || existsSync(file);
  }
}
