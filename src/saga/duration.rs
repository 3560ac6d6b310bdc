//! Durations in saga files (`250ms`, `30s`, `5m`, `1h`, combinations like `1m30s`) and
//! their display. Virtual time is counted in whole milliseconds.

/// Parse a duration into milliseconds. `None` when malformed or longer than
/// [`MAX_MS`].
pub fn parse_ms(s: &str) -> Option<u64> {
    parse_ms_unbounded(s).filter(|&ms| ms <= MAX_MS)
}

/// [`parse_ms`] without the upper bound (`None` only when malformed or beyond `u64`).
pub fn parse_ms_unbounded(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 12 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let factor = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(n.checked_mul(factor)?)?;
    }
    Some(total)
}

/// The longest duration a saga file may name: 100 years of 365 days. Any time of a
/// stream plus this stays far inside `i64`.
pub const MAX_MS: u64 = 100 * 365 * 86_400_000;

/// Milliseconds as a signed virtual-time delta (saturating).
pub fn signed(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// Show milliseconds compactly (`1.5s`, `250ms`, `5m`).
pub fn show_ms(ms: u64) -> String {
    // Seconds with up to three decimals (trailing zeros dropped).
    let secs = |ms: u64| {
        if ms.is_multiple_of(1_000) {
            format!("{} s", ms / 1_000)
        } else {
            let n = format!("{}.{:03}", ms / 1_000, ms % 1_000);
            format!("{} s", n.trim_end_matches('0'))
        }
    };
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        secs(ms)
    } else if ms < 3_600_000 {
        let rest = ms % 60_000;
        if rest == 0 {
            format!("{} min", ms / 60_000)
        } else {
            format!("{} min {}", ms / 60_000, secs(rest))
        }
    } else {
        let rest = ms % 3_600_000;
        if rest == 0 {
            format!("{} h", ms / 3_600_000)
        } else {
            format!("{} h {}", ms / 3_600_000, show_ms(rest))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(parse_ms("30s"), Some(30_000));
        assert_eq!(parse_ms("5m"), Some(300_000));
        assert_eq!(parse_ms("100ms"), Some(100));
        assert_eq!(parse_ms("1m30s"), Some(90_000));
        assert_eq!(parse_ms("30"), None);
        assert_eq!(parse_ms("s"), None);
        assert_eq!(parse_ms("3x"), None);
        // At most 100 years (so no deadline can overflow); beyond u64 is malformed.
        assert_eq!(parse_ms("876000h"), Some(876_000 * 3_600_000));
        assert_eq!(parse_ms("876001h"), None);
        assert_eq!(
            parse_ms_unbounded("999999999999h"),
            Some(999_999_999_999 * 3_600_000)
        );
        assert_eq!(parse_ms_unbounded("9999999999999h"), None);
    }

    #[test]
    fn shows() {
        assert_eq!(show_ms(250), "250 ms");
        assert_eq!(show_ms(1_500), "1.5 s");
        assert_eq!(show_ms(30_000), "30 s");
        assert_eq!(show_ms(90_000), "1 min 30 s");
        // Issue 15: not "1m500ms".
        assert_eq!(show_ms(60_500), "1 min 0.5 s");
        assert_eq!(show_ms(136_001), "2 min 16.001 s");
        assert_eq!(show_ms(3_600_000), "1 h");
        assert_eq!(show_ms(3_660_250), "1 h 1 min 0.25 s");
    }
}
