// Package identity validates and normalizes the ways an Indonesian citizen
// identifies themself on any channel: phone numbers (to E.164), WhatsApp ids,
// e-mail addresses and the NIK (Nomor Induk Kependudukan, the 16-digit
// national id), plus the province table the NIK encodes.
//
// Every function here is pure and safe for concurrent use. Inputs come from
// outside (forms, webhooks, IVR keypads), so each parser bounds its input
// length before doing any work and never echoes the input in its errors:
// errors end up in logs, and logs must not carry personal data.
package identity
