import large from './large.json' with { type: 'json' };
import small from './small.json' with { type: 'json' };
import todayLarge from './today-large.json' with { type: 'json' };
import todaySmall from './today-small.json' with { type: 'json' };

/** The seed's format (decodeParms/prefillParms), then today's Inferno (perfParms). */
export const SAMPLE_NAMES = ['small', 'large', 'today-small', 'today-large'] as const;
export type SampleName = (typeof SAMPLE_NAMES)[number];

/** Sample SystemData documents (unparsed JSON), by name. */
export const SAMPLES: Readonly<Record<SampleName, unknown>> = { small, large, 'today-small': todaySmall, 'today-large': todayLarge };

export function isSampleName(name: string): name is SampleName {
  return (SAMPLE_NAMES as readonly string[]).includes(name);
}
