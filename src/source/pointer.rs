//! JSON pointers (RFC 6901) and the URI-fragment form used in `$ref`s.

use serde_json::Value;

/// Escape one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}

/// Append a token to a pointer.
pub fn push(pointer: &str, token: &str) -> String {
    let mut s = String::with_capacity(pointer.len() + token.len() + 1);
    s.push_str(pointer);
    s.push('/');
    s.push_str(&escape(token));
    s
}

/// Build a pointer from unescaped tokens.
pub fn join_tokens<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    let mut s = String::new();
    for t in tokens {
        s.push('/');
        s.push_str(&escape(t));
    }
    s
}

/// Split a pointer into unescaped tokens. `""` is the root. `None` when malformed
/// (not starting with `/`, or a `~` not followed by `0`/`1`).
pub fn parse(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').map(unescape).collect()
}

fn unescape(token: &str) -> Option<String> {
    if !token.contains('~') {
        return Some(token.to_string());
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Decode `%XX` escapes (URI fragment and path form). `None` when an escape is
/// malformed or the result is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// One step down a value.
pub fn step<'a>(v: &'a Value, token: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => m.get(token),
        Value::Array(a) => {
            // RFC 6901: no leading zeros, no sign.
            if token.len() > 1 && token.starts_with('0') {
                return None;
            }
            a.get(token.parse::<usize>().ok()?)
        }
        _ => None,
    }
}

/// Resolve unescaped tokens against a value. On failure returns the number of tokens
/// that did resolve.
pub fn resolve<'a>(root: &'a Value, tokens: &[String]) -> Result<&'a Value, usize> {
    let mut v = root;
    for (i, t) in tokens.iter().enumerate() {
        v = step(v, t).ok_or(i)?;
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_round_trip() {
        let p = join_tokens(["a/b", "c~d", "e"]);
        assert_eq!(p, "/a~1b/c~0d/e");
        assert_eq!(
            parse(&p),
            Some(vec!["a/b".into(), "c~d".into(), "e".into()])
        );
    }

    #[test]
    fn malformed_pointers() {
        assert_eq!(parse("a/b"), None);
        assert_eq!(parse("/a~2"), None);
        assert_eq!(parse("/a~"), None);
        assert_eq!(parse(""), Some(vec![]));
        assert_eq!(parse("/"), Some(vec![String::new()]));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%7Bc%7D").as_deref(), Some("a b{c}"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%"), None);
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("é"));
    }

    #[test]
    fn resolving() {
        let v = json!({"paths": {"/a/{id}": {"get": [1, 2]}}});
        let toks = parse("/paths/~1a~1{id}/get/1").unwrap();
        assert_eq!(resolve(&v, &toks), Ok(&json!(2)));
        let toks = parse("/paths/x/get").unwrap();
        assert_eq!(resolve(&v, &toks), Err(1));
        let toks = parse("/paths/~1a~1{id}/get/01").unwrap();
        assert_eq!(resolve(&v, &toks), Err(3));
    }
}
