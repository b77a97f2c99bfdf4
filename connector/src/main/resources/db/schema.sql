-- Portable subset: runs on SQLite (the embedded database), PostgreSQL and H2 2.x (read by the import of
-- an earlier data directory, store.H2Import). JSON documents are stored as text.
CREATE TABLE IF NOT EXISTS asset (
  id VARCHAR(200) PRIMARY KEY,
  title VARCHAR(500) NOT NULL,
  description TEXT,
  content_type VARCHAR(200) NOT NULL,
  source TEXT NOT NULL,
  classification VARCHAR(50) NOT NULL,
  created_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS policy (
  id VARCHAR(200) PRIMARY KEY,
  body TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS offer (
  id VARCHAR(200) PRIMARY KEY,
  asset_id VARCHAR(200) NOT NULL REFERENCES asset(id),
  policy_id VARCHAR(200) NOT NULL REFERENCES policy(id),
  created_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS negotiation (
  id VARCHAR(100) PRIMARY KEY,
  role VARCHAR(20) NOT NULL,
  state VARCHAR(30) NOT NULL,
  counter_party_id VARCHAR(200),
  counter_party_pid VARCHAR(200),
  counter_party_address VARCHAR(2000) NOT NULL,
  offer_id VARCHAR(200) NOT NULL,
  asset_id VARCHAR(200) NOT NULL,
  offer TEXT NOT NULL,
  agreement_id VARCHAR(100),
  detail TEXT,
  attempts INT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS agreement (
  id VARCHAR(100) PRIMARY KEY,
  negotiation_id VARCHAR(100) NOT NULL,
  asset_id VARCHAR(200) NOT NULL,
  provider_id VARCHAR(200) NOT NULL,
  consumer_id VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  signed_at TIMESTAMP NOT NULL,
  access_count BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS transfer (
  id VARCHAR(100) PRIMARY KEY,
  role VARCHAR(20) NOT NULL,
  state VARCHAR(30) NOT NULL,
  counter_party_id VARCHAR(200),
  counter_party_pid VARCHAR(200),
  counter_party_address VARCHAR(2000) NOT NULL,
  agreement_id VARCHAR(100) NOT NULL,
  format VARCHAR(100) NOT NULL,
  data_address TEXT,
  token_hash VARCHAR(100),
  detail TEXT,
  attempts INT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

-- Agreement signatures (JWS by provider and consumer, see agreement.AgreementSigner), added by ALTER
-- so that databases created before them gain the columns at the next start.
ALTER TABLE agreement ADD COLUMN IF NOT EXISTS provider_signature_state VARCHAR(20) DEFAULT 'NOT_SIGNED' NOT NULL;
ALTER TABLE agreement ADD COLUMN IF NOT EXISTS provider_signature TEXT;
ALTER TABLE agreement ADD COLUMN IF NOT EXISTS consumer_signature_state VARCHAR(20) DEFAULT 'NOT_SIGNED' NOT NULL;
ALTER TABLE agreement ADD COLUMN IF NOT EXISTS consumer_signature TEXT;

-- The French wording of a detail (a refusal's reasons), beside the English one in detail.
ALTER TABLE negotiation ADD COLUMN IF NOT EXISTS detail_fr TEXT;
ALTER TABLE transfer ADD COLUMN IF NOT EXISTS detail_fr TEXT;

-- A provider's revocation of an agreement it granted (see negotiation.Agreement.Revocation).
ALTER TABLE agreement ADD COLUMN IF NOT EXISTS revoked_at TIMESTAMP;
ALTER TABLE agreement ADD COLUMN IF NOT EXISTS revoked_reason TEXT;

-- HttpData-PUSH: the DataAddress data is pushed to, with the receiver's token (see transfer.Transfer).
ALTER TABLE transfer ADD COLUMN IF NOT EXISTS destination TEXT;

-- A revocation terminates the running transfers under its agreement (see transfer.TransferManager).
CREATE INDEX IF NOT EXISTS transfer_agreement ON transfer (agreement_id);
-- A partner's unfinished processes are counted at each new request (see store.TooManyOpen).
CREATE INDEX IF NOT EXISTS transfer_counter_party ON transfer (counter_party_id);
CREATE INDEX IF NOT EXISTS negotiation_counter_party ON negotiation (counter_party_id);

-- The management API's Idempotency-Key (see management.IdempotencyKeys): one row per caller and key,
-- claimed by a runner, then given its response in the transaction that creates the resource.
CREATE TABLE IF NOT EXISTS idempotency_key (
  scope VARCHAR(64) NOT NULL,
  idem_key VARCHAR(255) NOT NULL,
  request_digest VARCHAR(64) NOT NULL,
  runner VARCHAR(36) NOT NULL,
  status INT,
  response TEXT,
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  PRIMARY KEY (scope, idem_key)
);
CREATE INDEX IF NOT EXISTS idempotency_key_expiry ON idempotency_key (expires_at);

-- The consumerPid under which each provider process was requested, once per partner (DSP: the same
-- consumerPid finds the same process). A re-sent request finds its process here; of two concurrent
-- ones, the second fails on the primary key instead of opening a second process. A table of its own
-- rather than a unique index on the process tables: a partial index (provider rows only) is not
-- portable, and databases created before it may hold duplicates, which an index would refuse.
CREATE TABLE IF NOT EXISTS negotiation_request (
  role VARCHAR(20) NOT NULL,
  counter_party_id VARCHAR(200) NOT NULL,
  counter_party_pid VARCHAR(200) NOT NULL,
  negotiation_id VARCHAR(100) NOT NULL,
  offer_id VARCHAR(200) NOT NULL,
  PRIMARY KEY (role, counter_party_id, counter_party_pid)
);

CREATE TABLE IF NOT EXISTS transfer_request (
  role VARCHAR(20) NOT NULL,
  counter_party_id VARCHAR(200) NOT NULL,
  counter_party_pid VARCHAR(200) NOT NULL,
  transfer_id VARCHAR(100) NOT NULL,
  PRIMARY KEY (role, counter_party_id, counter_party_pid)
);

-- Provider processes created before these tables are keyed at the next start; of duplicates already
-- there, the latest, the one a consumer that re-sent its request last heard of. Idempotent: rows
-- already keyed are left alone.
INSERT INTO negotiation_request (role, counter_party_id, counter_party_pid, negotiation_id, offer_id)
SELECT n.role, n.counter_party_id, n.counter_party_pid, n.id, n.offer_id FROM negotiation n
WHERE n.role = 'PROVIDER' AND n.counter_party_id IS NOT NULL AND n.counter_party_pid IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM negotiation_request r WHERE r.role = n.role
    AND r.counter_party_id = n.counter_party_id AND r.counter_party_pid = n.counter_party_pid)
  AND NOT EXISTS (SELECT 1 FROM negotiation m WHERE m.role = n.role AND m.counter_party_id = n.counter_party_id
    AND m.counter_party_pid = n.counter_party_pid
    AND (m.created_at > n.created_at OR (m.created_at = n.created_at AND m.id > n.id)));

INSERT INTO transfer_request (role, counter_party_id, counter_party_pid, transfer_id)
SELECT t.role, t.counter_party_id, t.counter_party_pid, t.id FROM transfer t
WHERE t.role = 'PROVIDER' AND t.counter_party_id IS NOT NULL AND t.counter_party_pid IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM transfer_request r WHERE r.role = t.role
    AND r.counter_party_id = t.counter_party_id AND r.counter_party_pid = t.counter_party_pid)
  AND NOT EXISTS (SELECT 1 FROM transfer m WHERE m.role = t.role AND m.counter_party_id = t.counter_party_id
    AND m.counter_party_pid = t.counter_party_pid
    AND (m.created_at > t.created_at OR (m.created_at = t.created_at AND m.id > t.id)));

-- The participant whose suspension holds a SUSPENDED transfer (see transfer.Transfer): a provider's
-- suspension is its own to lift, whatever a partner's message wrote in the detail.
ALTER TABLE transfer ADD COLUMN IF NOT EXISTS suspended_by VARCHAR(200);
