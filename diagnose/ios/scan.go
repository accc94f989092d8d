package ios

// The line scanners the asa package shares: show-output parsers read a
// line many times, and a lowered copy or a Fields slice per line was most
// of their time.

// HasPrefixFold is strings.HasPrefix ignoring ASCII case.
func HasPrefixFold(s, prefix string) bool { return hasPrefixFold(s, prefix) }

// IndexFold is strings.Index ignoring ASCII case (only ASCII letters fold,
// so the index is valid in s).
func IndexFold(s, sub string) int { return indexFold(s, sub) }

// ContainsFold is strings.Contains ignoring ASCII case.
func ContainsFold(s, sub string) bool { return indexFold(s, sub) >= 0 }

// FirstField is strings.Fields(s)[0], or "" when s holds no token.
func FirstField(s string) string { return firstField(s) }

// AppendFields appends strings.Fields(s) to dst.
func AppendFields(dst []string, s string) []string { return appendFields(dst, s) }

// LowerASCII lower-cases ASCII letters only, keeping the byte length; s
// itself is returned (no copy) when it has no upper-case letter.
func LowerASCII(s string) string { return lowerASCII(s) }

// EqualFields reports whether lowerASCII(squeezeSpaces(s)) == want, for a
// lower-case want with single spaces, without building either.
func EqualFields(s, want string) bool { return equalFields(s, want) }

// SameFields reports whether a and b are the same words ignoring ASCII
// case and spacing.
func SameFields(a, b string) bool { return sameFields(a, b) }

// SqueezeSpaces is strings.Join(strings.Fields(s), " "), without a copy
// when s is already in that form.
func SqueezeSpaces(s string) string { return squeezeSpaces(s) }

// TrimHeading drops markdown heading marks and surrounding space, and turns
// no-break spaces into plain ones.
func TrimHeading(s string) string { return trimHeading(s) }
