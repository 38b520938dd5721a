-- Webhook health per channel for the admins (internal/webhooks): how many
-- provider deliveries each instance refused (bad signature, malformed
-- body, ...) per hour and reason, and when a delivery was last accepted.
-- Instances count in memory and add their counts here at most once a
-- second per channel and reason, so a flood of bad requests is not a
-- flood of writes. The hour leads the key: the admin summary and the
-- purge read a range of hours.
CREATE TABLE webhook_refusals (
    hour    DATETIME    NOT NULL,
    channel TEXT        NOT NULL,
    reason  TEXT        NOT NULL,
    refused BIGINT      NOT NULL,
    last_at DATETIME    NOT NULL,
    PRIMARY KEY (hour, channel, reason)
);
CREATE TABLE webhook_accepts (
    channel TEXT        PRIMARY KEY,
    last_at DATETIME    NOT NULL
);
