//! Checks on raw bytes before parsing: emptiness, binary content, encoding.

use std::sync::Arc;

use crate::diag::{Diagnostic, Location, Span};

/// Turn file bytes into text, or a located diagnostic explaining why they are not
/// a YAML/JSON text. A UTF-8 byte-order mark is dropped.
#[allow(clippy::result_large_err)] // the error path runs once per bad file
pub(crate) fn check_text(bytes: Vec<u8>, display: &Arc<str>) -> Result<String, Diagnostic> {
    let at = |offset: usize, bytes: &[u8]| -> Location {
        let prefix = &bytes[..offset.min(bytes.len())];
        // A CR at the end of the prefix may be the first half of a CRLF: count it
        // with what follows.
        let whole = &bytes[..(offset + 1).min(bytes.len())];
        let (mut line, mut line_start) = (1u32, 0);
        for b in super::line_breaks(whole).take_while(|&b| b <= offset) {
            line += 1;
            line_start = b;
        }
        let col = String::from_utf8_lossy(&prefix[line_start..])
            .chars()
            .count() as u32
            + 1;
        Location {
            file: display.clone(),
            span: Some(Span {
                line,
                col,
                end_line: line,
                end_col: col + 1,
                start: offset,
                end: offset,
            }),
            pointer: None,
        }
    };
    if let Some(encoding) = wide_encoding(&bytes) {
        return Err(Diagnostic::new(
            "file-encoding",
            at(0, &bytes),
            format!("the file is {encoding} encoded; YAML and JSON documents must be UTF-8"),
        )
        .with_help("re-save the file as UTF-8"));
    }
    let body: &[u8] = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
    let bom = bytes.len() - body.len();
    // A NUL early on is the mark of binary data (an image, an archive); further in it
    // is a stray character of a text file, named as every other control character.
    if let Some(nul) = body.iter().take(SNIFF).position(|&b| b == 0) {
        return Err(Diagnostic::new(
            "file-binary",
            at(nul + bom, &bytes),
            "the file contains a NUL byte: it is binary data, not a YAML or JSON text",
        ));
    }
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            let off = e.valid_up_to() + bom;
            return Err(Diagnostic::new(
                "file-encoding",
                at(off, &bytes),
                format!(
                    "invalid UTF-8 byte 0x{:02X}: YAML and JSON documents must be UTF-8",
                    bytes[off]
                ),
            )
            .with_help("re-save the file as UTF-8 (it may be Latin-1 or Windows-1252)"));
        }
    };
    if let Some((i, c)) = first_control(text) {
        return Err(Diagnostic::new(
            "file-binary",
            at(i + bom, &bytes),
            format!(
                "the file contains the control character U+{:04X}{}: it is not a YAML or JSON text",
                c as u32,
                control_name(c).map(|n| format!(" ({n})")).unwrap_or_default()
            ),
        )
        .with_help("remove the character, or write it as an escape inside a double-quoted string (`\\u0000`)"));
    }
    if is_blank(text) {
        return Err(Diagnostic::new(
            "document-empty",
            Location::file(display.clone()),
            "the file is empty (it holds no YAML or JSON content)",
        ));
    }
    // No copy: the bytes become the string (a byte-order mark is drained first).
    let mut bytes = bytes;
    bytes.drain(..bom);
    Ok(String::from_utf8(bytes).unwrap_or_default())
}

/// How far into a file a NUL byte means binary data rather than a stray character.
const SNIFF: usize = 64 * 1024;

/// The UTF-16 or UTF-32 encoding of a file, told by its byte-order mark or, without one,
/// by the NUL bytes around its first character (RFC 4627 §3: a YAML or JSON text starts
/// with an ASCII character). UTF-32 is tested first: its little-endian mark starts with
/// UTF-16's.
fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => Some("UTF-32 (little-endian)"),
        [0, 0, 0xFE, 0xFF, ..] => Some("UTF-32 (big-endian)"),
        [0xFF, 0xFE, ..] => Some("UTF-16 (little-endian)"),
        [0xFE, 0xFF, ..] => Some("UTF-16 (big-endian)"),
        [0, 0, 0, a, ..] if *a != 0 && a.is_ascii() => Some("UTF-32 (big-endian)"),
        [a, 0, 0, 0, ..] if *a != 0 && a.is_ascii() => Some("UTF-32 (little-endian)"),
        [0, a, 0, b, ..] if *a != 0 && a.is_ascii() && *b != 0 && b.is_ascii() => {
            Some("UTF-16 (big-endian)")
        }
        [a, 0, b, 0, ..] if *a != 0 && a.is_ascii() && *b != 0 && b.is_ascii() => {
            Some("UTF-16 (little-endian)")
        }
        _ => None,
    }
}

