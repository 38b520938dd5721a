-- An agent's capacity on a channel: NULL follows the channel's default as
-- configured now (ROUTING_CHANNEL_CAPACITY, ROUTING_DEFAULT_CHANNEL_CAPACITY);
-- a number is the agent's own setting. Before, the row an agent's first
-- ticket on a channel created held the default of that day, so a default
-- changed later never reached agents who had worked the channel, and an
-- own setting could not be given back to the default. Rows already stored
-- keep their number: which of them an admin chose is not known.
ALTER TABLE agent_channel_loads ALTER COLUMN capacity DROP NOT NULL;
