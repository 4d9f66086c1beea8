/** What every section of the play book is built from: the config, and the time and week it describes. */
import type { Config } from '../config/config.js';
import type { Coverage, ReferenceWeek } from './coverage.js';

export interface PlaybookContext {
  readonly config: Config;
  readonly generatedAt: number;
  readonly week: ReferenceWeek;
  readonly coverage: Coverage;
}
