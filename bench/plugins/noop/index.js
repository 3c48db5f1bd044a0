// Does nothing: measures what core adds around a handler.
export default { setup: () => ({ buildFinished: () => {} }) };
