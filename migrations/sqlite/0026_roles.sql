-- Roles are named sets of permissions (internal/permission). The three
-- roles of the first release are built in (they cannot be deleted) and
-- seeded with exactly what they could do; admins define more. An agent's
-- role names a row here; a role in use cannot be deleted.
CREATE TABLE roles (
    name        TEXT        PRIMARY KEY,
    label       TEXT        NOT NULL,
    permissions TEXT        NOT NULL DEFAULT '',
    built_in    BOOLEAN     NOT NULL DEFAULT 0,
    created_at  DATETIME    NOT NULL,
    updated_at  DATETIME    NOT NULL
);

INSERT INTO roles (name, label, permissions, built_in, created_at, updated_at) VALUES
    ('agent', 'Agent', 'tickets.work', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('supervisor', 'Supervisor', 'tickets.work tickets.all tickets.assign agents.view reports.view complaints.supervise identity.reveal tags.manage contacts.merge canned.share wallboard.view wallboard.manage', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('admin', 'Admin', 'tickets.work tickets.all tickets.assign agents.view reports.view complaints.supervise identity.reveal tags.manage contacts.merge canned.share wallboard.view wallboard.manage queues.all admin.queues admin.agents admin.roles audit.view privacy.manage', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

-- agents.role loses its CHECK of the three names and refers to roles
-- instead. SQLite cannot alter a column's constraints; the documented way
-- for a change that leaves the stored rows as they are is to edit the
-- table's definition (sqlite.org/lang_altertable.html, "other kinds of
-- table schema changes"). RESET makes this connection read the edited
-- definition again; the CREATE INDEX below changes the schema version,
-- so every other connection does too.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'role             TEXT        NOT NULL CHECK (role IN (''agent'', ''supervisor'', ''admin''))',
    'role             TEXT        NOT NULL REFERENCES roles (name)')
WHERE type = 'table' AND name = 'agents';
PRAGMA writable_schema = RESET;
-- "is this role in use?" and the foreign key's check on delete.
CREATE INDEX agents_role_idx ON agents (role);
