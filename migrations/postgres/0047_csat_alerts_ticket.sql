-- A ticket's low-rating alerts, by ticket. Deleting a ticket cascades to its
-- alerts (ingest deletes the tickets it opened for messages another
-- instance turned out to have stored first): without this index each
-- deleted ticket read the whole of csat_alerts.
CREATE INDEX csat_alerts_ticket_idx ON csat_alerts (ticket_id);
