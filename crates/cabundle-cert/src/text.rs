//! Text from the data, made safe for a terminal: a report's labels, certificate names and URLs
//! are whatever their authors wrote, and a terminal obeys control characters. Every crate that
//! renders such text for people passes it through [`escape`], so one input line stays one
//! output line and nothing in it can move the cursor, ring the bell or reverse the text.
//!
//! Escaped: the C0 and C1 control characters and DEL (line breaks and tabs included) as
//! `\xNN`, and the characters that change the direction or the lines of what follows (the
//! bidirectional marks, embeddings, overrides and isolates, and the Unicode line and paragraph
//! separators) as `\u{NNNN}`. Everything else is kept; a backslash is kept as it is, so the
//! escaping is for reading, not for reversing.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` changes the direction of the text that follows, or breaks its line, without
/// being a control character.
fn is_layout_changing(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Whether [`escape`] changes `c`.
pub fn needs_escape(c: char) -> bool {
    c.is_control() || is_layout_changing(c)
}

/// Whether [`escape`] changes `c` in text whose line feeds are kept: any of [`needs_escape`]
/// but the line feed.
pub fn needs_escape_in_lines(c: char) -> bool {
    c != '\n' && needs_escape(c)
}

/// `text` with control and layout-changing characters escaped (see the module documentation);
/// borrowed when nothing needs it.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && u32::from(c) < 0x100 {
            let _ = write!(out, "\\x{:02X}", u32::from(c));
        } else if needs_escape(c) {
            let _ = write!(out, "\\u{{{:04X}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes() {
        let check = |input: &str, want: &str| assert_eq!(escape(input), want, "{input:?}");
        check("Example Root CA", "Example Root CA");
        check("caf\u{e9} \u{4e2d}\u{6587}", "caf\u{e9} \u{4e2d}\u{6587}");
        check("a\x1b[31mred", "a\\x1B[31mred");
        check("bell\x07", "bell\\x07");
        check("two\nlines\r\ttab", "two\\x0Alines\\x0D\\x09tab");
        check("del\x7f c1\u{85}", "del\\x7F c1\\x85");
        check("evil\u{202E}gpj.exe", "evil\\u{202E}gpj.exe");
        check(
            "iso\u{2066}late\u{2069} ls\u{2028}",
            "iso\\u{2066}late\\u{2069} ls\\u{2028}",
        );
        check("C:\\path", "C:\\path");
        assert!(matches!(escape("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
