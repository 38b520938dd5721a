-- The agents report credits each agent's own work (internal/reports,
-- agentShares): the first response and each reply to their author, each
-- transfer to whoever made it, instead of everything to the ticket's
-- current assignee. Clear the mark so the next refresh rebuilds every day
-- with the new attribution.
DELETE FROM report_marks WHERE name = 'daily';
