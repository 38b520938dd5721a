package app

import (
	"crypto/sha256"

	"tanggap/channels/livechat"
	"tanggap/internal/auth"
	"tanggap/internal/config"
)

// loginThrottle is the per-account sign-in limit of the configuration.
func loginThrottle(cfg config.Config) auth.Throttle {
	return auth.Throttle{Free: cfg.Login.AccountFreeFailures, Backoff: cfg.Login.AccountBackoff, MaxBackoff: cfg.Login.AccountMaxBackoff}
}

// loginDeviceKey is the key of known-device cookies: LOGIN_DEVICE_SECRET,
// or derived from the live chat secret (configured or kept under
// DATA_DIR), so instances that share one share the other.
func loginDeviceKey(cfg config.Config) ([]byte, error) {
	secret := []byte(cfg.Login.DeviceSecret)
	if len(secret) == 0 {
		s, err := livechat.LoadSecret(cfg.LivechatSecret, cfg.DataDir)
		if err != nil {
			return nil, err
		}
		secret = s
	}
	sum := sha256.Sum256(append([]byte("tanggap login device key\x00"), secret...))
	return sum[:], nil
}
