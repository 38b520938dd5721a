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
ALTER TABLE agent_channel_loads ALTER COLUMN capacity DROP NOT NULL;
CREATE TABLE channel_capacity_adoption (pending BOOLEAN NOT NULL PRIMARY KEY);
INSERT INTO channel_capacity_adoption (pending) VALUES (TRUE);
