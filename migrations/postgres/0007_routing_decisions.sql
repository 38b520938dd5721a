-- Assignment decisions run as one statement of data-modifying CTEs
-- (internal/routing/onestatement.go). Every refusal point comes before the
-- first write, so the writes cannot refuse; should one ever do so anyway,
-- the statement calls routing_abort, whose error rolls the whole
-- statement back instead of leaving a raised load without its ticket.
CREATE FUNCTION routing_abort(msg TEXT) RETURNS INTEGER LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION '%', msg USING ERRCODE = 'P0001';
END
$$;

-- Offer reads the online agents with room in least-busy order (load ratio,
-- never assigned first, then longest idle) from this index and stops at
-- the first member of the ticket's queue, instead of sorting every member
-- of a large queue. The expression is spelled exactly as in the query.
CREATE INDEX agents_ready_idx ON agents ((CAST(active_load AS REAL) / GREATEST(capacity, 1)), last_assigned_at NULLS FIRST, id)
    WHERE presence = 'online' AND active_load < capacity;

-- Round robin walks a queue's members by turn.
CREATE INDEX queue_members_turn_idx ON queue_members (queue_id, last_assigned_at NULLS FIRST, agent_id);
