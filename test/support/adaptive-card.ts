/**
 * An Adaptive Card checked by Microsoft's own `adaptivecards` package (its element classes carry
 * the schema: property names, enum values, element types per version). The package publishes no
 * JSON schema file, so its parser is the reference: every event it reports while parsing and
 * validating a card (unknown element, invalid value, element newer than the version) is a problem.
 * Its ES build imports without file extensions, so the UMD bundle is loaded.
 */
import { createRequire } from 'node:module';

interface ParseEvent {
  message: string;
}
interface AdaptiveCardsModule {
  AdaptiveCard: new () => {
    parse(json: unknown, context: unknown): void;
    validateProperties(): { validationEvents: ParseEvent[] };
  };
  SerializationContext: new (version?: unknown) => { eventCount: number; getEventAt(i: number): ParseEvent };
  Version: { parse(text: string, context: unknown): unknown };
}

const ac = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

/** What the `adaptivecards` parser finds wrong with `card` read as a card of `maxVersion` (empty: none). */
export function adaptiveCardProblems(card: unknown, maxVersion: string): string[] {
  const versionContext = new ac.SerializationContext();
  const context = new ac.SerializationContext(ac.Version.parse(maxVersion, versionContext));
  const parsed = new ac.AdaptiveCard();
  parsed.parse(card, context);
  const events = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i));
  const problems = [...events, ...parsed.validateProperties().validationEvents].map((e) => e.message);
  // The parser reads any version; a card must not ask for more than the client renders.
  const version = (card as { version?: unknown } | null)?.version;
  if (typeof version !== 'string' || !/^1\.\d$/.test(version) || Number(version) > Number(maxVersion))
    problems.push(`version ${JSON.stringify(version)} is not a card version up to ${maxVersion}`);
  return problems;
}
