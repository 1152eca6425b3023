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
  private readonly envCache = new Map<string, { vars: Map<string, string>; diagnostics: Diagnostic[] }>();
  readonly texts = new Map<string, string>();

  yaml(file: string): YamlFile {
    let cached = this.yamlCache.get(file);
    if (!cached) {
      const read = readConfigFile(file);
      if (read.ok) {
        this.texts.set(file, read.text);
        cached = parseYaml(read.text, file);
      } else cached = { root: undefined, diagnostics: [read.diagnostic] };
      this.yamlCache.set(file, cached);
    }
    return cached;
  }

  /** Variables of a dotenv file; an absent file has none. */
  dotenv(file: string): { vars: Map<string, string>; diagnostics: Diagnostic[] } {
    let cached = this.envCache.get(file);
    if (!cached) {
      if (!existsSync(file)) cached = { vars: new Map(), diagnostics: [] };
      else {
        const read = readConfigFile(file);
        if (read.ok) {
          this.texts.set(file, read.text);
          cached = parseDotenv(read.text, file);
        } else cached = { vars: new Map(), diagnostics: [read.diagnostic] };
      }
      this.envCache.set(file, cached);
    }
    return cached;
  }

  exists(file: string): boolean {
    return existsSync(file);
  }
}
