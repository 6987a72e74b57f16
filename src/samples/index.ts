import large from './large.json' with { type: 'json' };
import small from './small.json' with { type: 'json' };

/** Sample SystemData documents (unparsed JSON), by name. */
export const SAMPLES: Readonly<Record<'small' | 'large', unknown>> = { small, large };
