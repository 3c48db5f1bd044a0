// buildAdditionalContext for docs/formatter.md: adds `health` from the builder's last build.
export async function addHealth(context, { master }) {
  const last = await master?.lastBuild?.(context.buildername);
  return { health: last && last.results === 0 ? 'green' : 'red' };
}
