// HttpStatusPush in miniature: POST each finished build as JSON; core's HTTP sender sends it.
export default {
  setup: (options, ctx) => ({
    buildFinished: (event) => {
      ctx.deliver({ target: `build:${event.payload.buildid}`, payload: { url: options.url, body: event.payload } });
    },
  }),
};
