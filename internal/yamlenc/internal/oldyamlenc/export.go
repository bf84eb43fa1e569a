package oldyamlenc

// NonString is the reference of yamlenc's nonString: whether the plain
// scalar s would be read as other than a string.
func NonString(s []byte) bool { return nonString(s) }

// Style is the reference of yamlenc's style (its constants: plain,
// singleQuoted, doubleQuoted, literal, in that order).
func Style(s []byte, key bool) int { return style(s, key) }

// ParsesAsNumber is the reference of yamlenc's numberLike, without its
// shortcut: whether s, which starts with a sign or a digit, reads as a
// number or a timestamp.
func ParsesAsNumber(s string) bool { return parsesAsNumber(s) }
