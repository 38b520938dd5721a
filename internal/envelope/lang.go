package envelope

// FieldLang is the language (a locale tag such as id-ID) the citizen used,
// when the channel knows it (the complaint form): notifications about the
// ticket are written in it.
const FieldLang = "lang"
