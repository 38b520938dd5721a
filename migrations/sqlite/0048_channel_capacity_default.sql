-- An agent's capacity on a channel: NULL follows the channel's default as
-- configured now (ROUTING_CHANNEL_CAPACITY, ROUTING_DEFAULT_CHANNEL_CAPACITY);
-- a number is the agent's own setting. Before, the row an agent's first
-- ticket on a channel created held the default of that day, so a default
-- changed later never reached agents who had worked the channel, and an
-- own setting could not be given back to the default.
--
-- Which stored numbers an admin chose is not known (the account form sent
-- every channel's capacity in force, defaults included, on each edit).
-- The first start after this migration, which knows the configured
-- defaults, gives back to the default every row holding the default's
-- number (nothing changes today; a later change of the default reaches
-- them) and deletes this table's one row, so that it runs once
-- (routing.Settings.AdoptChannelDefaults).
--
-- SQLite cannot drop a NOT NULL: the table is made again and its rows
-- copied (sqlite.org/lang_altertable.html, "other kinds of table schema
-- changes"). No table refers to this one.
CREATE TABLE agent_channel_loads_new (
    agent_id    BIGINT  NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL,
    capacity    INTEGER NULL CHECK (capacity >= 0),
    active_load INTEGER NOT NULL DEFAULT 0 CHECK (active_load >= 0),
    PRIMARY KEY (agent_id, channel)
);
INSERT INTO agent_channel_loads_new (agent_id, channel, capacity, active_load)
SELECT agent_id, channel, capacity, active_load FROM agent_channel_loads;
DROP TABLE agent_channel_loads;
ALTER TABLE agent_channel_loads_new RENAME TO agent_channel_loads;
CREATE TABLE channel_capacity_adoption (pending BOOLEAN NOT NULL PRIMARY KEY);
INSERT INTO channel_capacity_adoption (pending) VALUES (TRUE);
