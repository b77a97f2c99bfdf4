-- Audit trail of fr.socle.audit: one row per log entry and one per signed tree head.
-- Portable subset, run unchanged on SQLite, PostgreSQL and H2 2.x (no dialect types, no identity columns).
--
-- Invariant: both tables are append-only. AuditLog only INSERTs and SELECTs, and AuditLog.migrate
-- adds triggers refusing UPDATE and DELETE on SQLite and PostgreSQL. The Merkle tree is what makes
-- tampering evident: a changed or removed row no longer matches the signed tree heads auditors hold.
--
-- Hashes are unpadded base64url (43 characters for SHA-256). Times are RFC 3339 UTC with
-- milliseconds, stored as text because leaf hashes cover that exact text.

CREATE TABLE IF NOT EXISTS audit_entry (
  seq        BIGINT       NOT NULL PRIMARY KEY,
  logged_at  VARCHAR(32)  NOT NULL,
  entry_type VARCHAR(32)  NOT NULL,
  subject    VARCHAR(512) NOT NULL,
  payload    TEXT         NOT NULL,
  leaf_hash  VARCHAR(43)  NOT NULL
);

CREATE TABLE IF NOT EXISTS audit_tree_head (
  id         BIGINT       NOT NULL PRIMARY KEY,
  tree_size  BIGINT       NOT NULL,
  root_hash  VARCHAR(43)  NOT NULL,
  signed_at  VARCHAR(32)  NOT NULL,
  jws        TEXT         NOT NULL
);

-- Outbox of state changes (negotiations, transfers, agreements): a row is written in the same
-- transaction as the state change it records, so the two commit or roll back together, and moved
-- into audit_entry (insert and delete in one transaction) right after the commit or, after a crash,
-- at the next start. Rows are deleted once logged: this table is not append-only.
CREATE TABLE IF NOT EXISTS audit_outbox (
  id         VARCHAR(64)  NOT NULL PRIMARY KEY,
  staged_ord BIGINT       NOT NULL,
  entry_type VARCHAR(32)  NOT NULL,
  subject    VARCHAR(512) NOT NULL,
  payload    TEXT         NOT NULL
);

-- OPA decision ids already logged as OPA_DECISION entries: OPA's upload is at least once, so an
-- event it sends again is recognised here and not logged twice. Written in the entry's transaction.
CREATE TABLE IF NOT EXISTS audit_opa_decision (
  decision_id VARCHAR(128) NOT NULL PRIMARY KEY,
  seq         BIGINT       NOT NULL
);
