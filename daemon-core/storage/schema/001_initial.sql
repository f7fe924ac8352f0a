-- Prophasis schema, version 1. Placeholders in braces are filled per database by
-- Database::dialectSql(). Times are milliseconds since the epoch (UTC) in {bigint} columns.
-- Ids of configuration objects are UUIDs; the time series uses integer keys to stay compact.
-- Child rows reference their parents ON DELETE CASCADE so a delete leaves nothing dangling.

CREATE TABLE hosts (
  id {uuid} PRIMARY KEY,
  version {bigint} NOT NULL,
  name {text} NOT NULL,
  address {text} NOT NULL,
  agent_port INTEGER NOT NULL,
  description {text} NOT NULL DEFAULT '',
  agent_key_sha256 {text} NOT NULL DEFAULT '',
  enabled {bool} NOT NULL,
  variables {text} NOT NULL DEFAULT '{}',
  created_ms {bigint} NOT NULL,
  updated_ms {bigint} NOT NULL
);
CREATE UNIQUE INDEX hosts_name_unique ON hosts (lower(name));

CREATE TABLE host_groups (
  id {uuid} PRIMARY KEY,
  version {bigint} NOT NULL,
  name {text} NOT NULL,
  description {text} NOT NULL DEFAULT '',
  variables {text} NOT NULL DEFAULT '{}',
  created_ms {bigint} NOT NULL,
  updated_ms {bigint} NOT NULL
);
CREATE UNIQUE INDEX host_groups_name_unique ON host_groups (lower(name));

CREATE TABLE host_group_hosts (
  group_id {uuid} NOT NULL REFERENCES host_groups (id) ON DELETE CASCADE,
  host_id {uuid} NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (group_id, host_id)
);
CREATE INDEX host_group_hosts_host ON host_group_hosts (host_id);

