//! A marked block in a text file someone else owns (a shell startup file): added at the end,
//! recognised by its marker lines, and removed again even when the file was edited around it.

/// The first line of every block cabundle adds.
pub const BEGIN: &str =
    "# >>> cabundle trust: added by cabundle; `cabundle trust uninstall` removes it >>>";
/// The last line of every block cabundle adds.
pub const END: &str = "# <<< cabundle trust <<<";

/// The block holding `body` (lines, each ending in a newline), markers included.
pub fn block(body: &str) -> String {
    let mut text = format!("{BEGIN}\n{body}");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(END);
    text.push('\n');
    text
}

/// The text to append to a file holding `current` so that it ends with `block`: a newline
/// first when the file does not end with one, and a blank line between the file's text and
/// the block.
pub fn insertion(current: &[u8], block: &str) -> String {
    let mut text = String::new();
    if !current.is_empty() {
        if !current.ends_with(b"\n") {
            text.push('\n');
        }
        text.push('\n');
    }
    text.push_str(block);
    text
}

/// Whether `current` holds a block (its two marker lines, in order).
pub fn has_block(current: &[u8]) -> bool {
    find_block(current).is_some()
}

/// Whether `current` holds exactly `block`.
pub fn has_exact(current: &[u8], block: &str) -> bool {
    find(current, block.as_bytes()).is_some()
}

/// How a block came out of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Removed {
    /// The text inserted was found as it was and taken out.
    Exact(Vec<u8>),
    /// The block was edited since: everything from its first marker line through its last was
    /// taken out.
    Edited(Vec<u8>),
    /// No block is there: nothing changed.
    Absent,
}

/// `current` without the block: the exact `inserted` text when it is there (so the file is
/// what it was before, plus whatever the user changed elsewhere), else the lines from the first
/// marker through the last.
pub fn remove(current: &[u8], inserted: &str) -> Removed {
    if let Some(at) = find(current, inserted.as_bytes()) {
        let mut out = current[..at].to_vec();
        out.extend_from_slice(&current[at + inserted.len()..]);
        return Removed::Exact(out);
    }
    match without_block(current) {
        Some(rest) => Removed::Edited(rest),
        None => Removed::Absent,
    }
}

/// `current` without its first block (marker line to marker line), when it has one.
pub fn without_block(current: &[u8]) -> Option<Vec<u8>> {
    let (start, end) = find_block(current)?;
    let mut out = current[..start].to_vec();
    out.extend_from_slice(&current[end..]);
    Some(out)
}

/// The byte range of the first block: from the start of its first marker line to the end of
/// its last (newline included).
fn find_block(current: &[u8]) -> Option<(usize, usize)> {
    let start = line_start(current, BEGIN.as_bytes())?;
    let after = start + BEGIN.len();
    let end = line_start(&current[after..], END.as_bytes())? + after + END.len();
    let end = if current.get(end) == Some(&b'\n') {
        end + 1
    } else {
        end
    };
    Some((start, end))
}

/// Where `line` starts a line of `text`.
fn line_start(text: &[u8], line: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = find(&text[from..], line) {
        let at = from + at;
        let starts_line = at == 0 || text[at - 1] == b'\n';
        let ends_line = matches!(text.get(at + line.len()), None | Some(b'\n') | Some(b'\r'));
        if starts_line && ends_line {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "export A='/x'\n";

    #[test]
    fn added_and_removed_byte_for_byte() {
        for original in ["", "a\n", "a", "a\n\n", "# only a comment\nexport X=1\n"] {
            let b = block(BODY);
            let inserted = insertion(original.as_bytes(), &b);
            let edited = format!("{original}{inserted}");
            assert!(has_exact(edited.as_bytes(), &b));
            assert_eq!(
                remove(edited.as_bytes(), &inserted),
                Removed::Exact(original.as_bytes().to_vec()),
                "{original:?}"
            );
        }
    }

    #[test]
    fn edits_around_the_block_stay() {
        let b = block(BODY);
        let inserted = insertion(b"a\n", &b);
        let edited = format!("before\na\n{inserted}after\n");
        assert_eq!(
            remove(edited.as_bytes(), &inserted),
            Removed::Exact(b"before\na\nafter\n".to_vec())
        );
    }

    #[test]
    fn an_edited_block_goes_from_marker_to_marker() {
        let b = block(BODY);
        let inserted = insertion(b"a\n", &b);
        let edited = format!("a\n{inserted}").replace("/x", "/y") + "tail\n";
        assert_eq!(
            remove(edited.as_bytes(), &inserted),
            Removed::Edited(b"a\n\ntail\n".to_vec())
        );
        assert_eq!(remove(b"a\n", &inserted), Removed::Absent);
        // A marker quoted inside a line is not a marker line.
        let quoted = format!("echo '{BEGIN}'\necho '{END}'\n");
        assert!(!has_block(quoted.as_bytes()));
    }
}