/// The first control character other than tab, line feed and carriage return, anywhere
/// in the text (a single pass over the bytes: C0 controls and DEL are single bytes, C1
/// controls are `C2 80`..`C2 9F`).
fn first_control(text: &str) -> Option<(usize, char)> {
    let b = text.as_bytes();
    let i = b.iter().enumerate().position(|(i, &x)| {
        (x < 0x20 && !matches!(x, b'\t' | b'\n' | b'\r'))
            || x == 0x7F
            || (x == 0xC2 && b.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)))
    })?;
    text[i..].chars().next().map(|c| (i, c))
}

/// The name of a control character, for the common ones.
fn control_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\0' => "NUL",
        '\u{7}' => "BEL",
        '\u{8}' => "backspace",
        '\u{b}' => "vertical tab",
        '\u{c}' => "form feed",
        '\u{1a}' => "SUB, end of file in DOS",
        '\u{1b}' => "ESC",
        '\u{7f}' => "DEL",
        '\u{85}' => "NEL, next line",
        _ => return None,
    })
}

/// True when the text holds only whitespace, comments and document markers.
fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name() -> Arc<str> {
        Arc::from("f.yaml")
    }

    #[test]
    fn locates_bad_utf8() {
        let d = check_text(b"a: 1\nb: caf\xE9\n".to_vec(), &name()).unwrap_err();
        assert_eq!(d.rule, "file-encoding");
        assert_eq!((d.location.line(), d.location.col()), (Some(2), Some(7)));
    }

    #[test]
    fn wide_encodings_are_named() {
        let cases: [(&[u8], &str); 8] = [
            (b"\xFF\xFE\0\0a\0\0\0", "UTF-32 (little-endian)"),
            (b"\0\0\xFE\xFF\0\0\0a", "UTF-32 (big-endian)"),
            (b"\xFF\xFEa\0", "UTF-16 (little-endian)"),
            (b"\xFE\xFF\0a", "UTF-16 (big-endian)"),
            (b"a\0\0\0:\0\0\0", "UTF-32 (little-endian)"),
            (b"\0\0\0a\0\0\0:", "UTF-32 (big-endian)"),
            (b"a\0:\0 \x001\0", "UTF-16 (little-endian)"),
            (b"\0a\0:\0 \x001", "UTF-16 (big-endian)"),
        ];
        for (bytes, enc) in cases {
            let d = check_text(bytes.to_vec(), &name()).unwrap_err();
            assert_eq!(d.rule, "file-encoding");
            assert!(d.message.contains(enc), "{enc}: {}", d.message);
        }
    }

    #[test]
    fn control_characters_anywhere_are_located_and_named() {
        for (c, named) in [
            ('\0', "U+0000 (NUL)"),
            ('\u{1b}', "U+001B (ESC)"),
            ('\u{85}', "U+0085"),
        ] {
            let mut text = String::from("a: 1\n");
            while text.len() < 70 * 1024 {
                text.push_str("b: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
            }
            let line = text.lines().count() as u32 + 1;
            text.push_str("c: x");
            text.push(c);
            text.push('\n');
            let d = check_text(text.into_bytes(), &name()).unwrap_err();
            assert_eq!(d.rule, "file-binary", "{c:?}");
            assert!(d.message.contains(named), "{c:?}: {}", d.message);
            assert_eq!((d.location.line(), d.location.col()), (Some(line), Some(5)));
        }
        // Tabs, line breaks and non-ASCII text are not control characters.
        let ok = "a: \"caf\u{e9} \u{a0}\u{2028}\"\r\n\tb\n".repeat(10_000);
        assert!(check_text(ok.into_bytes(), &name()).is_ok());
    }

    #[test]
    fn binary_and_empty() {
        assert_eq!(
            check_text(b"\x89PNG\r\n\x1a\n\0\0".to_vec(), &name())
                .unwrap_err()
                .rule,
            "file-binary"
        );
        assert_eq!(
            check_text(b"# only a comment\n\n".to_vec(), &name())
                .unwrap_err()
                .rule,
            "document-empty"
        );
        assert_eq!(
            check_text(Vec::new(), &name()).unwrap_err().rule,
            "document-empty"
        );
        assert_eq!(
            check_text(b"\xEF\xBB\xBFa: 1".to_vec(), &name()).unwrap(),
            "a: 1"
        );
    }
}
