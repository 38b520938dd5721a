-- Roles are named sets of permissions (internal/permission). The three
-- roles of the first release are built in (they cannot be deleted) and
-- seeded with exactly what they could do; admins define more. An agent's
-- role names a row here; a role in use cannot be deleted.
CREATE TABLE roles (
    name        TEXT        PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{1,31}$'),
    label       TEXT        NOT NULL,
    permissions TEXT        NOT NULL DEFAULT '',
    built_in    BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

INSERT INTO roles (name, label, permissions, built_in, created_at, updated_at) VALUES
    ('agent', 'Agent', 'tickets.work', TRUE, now(), now()),
    ('supervisor', 'Supervisor', 'tickets.work tickets.all tickets.assign agents.view reports.view complaints.supervise identity.reveal tags.manage contacts.merge canned.share wallboard.view wallboard.manage', TRUE, now(), now()),
    ('admin', 'Admin', 'tickets.work tickets.all tickets.assign agents.view reports.view complaints.supervise identity.reveal tags.manage contacts.merge canned.share wallboard.view wallboard.manage queues.all admin.queues admin.agents admin.roles audit.view privacy.manage', TRUE, now(), now());

ALTER TABLE agents DROP CONSTRAINT IF EXISTS agents_role_check;
ALTER TABLE agents ADD CONSTRAINT agents_role_fkey FOREIGN KEY (role) REFERENCES roles (name);
-- "is this role in use?" and the foreign key's check on delete.
CREATE INDEX agents_role_idx ON agents (role);
