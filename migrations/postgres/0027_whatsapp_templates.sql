-- whatsapp_templates: the approved WhatsApp message templates, owned by
-- the WhatsApp adapter and kept on its admin screen. Seeded once from the
-- settings (WHATSAPP_TEMPLATES, NOTIFY_WHATSAPP_TEMPLATE,
-- CSAT_WHATSAPP_TEMPLATE) when the table is empty; from then on the
-- screen is the truth.
--
-- purpose: reply (agents send it to re-open a conversation outside the
-- 24-hour window; agents pick among several), notify (tells a citizen
-- off a live channel of a reply: tracking number and link) or csat (asks
-- how we did, five quick replies). params: the body parameters' names in
-- order, a JSON array. Deactivated templates stay for the record.
CREATE TABLE whatsapp_templates (
    id         BIGSERIAL   PRIMARY KEY,
    name       TEXT        NOT NULL,
    language   TEXT        NOT NULL,
    purpose    TEXT        NOT NULL,
    params     TEXT        NOT NULL DEFAULT '[]',
    active     BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (name, language, purpose)
);
-- The sender asks for one template per purpose and language: at most one
-- is active for a notification or a survey.
CREATE UNIQUE INDEX whatsapp_templates_one_active_idx ON whatsapp_templates (purpose, language)
    WHERE active AND purpose <> 'reply';
