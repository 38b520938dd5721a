-- Citizen notifications (internal/notify): a caller whose voicemail or
-- callback request lands on a ticket is sent its tracking number, a
-- notification of its own kind.
ALTER TABLE notify_deliveries DROP CONSTRAINT notify_deliveries_kind_check;
ALTER TABLE notify_deliveries ADD CONSTRAINT notify_deliveries_kind_check
    CHECK (kind IN ('reply', 'more_info', 'solved', 'received'));