CREATE TABLE host_group_groups (
  group_id {uuid} NOT NULL REFERENCES host_groups (id) ON DELETE CASCADE,
  member_group_id {uuid} NOT NULL REFERENCES host_groups (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (group_id, member_group_id)
);
CREATE INDEX host_group_groups_member ON host_group_groups (member_group_id);

CREATE TABLE plugins (
  id {uuid} PRIMARY KEY,
  version {bigint} NOT NULL,
  plugin_id {text} NOT NULL,
  name {text} NOT NULL,
  description {text} NOT NULL DEFAULT '',
  plugin_version {text} NOT NULL,
  runtime {text} NOT NULL,
  entry {text} NOT NULL DEFAULT '',
  classifier_source {text} NOT NULL,
  classifier_n INTEGER NOT NULL,
  view {text} NOT NULL,
  arguments {text} NOT NULL DEFAULT '[]',
  timeout_s INTEGER NOT NULL,
  platforms {text} NOT NULL DEFAULT '[]',
  package_sha256 {text} NOT NULL DEFAULT '',
  created_ms {bigint} NOT NULL,
  updated_ms {bigint} NOT NULL
);
CREATE UNIQUE INDEX plugins_plugin_id_unique ON plugins (plugin_id);

-- Every uploaded package is kept, so an admin can roll back to an earlier one.
CREATE TABLE plugin_packages (
  id {id_pk},
  plugin_id {uuid} NOT NULL REFERENCES plugins (id) ON DELETE CASCADE,
  plugin_version {text} NOT NULL,
  sha256 {text} NOT NULL,
  archive {blob} NOT NULL,
  signature {blob},
  uploaded_ms {bigint} NOT NULL,
  UNIQUE (plugin_id, sha256)
);

CREATE TABLE checks (
  id {uuid} PRIMARY KEY,
  version {bigint} NOT NULL,
  name {text} NOT NULL,
  description {text} NOT NULL DEFAULT '',
  enabled {bool} NOT NULL,
  created_ms {bigint} NOT NULL,
  updated_ms {bigint} NOT NULL
);
CREATE UNIQUE INDEX checks_name_unique ON checks (lower(name));

CREATE TABLE check_hosts (
  check_id {uuid} NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  host_id {uuid} NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (check_id, host_id)
);
CREATE INDEX check_hosts_host ON check_hosts (host_id);

CREATE TABLE check_groups (
  check_id {uuid} NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  group_id {uuid} NOT NULL REFERENCES host_groups (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (check_id, group_id)
);
CREATE INDEX check_groups_group ON check_groups (group_id);

CREATE TABLE check_plugins (
  check_id {uuid} NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  plugin_id {uuid} NOT NULL REFERENCES plugins (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  arguments {text} NOT NULL DEFAULT '{}',
  classifier_source {text},
  classifier_n INTEGER,
  PRIMARY KEY (check_id, plugin_id)
);
CREATE INDEX check_plugins_plugin ON check_plugins (plugin_id);

CREATE TABLE schedules (
  id {uuid} PRIMARY KEY,
  version {bigint} NOT NULL,
  name {text} NOT NULL,
  description {text} NOT NULL DEFAULT '',
  enabled {bool} NOT NULL,
  created_ms {bigint} NOT NULL,
  updated_ms {bigint} NOT NULL
);
CREATE UNIQUE INDEX schedules_name_unique ON schedules (lower(name));

CREATE TABLE schedule_intervals (
  schedule_id {uuid} NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  start_ms {bigint} NOT NULL,
  period_s {bigint} NOT NULL CHECK (period_s > 0),
  PRIMARY KEY (schedule_id, position)
);

CREATE TABLE schedule_checks (
  schedule_id {uuid} NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
  check_id {uuid} NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (schedule_id, check_id)
);
CREATE INDEX schedule_checks_check ON schedule_checks (check_id);

CREATE TABLE services (
  id {uuid} PRIMARY KEY,
  version {bigint} NOT NULL,
  name {text} NOT NULL,
  description {text} NOT NULL DEFAULT '',
  created_ms {bigint} NOT NULL,
  updated_ms {bigint} NOT NULL
);
CREATE UNIQUE INDEX services_name_unique ON services (lower(name));

CREATE TABLE service_redundancy_groups (
  service_id {uuid} NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name {text} NOT NULL DEFAULT '',
  PRIMARY KEY (service_id, position)
);

-- A member of a service: group_position -1 is a dependency, otherwise the redundancy group
-- at that position. Exactly one of host_id, group_id, member_service_id is set; plugin_id goes
-- with host_id for a plugin on a host.
CREATE TABLE service_members (
  service_id {uuid} NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  group_position INTEGER NOT NULL,
  position INTEGER NOT NULL,
  kind {text} NOT NULL,
  host_id {uuid} REFERENCES hosts (id) ON DELETE CASCADE,
  group_id {uuid} REFERENCES host_groups (id) ON DELETE CASCADE,
  plugin_id {uuid} REFERENCES plugins (id) ON DELETE CASCADE,
  member_service_id {uuid} REFERENCES services (id) ON DELETE CASCADE,
  PRIMARY KEY (service_id, group_position, position)
);
CREATE INDEX service_members_host ON service_members (host_id);
CREATE INDEX service_members_group ON service_members (group_id);
CREATE INDEX service_members_plugin ON service_members (plugin_id);
CREATE INDEX service_members_service ON service_members (member_service_id);

CREATE TABLE alerts (
  id {uuid} PRIMARY KEY,
  version {bigint} NOT NULL,
  name {text} NOT NULL,
  description {text} NOT NULL DEFAULT '',
  enabled {bool} NOT NULL,
  from_states {text} NOT NULL DEFAULT '[]',
  to_states {text} NOT NULL DEFAULT '[]',
  all_hosts {bool} NOT NULL,
  all_services {bool} NOT NULL,
  module {text} NOT NULL,
  options {text} NOT NULL DEFAULT '{}',
  secrets {blob},
  created_ms {bigint} NOT NULL,
  updated_ms {bigint} NOT NULL
);
CREATE UNIQUE INDEX alerts_name_unique ON alerts (lower(name));

-- What an alert watches (scope) and is restricted to: kind is host, host_group, service,
-- plugin or check, and the matching column is set.
CREATE TABLE alert_refs (
  alert_id {uuid} NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  kind {text} NOT NULL,
  position INTEGER NOT NULL,
  host_id {uuid} REFERENCES hosts (id) ON DELETE CASCADE,
  group_id {uuid} REFERENCES host_groups (id) ON DELETE CASCADE,
  service_id {uuid} REFERENCES services (id) ON DELETE CASCADE,
  plugin_id {uuid} REFERENCES plugins (id) ON DELETE CASCADE,
  check_id {uuid} REFERENCES checks (id) ON DELETE CASCADE,
  PRIMARY KEY (alert_id, kind, position)
);
CREATE INDEX alert_refs_host ON alert_refs (host_id);
CREATE INDEX alert_refs_group ON alert_refs (group_id);
CREATE INDEX alert_refs_service ON alert_refs (service_id);
CREATE INDEX alert_refs_plugin ON alert_refs (plugin_id);
CREATE INDEX alert_refs_check ON alert_refs (check_id);

CREATE TABLE users (
  id {uuid} PRIMARY KEY,
  version {bigint} NOT NULL,
  username {text} NOT NULL,
  full_name {text} NOT NULL DEFAULT '',
  role {text} NOT NULL,
  enabled {bool} NOT NULL,
  password_hash {text} NOT NULL,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until_ms {bigint},
  last_login_ms {bigint},
  created_ms {bigint} NOT NULL,
  updated_ms {bigint} NOT NULL
);
CREATE UNIQUE INDEX users_username_unique ON users (lower(username));

CREATE TABLE api_tokens (
  id {uuid} PRIMARY KEY,
  version {bigint} NOT NULL,
  name {text} NOT NULL,
  role {text} NOT NULL,
  owner_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash {text} NOT NULL,
  created_ms {bigint} NOT NULL,
  updated_ms {bigint} NOT NULL,
  expires_ms {bigint},
  last_used_ms {bigint}
);
CREATE UNIQUE INDEX api_tokens_hash_unique ON api_tokens (token_hash);
CREATE INDEX api_tokens_owner ON api_tokens (owner_id);

CREATE TABLE sessions (
  token_hash {text} PRIMARY KEY,
  user_id {uuid} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_ms {bigint} NOT NULL,
  expires_ms {bigint} NOT NULL,
  last_seen_ms {bigint} NOT NULL,
  source {text} NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_ms);

-- The audit log keeps the username as text: it outlives the user it names.
CREATE TABLE audit_log (
  id {id_pk},
  time_ms {bigint} NOT NULL,
  user_id {uuid},
  username {text} NOT NULL DEFAULT '',
  source {text} NOT NULL DEFAULT '',
  action {text} NOT NULL,
  entity_type {text} NOT NULL DEFAULT '',
  entity_id {uuid},
  summary {text} NOT NULL DEFAULT '',
  details {text} NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_time ON audit_log (time_ms);

CREATE TABLE system_log (
  id {id_pk},
  first_ms {bigint} NOT NULL,
  last_ms {bigint} NOT NULL,
  count {bigint} NOT NULL,
  severity {text} NOT NULL,
  category {text} NOT NULL,
  message {text} NOT NULL,
  fold_key {text} NOT NULL,
  host_id {uuid} REFERENCES hosts (id) ON DELETE SET NULL,
  is_read {bool} NOT NULL
);
-- At most one unread entry per fold key: repeats fold into it with an upsert.
CREATE UNIQUE INDEX system_log_unread_fold ON system_log (fold_key) WHERE NOT is_read;
CREATE INDEX system_log_last ON system_log (last_ms);
CREATE INDEX system_log_host ON system_log (host_id);

-- The time series. A series is one (host, check, plugin); it keeps its latest result so the
-- health of every host is one small read.
CREATE TABLE series (
  id {id_pk},
  host_id {uuid} NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
  check_id {uuid} NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  plugin_id {uuid} NOT NULL REFERENCES plugins (id) ON DELETE CASCADE,
  last_result_id {bigint},
  last_ms {bigint},
  last_classification {text},
  UNIQUE (host_id, check_id, plugin_id)
);
CREATE INDEX series_check ON series (check_id);
CREATE INDEX series_plugin ON series (plugin_id);

-- Repeated messages are stored once, found by their SHA-1.
CREATE TABLE messages (
  id {id_pk},
  hash {text} NOT NULL,
  text {text} NOT NULL
);
CREATE UNIQUE INDEX messages_hash_unique ON messages (hash);

CREATE TABLE metric_names (
  id {id_pk},
  name {text} NOT NULL,
  unit {text} NOT NULL DEFAULT '',
  UNIQUE (name, unit)
);

CREATE TABLE results (
  id {id_pk},
  series_id {bigint} NOT NULL REFERENCES series (id) ON DELETE CASCADE,
  time_ms {bigint} NOT NULL,
  type {text} NOT NULL,
  value {double},
  message_id {bigint} NOT NULL REFERENCES messages (id),
  status {text} NOT NULL,
  classification {text} NOT NULL,
  duration_ms {bigint} NOT NULL
);
-- Serves "the last n results of a series" and "a series between two times".
CREATE INDEX results_series_time ON results (series_id, time_ms);
CREATE INDEX results_time ON results (time_ms);

CREATE TABLE result_metrics (
  result_id {bigint} NOT NULL REFERENCES results (id) ON DELETE CASCADE,
  metric_id {bigint} NOT NULL REFERENCES metric_names (id),
  value {double} NOT NULL,
  PRIMARY KEY (result_id, metric_id)
);

-- Hourly min / max / sum / count per series and metric; metric_id 0 is the result's value.
CREATE TABLE rollups_hourly (
  series_id {bigint} NOT NULL REFERENCES series (id) ON DELETE CASCADE,
  metric_id {bigint} NOT NULL,
  hour_ms {bigint} NOT NULL,
  min_value {double} NOT NULL,
  max_value {double} NOT NULL,
  sum_value {double} NOT NULL,
  count {bigint} NOT NULL,
  PRIMARY KEY (series_id, metric_id, hour_ms)
);
CREATE INDEX rollups_hourly_hour ON rollups_hourly (hour_ms);
