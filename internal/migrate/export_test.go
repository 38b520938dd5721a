package migrate

// UpFS exposes upFS to the external test package, which cannot be package
// migrate itself because it imports testenv (and testenv imports migrate).
var UpFS = upFS

// Load exposes load for the file-naming tests.
var Load = load
