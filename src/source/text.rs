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
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::new(
            "file-encoding",
            at(0, &bytes),
            "the file is UTF-16 encoded; YAML and JSON documents must be UTF-8",
        )
        .with_help("re-save the file as UTF-8"));
    }
    let body: &[u8] = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
    if let Some(nul) = body.iter().take(64 * 1024).position(|&b| b == 0) {
        let off = nul + (bytes.len() - body.len());
        return Err(Diagnostic::new(
            "file-binary",
            at(off, &bytes),
            "the file contains a NUL byte: it is binary data, not a YAML or JSON text",
        ));
    }
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            let off = e.valid_up_to() + (bytes.len() - body.len());
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
    if let Some((i, c)) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .filter(|&(i, _)| i < 64 * 1024)
    {
        let off = i + (bytes.len() - body.len());
        return Err(Diagnostic::new(
            "file-binary",
            at(off, &bytes),
            format!(
                "the file contains the control character U+{:04X}: it is not a YAML or JSON text",
                c as u32
            ),
        ));
    }
    if is_blank(text) {
        return Err(Diagnostic::new(
            "document-empty",
            Location::file(display.clone()),
            "the file is empty (it holds no YAML or JSON content)",
        ));
    }
    // No copy: the bytes become the string (a byte-order mark is drained first).
    let bom = bytes.len() - body.len();
    let mut bytes = bytes;
    bytes.drain(..bom);
    Ok(String::from_utf8(bytes).unwrap_or_default())
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
