-- Prophasis schema, version 3: the health history reports show, and unattended agent joining.

-- Every change of a host's or a service's health (the engine's HealthChange), for the host and
-- service reports' "state changes" and the status page. No foreign key: a subject is a host or a
-- service, and the history of a deleted one is simply never asked for again; retention removes
-- old rows. States are the codes of resultcodes.h (stateCode).
CREATE TABLE health_changes (
  id {id_pk},
  time_ms {bigint} NOT NULL,
  subject {text} NOT NULL,
  subject_id {uuid} NOT NULL,
  from_state INTEGER NOT NULL,
  to_state INTEGER NOT NULL
);
CREATE INDEX health_changes_subject ON health_changes (subject_id, time_ms);
CREATE INDEX health_changes_time ON health_changes (time_ms);

-- Join strings the core issued (SPEC §9) for `prophasis-agent init --join`. Only the token's
-- SHA-256 is kept. A token admits up to max_uses agents (NULL: until it expires or is revoked).
CREATE TABLE join_tokens (
  id {uuid} PRIMARY KEY,
  token_hash {text} NOT NULL,
  description {text} NOT NULL DEFAULT '',
  created_by {text} NOT NULL DEFAULT '',
  created_ms {bigint} NOT NULL,
  expires_ms {bigint} NOT NULL,
  max_uses INTEGER,
  uses INTEGER NOT NULL DEFAULT 0,
  revoked {bool} NOT NULL
);
CREATE UNIQUE INDEX join_tokens_hash_unique ON join_tokens (token_hash);

-- Agents that registered with a join token and wait for an admin (SPEC §4): what they said about
-- themselves, the key of their client certificate, and their enrollment string sealed with the
-- core's secret box (it holds a one-time token), which accepting uses to pair. state: pending,
-- accepted or rejected.
CREATE TABLE enrollments (
  id {uuid} PRIMARY KEY,
  join_token_id {uuid} REFERENCES join_tokens (id) ON DELETE SET NULL,
  state {text} NOT NULL,
  hostname {text} NOT NULL,
  address {text} NOT NULL,
  agent_port INTEGER NOT NULL,
  agent_key_sha256 {text} NOT NULL,
  agent_version {text} NOT NULL DEFAULT '',
  os {text} NOT NULL DEFAULT '',
  enrollment_sealed {text} NOT NULL,
  source {text} NOT NULL DEFAULT '',
  created_ms {bigint} NOT NULL,
  decided_ms {bigint},
  decided_by {text} NOT NULL DEFAULT '',
  host_id {uuid} REFERENCES hosts (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX enrollments_pending_key ON enrollments (agent_key_sha256) WHERE state = 'pending';
CREATE INDEX enrollments_state ON enrollments (state, created_ms);
