// format_fn for docs/reporters/http-status-push.md: a small summary instead of the whole build.
export function summary(build) {
  return { builder: build.builder.name, number: build.number, complete: build.complete, results: build.results, url: build.url };
}
