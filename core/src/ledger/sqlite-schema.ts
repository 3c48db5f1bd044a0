/** The ledger's tables. `user_version` holds LEDGER_SCHEMA_VERSION; a later version adds a migration step. */
export const LEDGER_SCHEMA_VERSION = 1;

export const LEDGER_SCHEMA = `
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  builder TEXT,
  build INTEGER,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  outcomes TEXT
);
CREATE INDEX events_received ON events (received_at);

CREATE TABLE deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  event_id TEXT,
  reporter TEXT NOT NULL,
  target TEXT NOT NULL,
  state TEXT NOT NULL,
  supersede INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  last_response TEXT,
  next_try_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  settled_at INTEGER,
  payload TEXT,
  request TEXT
);
CREATE INDEX deliveries_state ON deliveries (state, reporter);
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_settled ON deliveries (settled_at);

CREATE TABLE attempts (
  delivery_seq INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  error TEXT,
  response TEXT,
  PRIMARY KEY (delivery_seq, attempt)
) WITHOUT ROWID;

CREATE TABLE requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  delivery_id TEXT,
  event_id TEXT,
  reporter TEXT,
  created_at INTEGER NOT NULL
);
`;
