-- Routing: what each queue takes and how it hands work out, agents' skills
-- and per-channel capacity, SLA policies on business hours, holidays, and
-- the SLA clock of each ticket.

-- channels / categories / provinces / skills are comma-separated lists;
-- empty means "any" (provinces empty: the national queue). hours is the
-- weekly calendar as JSON ({"mon": ["08:00-12:00", "13:00-17:00"], ...});
-- empty means open around the clock.
ALTER TABLE queues ADD COLUMN channels          TEXT    NOT NULL DEFAULT '';
ALTER TABLE queues ADD COLUMN categories        TEXT    NOT NULL DEFAULT '';
ALTER TABLE queues ADD COLUMN provinces         TEXT    NOT NULL DEFAULT '';
ALTER TABLE queues ADD COLUMN skills            TEXT    NOT NULL DEFAULT '';
ALTER TABLE queues ADD COLUMN strategy          TEXT    NOT NULL DEFAULT 'least_busy' CHECK (strategy IN ('least_busy', 'round_robin', 'skills'));
ALTER TABLE queues ADD COLUMN time_zone         TEXT    NOT NULL DEFAULT 'Asia/Jakarta';
ALTER TABLE queues ADD COLUMN hours             TEXT    NOT NULL DEFAULT '';
ALTER TABLE queues ADD COLUMN overflow_queue_id BIGINT  NULL REFERENCES queues (id) ON DELETE SET NULL;
ALTER TABLE queues ADD COLUMN overflow_after_s  INTEGER NOT NULL DEFAULT 0 CHECK (overflow_after_s >= 0);
ALTER TABLE queues ADD COLUMN updated_at        DATETIME NULL;

-- Round-robin turns: the member of a queue assigned longest ago goes next.
ALTER TABLE queue_members ADD COLUMN last_assigned_at DATETIME NULL;

-- presence_changed_at lets an away agent keep their tickets for a grace period.
ALTER TABLE agents ADD COLUMN presence_changed_at DATETIME NULL;

CREATE TABLE agent_skills (
    agent_id BIGINT  NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    skill    TEXT    NOT NULL,
    level    INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (agent_id, skill)
);

-- Per-channel capacity. A missing row means the configured default for the
-- channel; the row is created on first assignment. Assignment only raises
-- active_load with a conditional UPDATE ... WHERE active_load < capacity.
CREATE TABLE agent_channel_loads (
    agent_id    BIGINT  NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity >= 0),
    active_load INTEGER NOT NULL DEFAULT 0 CHECK (active_load >= 0),
    PRIMARY KEY (agent_id, channel)
);

-- Targets in seconds of business time; 0: no target.
CREATE TABLE sla_policies (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_id         BIGINT  NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    priority         TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    first_response_s INTEGER NOT NULL DEFAULT 0 CHECK (first_response_s >= 0),
    next_response_s  INTEGER NOT NULL DEFAULT 0 CHECK (next_response_s >= 0),
    resolution_s     INTEGER NOT NULL DEFAULT 0 CHECK (resolution_s >= 0),
    warn_before_s    INTEGER NOT NULL DEFAULT 0 CHECK (warn_before_s >= 0),
    CONSTRAINT sla_policies_queue_priority_key UNIQUE (queue_id, priority)
);

-- National holidays and joint leave days (cuti bersama), loaded per year.
CREATE TABLE holidays (
    day  TEXT NOT NULL PRIMARY KEY, -- YYYY-MM-DD
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'national' CHECK (kind IN ('national', 'joint_leave'))
);

-- The SLA clock. Due times are absolute; while the ticket waits on the
-- citizen (pending) sla_paused_at is set and, on resume, open due times move
-- by the business time that remained. sla_warned / sla_breached list the
-- targets (first_response, next_response, resolution) already announced.
ALTER TABLE tickets ADD COLUMN first_response_due_at DATETIME NULL;
ALTER TABLE tickets ADD COLUMN next_response_due_at  DATETIME NULL;
ALTER TABLE tickets ADD COLUMN resolution_due_at     DATETIME NULL;
ALTER TABLE tickets ADD COLUMN sla_paused_at         DATETIME NULL;
ALTER TABLE tickets ADD COLUMN sla_warned            TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_breached          TEXT NOT NULL DEFAULT '';

-- Waiting tickets of a queue in hand-out order (per priority), and a
-- narrow one for counting them and finding the oldest (queue metrics,
-- overflow, wait position).
CREATE INDEX tickets_queue_waiting_idx ON tickets (queue_id, created_at) WHERE assignee_id IS NULL AND status IN ('new', 'open', 'pending');
CREATE INDEX tickets_waiting_idx ON tickets (queue_id, priority, created_at, id) WHERE assignee_id IS NULL AND status IN ('new', 'open', 'pending');
CREATE INDEX tickets_sla_open_idx ON tickets (resolution_due_at) WHERE status IN ('new', 'open', 'pending');
