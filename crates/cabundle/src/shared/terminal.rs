//! Text for people, made safe on its way to a terminal: whatever passes through [`Terminal`]
//! keeps its line feeds, and has every other control character and every character that
//! changes the direction or the lines of text escaped (`cabundle_cert::text::escape`). Labels,
//! names and URLs come from reports and certificates that anyone can write; a value that must
//! stay on one line (a label that holds a line feed) is escaped whole where it is formatted,
//! with [`one_line`]. JSON, PEM and other data written to standard output do not pass here.

use std::borrow::Cow;
use std::io::{self, Write};

/// `text` escaped whole, line feeds included: one value, one line.
pub(crate) fn one_line(text: &str) -> Cow<'_, str> {
    cabundle_cert::text::escape(text)
}

/// `text` escaped line by line: its line feeds kept, everything else as [`one_line`].
pub(crate) fn lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(cabundle_cert::text::needs_escape_in_lines) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split('\n')
            .map(one_line)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// A writer that escapes what passes through it as [`lines`] does. Bytes that are not UTF-8
/// are written as U+FFFD; a character split between two writes is kept until it is whole.
pub(crate) struct Terminal<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Terminal<W> {
    /// A terminal writer over `inner`.
    pub(crate) fn new(inner: W) -> Self {
        Terminal {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes out what is whole in `pending`, keeping an incomplete last character.
    fn drain(&mut self, all: bool) -> io::Result<()> {
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() && !all => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let text = String::from_utf8_lossy(&self.pending[..valid]).into_owned();
        self.inner.write_all(lines(&text).as_bytes())?;
        self.pending.drain(..valid);
        Ok(())
    }
}

impl<W: Write> Write for Terminal<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.drain(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.drain(true)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Terminal<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_all_but_line_feeds() {
        let mut out = Vec::new();
        {
            let mut t = Terminal::new(&mut out);
            let text = "ok\nred \x1b[31m\u{202E}x\x07\n";
            let bytes = text.as_bytes();
            // Split inside the three bytes of U+202E.
            let cut = text.find('\u{202E}').map_or(0, |i| i + 1);
            t.write_all(&bytes[..cut]).unwrap_or_else(|e| panic!("{e}"));
            t.write_all(&bytes[cut..]).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(
            String::from_utf8_lossy(&out),
            "ok\nred \\x1B[31m\\u{202E}x\\x07\n"
        );
        assert_eq!(one_line("a\nexcluded x"), "a\\x0Aexcluded x");
        assert_eq!(lines("a\nb\tc"), "a\nb\\x09c");
    }
}
